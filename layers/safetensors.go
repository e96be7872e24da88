package layers

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"
)

// The safetensors format (https://github.com/huggingface/safetensors):
//
//	8 bytes   N, the header size, a little-endian uint64
//	N bytes   the header: a UTF-8 JSON object mapping each tensor name to
//	          {"dtype":"F32","shape":[2,3],"data_offsets":[begin,end]},
//	          plus an optional "__metadata__" object of string values
//	the rest  the data section: each tensor's row-major little-endian
//	          bytes at [begin,end), relative to the start of the section
//
// WriteSafetensors writes what Python's safetensors.torch.save_file writes
// for the same float32 tensors (with at most one metadata key: the Python
// library's metadata order is not defined, ours is sorted), and
// ReadSafetensors applies the checks of the reference (Rust) reader.

// MaxSafetensorsHeader is the largest header ReadSafetensors accepts, in
// bytes; the reference implementation uses the same limit.
const MaxSafetensorsHeader = 100_000_000

// safetensorsMetadataKey is the header entry holding the free-form metadata.
const safetensorsMetadataKey = "__metadata__"

// Safetensors is the decoded content of a safetensors file.
type Safetensors struct {
	// Tensors holds every tensor by name. F64 data is rounded to float32.
	Tensors map[string]*Tensor
	// Dtypes holds each tensor's dtype in the file: "F32" or "F64".
	Dtypes map[string]string
	// Metadata is the "__metadata__" entry, nil when the file has none.
	Metadata map[string]string
}

// safetensorsDtypeSize gives the element size of every dtype the format
// defines. ReadSafetensors decodes F32 and F64 and rejects the others by
// name; a dtype missing here is reported as unknown.
var safetensorsDtypeSize = map[string]uint64{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1,
	"F4": 1, "F6_E2M3": 1, "F6_E3M2": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
	"C64": 8,
}

// WriteSafetensors writes tensors and metadata (which may be nil) to w in
// the safetensors format, as float32 ("F32") tensors in name order. The
// header is compact JSON padded with spaces to a multiple of 8 bytes, so
// the same input always gives the same bytes.
//
// Names and metadata must be valid UTF-8, no tensor may be named
// "__metadata__", and every tensor must hold as many values as its shape.
func WriteSafetensors(w io.Writer, tensors map[string]*Tensor, metadata map[string]string) error {
	names := make([]string, 0, len(tensors))
	for name := range tensors {
		names = append(names, name)
	}
	slices.Sort(names)

	header, err := safetensorsHeader(names, tensors, metadata)
	if err != nil {
		return err
	}
	var size [8]byte
	binary.LittleEndian.PutUint64(size[:], uint64(len(header)))
	if _, err := w.Write(size[:]); err != nil {
		return err
	}
	if _, err := w.Write(header); err != nil {
		return err
	}
	var buf [4096]byte
	for _, name := range names {
		data := tensors[name].Data
		for len(data) > 0 {
			n := min(len(data), len(buf)/4)
			for i, v := range data[:n] {
				binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
			}
			if _, err := w.Write(buf[:4*n]); err != nil {
				return err
			}
			data = data[n:]
		}
	}
	return nil
}

// safetensorsHeader returns the padded JSON header for the tensors, laid out
// in the order of names, after checking the names, shapes and metadata.
func safetensorsHeader(names []string, tensors map[string]*Tensor, metadata map[string]string) ([]byte, error) {
	var h bytes.Buffer
	h.WriteByte('{')
	if metadata != nil {
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		h.WriteString(`"__metadata__":{`)
		for i, k := range keys {
			v := metadata[k]
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return nil, fmt.Errorf("safetensors: metadata %q: key or value is not valid UTF-8", k)
			}
			if i > 0 {
				h.WriteByte(',')
			}
			writeJSONString(&h, k)
			h.WriteByte(':')
			writeJSONString(&h, v)
		}
		h.WriteByte('}')
		if len(names) > 0 {
			h.WriteByte(',')
		}
	}
	offset := 0
	for i, name := range names {
		t := tensors[name]
		switch {
		case name == safetensorsMetadataKey:
			return nil, fmt.Errorf("safetensors: %q cannot name a tensor", name)
		case !utf8.ValidString(name):
			return nil, fmt.Errorf("safetensors: tensor name %q is not valid UTF-8", name)
		case t == nil:
			return nil, fmt.Errorf("safetensors: tensor %q is nil", name)
		}
		n := 1
		for _, d := range t.Shape {
			if d < 0 {
				return nil, fmt.Errorf("safetensors: tensor %q: shape %v has a negative dimension", name, t.Shape)
			}
			n *= d
		}
		if n != len(t.Data) {
			return nil, fmt.Errorf("safetensors: tensor %q: shape %v needs %d values, Data holds %d", name, t.Shape, n, len(t.Data))
		}
		if i > 0 {
			h.WriteByte(',')
		}
		writeJSONString(&h, name)
		h.WriteString(`:{"dtype":"F32","shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				h.WriteByte(',')
			}
			h.WriteString(strconv.Itoa(d))
		}
		end := offset + 4*n
		fmt.Fprintf(&h, `],"data_offsets":[%d,%d]}`, offset, end)
		offset = end
	}
	h.WriteByte('}')
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	return h.Bytes(), nil
}

// writeJSONString writes s as a JSON string escaped as serde_json (the
// reference implementation's JSON library) escapes it: quote, backslash and
// control characters only; everything else as UTF-8.
func writeJSONString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\f':
			b.WriteString(`\f`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// safetensorsEntry is one tensor's header entry. Pointers tell a missing
// field from a zero one; unknown fields are ignored, as the reference does.
type safetensorsEntry struct {
	Dtype       *string   `json:"dtype"`
	Shape       *[]uint64 `json:"shape"`
	DataOffsets *[]uint64 `json:"data_offsets"`

	name       string
	begin, end uint64
}

// ReadSafetensors decodes a whole safetensors file. It rejects, with an
// error that names the problem (and the tensor, where there is one):
//   - a file shorter than the 8-byte header size, a header size over
//     MaxSafetensorsHeader or beyond the end of the file;
//   - a header that is not valid UTF-8, not a JSON object, has a duplicate
//     name, an "__metadata__" entry that is not an object of strings, or a
//     tensor entry without dtype, shape or a pair of data_offsets;
//   - an unknown dtype, and any dtype but F32 and F64 (other dtypes are
//     valid safetensors but have no float32 meaning here);
//   - data_offsets that are reversed, overlap, leave a gap, end beyond the
//     data section, or do not cover the data section to its last byte;
//   - a byte span that differs from the shape's element count times the
//     dtype's size (or a shape whose size overflows).
//
// Memory allocated is bounded by a small multiple of len(file).
func ReadSafetensors(file []byte) (*Safetensors, error) {
	if len(file) < 8 {
		return nil, fmt.Errorf("safetensors: file of %d bytes is too short for the 8-byte header size", len(file))
	}
	n := binary.LittleEndian.Uint64(file)
	if n > MaxSafetensorsHeader {
		return nil, fmt.Errorf("safetensors: header size %d exceeds the limit of %d bytes", n, MaxSafetensorsHeader)
	}
	if n > uint64(len(file)-8) {
		return nil, fmt.Errorf("safetensors: header size %d runs beyond the end of the file (%d bytes after the header size)", n, len(file)-8)
	}
	header, data := file[8:8+n], file[8+n:]

	entries, metadata, err := parseSafetensorsHeader(header)
	if err != nil {
		return nil, err
	}
	if err := checkSafetensorsLayout(entries, uint64(len(data))); err != nil {
		return nil, err
	}

	st := &Safetensors{
		Tensors:  make(map[string]*Tensor, len(entries)),
		Dtypes:   make(map[string]string, len(entries)),
		Metadata: metadata,
	}
	for _, e := range entries {
		shape := make([]int, len(*e.Shape))
		for i, d := range *e.Shape {
			shape[i] = int(d) // check made sure d <= math.MaxInt
		}
		raw := data[e.begin:e.end]
		t := NewTensor(shape...)
		switch *e.Dtype {
		case "F32":
			for i := range t.Data {
				t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
			}
		case "F64":
			for i := range t.Data {
				t.Data[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
			}
		}
		st.Tensors[e.name] = t
		st.Dtypes[e.name] = *e.Dtype
	}
	return st, nil
}

// parseSafetensorsHeader decodes the JSON header into its tensor entries
// and metadata, checking the syntax and each entry's fields and dtype.
func parseSafetensorsHeader(header []byte) ([]*safetensorsEntry, map[string]string, error) {
	if !utf8.Valid(header) {
		return nil, nil, errors.New("safetensors: header is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, fmt.Errorf("safetensors: header is not a JSON object (%s)", jsonProblem(tok, err))
	}
	var (
		entries  []*safetensorsEntry
		metadata map[string]string
		seen     = map[string]bool{}
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("safetensors: header JSON: %v", err)
		}
		name, ok := tok.(string)
		if !ok { // the decoder returns only string keys here
			return nil, nil, fmt.Errorf("safetensors: header JSON: key %v is not a string", tok)
		}
		if seen[name] {
			return nil, nil, fmt.Errorf("safetensors: header names %q twice", name)
		}
		seen[name] = true
		if name == safetensorsMetadataKey {
			if err := dec.Decode(&metadata); err != nil {
				return nil, nil, fmt.Errorf("safetensors: __metadata__ is not an object of strings: %v", err)
			}
			continue
		}
		e := &safetensorsEntry{name: name}
		if err := dec.Decode(e); err != nil {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: bad header entry: %v", name, err)
		}
		if err := e.check(); err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, nil, fmt.Errorf("safetensors: header JSON object does not end properly (%s)", jsonProblem(tok, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, errors.New("safetensors: header has data after its JSON object")
	}
	return entries, metadata, nil
}

// jsonProblem describes what a JSON decoder found instead of what it wanted.
func jsonProblem(tok json.Token, err error) string {
	switch {
	case err == io.EOF:
		return "unexpected end"
	case err != nil:
		return err.Error()
	default:
		return fmt.Sprintf("found %v", tok)
	}
}

// check validates the fields of one header entry and sets begin and end.
func (e *safetensorsEntry) check() error {
	switch {
	case e.Dtype == nil:
		return fmt.Errorf("safetensors: tensor %q has no dtype", e.name)
	case e.Shape == nil:
		return fmt.Errorf("safetensors: tensor %q has no shape", e.name)
	case e.DataOffsets == nil:
		return fmt.Errorf("safetensors: tensor %q has no data_offsets", e.name)
	case len(*e.DataOffsets) != 2:
		return fmt.Errorf("safetensors: tensor %q: data_offsets has %d values, want 2", e.name, len(*e.DataOffsets))
	}
	size, known := safetensorsDtypeSize[*e.Dtype]
	if !known {
		return fmt.Errorf("safetensors: tensor %q: unknown dtype %q", e.name, *e.Dtype)
	}
	if *e.Dtype != "F32" && *e.Dtype != "F64" {
		return fmt.Errorf("safetensors: tensor %q: dtype %s is not supported (only F32 and F64 are)", e.name, *e.Dtype)
	}
	e.begin, e.end = (*e.DataOffsets)[0], (*e.DataOffsets)[1]
	if e.end < e.begin {
		return fmt.Errorf("safetensors: tensor %q: data_offsets [%d,%d] end before they begin", e.name, e.begin, e.end)
	}
	for _, d := range *e.Shape {
		hi, lo := bits.Mul64(size, d)
		if hi != 0 || d > math.MaxInt {
			return fmt.Errorf("safetensors: tensor %q: shape %v is too large", e.name, *e.Shape)
		}
		size = lo
	}
	if size != e.end-e.begin {
		return fmt.Errorf("safetensors: tensor %q: shape %v of %s needs %d bytes, data_offsets [%d,%d] hold %d",
			e.name, *e.Shape, *e.Dtype, size, e.begin, e.end, e.end-e.begin)
	}
	return nil
}

// checkSafetensorsLayout checks that the entries' byte ranges tile the data
// section of dataLen bytes exactly: in offset order, each begins where the
// previous ended, and the last ends at dataLen. It sorts entries by offset.
func checkSafetensorsLayout(entries []*safetensorsEntry, dataLen uint64) error {
	slices.SortFunc(entries, func(a, b *safetensorsEntry) int {
		if c := cmp.Compare(a.begin, b.begin); c != 0 {
			return c
		}
		if c := cmp.Compare(a.end, b.end); c != 0 {
			return c
		}
		return cmp.Compare(a.name, b.name)
	})
	var pos uint64
	prev := ""
	for _, e := range entries {
		if e.end > dataLen {
			return fmt.Errorf("safetensors: tensor %q: data_offsets [%d,%d] run beyond the %d-byte data section (truncated file?)",
				e.name, e.begin, e.end, dataLen)
		}
		if e.begin < pos {
			return fmt.Errorf("safetensors: tensor %q: data_offsets [%d,%d] overlap tensor %q, which ends at %d",
				e.name, e.begin, e.end, prev, pos)
		}
		if e.begin > pos {
			return fmt.Errorf("safetensors: tensor %q: data_offsets [%d,%d] leave a gap of %d bytes after offset %d",
				e.name, e.begin, e.end, e.begin-pos, pos)
		}
		pos, prev = e.end, e.name
	}
	if pos != dataLen {
		return fmt.Errorf("safetensors: the tensors cover %d bytes of the %d-byte data section", pos, dataLen)
	}
	return nil
}
