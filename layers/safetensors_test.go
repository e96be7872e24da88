package layers

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// stFile assembles a safetensors file from a header text and a data section.
func stFile(header string, data []byte) []byte {
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(out, header...)
	return append(out, data...)
}

// f32Bytes returns the little-endian bytes of vs.
func f32Bytes(vs ...float32) []byte {
	var out []byte
	for _, v := range vs {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
	}
	return out
}

// ramp returns (i - n/2)/4 for i < n in the given shape, as
// testdata/gen_safetensors.py makes its reference tensors.
func ramp(shape ...int) *Tensor {
	t := NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = float32(i-t.Len()/2) / 4
	}
	return t
}

func writeST(t *testing.T, tensors map[string]*Tensor, metadata map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteSafetensors(&b, tensors, metadata); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sameTensors reports whether a and b hold the same names, shapes and
// value bits.
func sameTensors(a, b map[string]*Tensor) bool {
	if len(a) != len(b) {
		return false
	}
	for name, x := range a {
		y, ok := b[name]
		if !ok || !x.SameShape(y) || len(x.Data) != len(y.Data) {
			return false
		}
		for i := range x.Data {
			if math.Float32bits(x.Data[i]) != math.Float32bits(y.Data[i]) {
				return false
			}
		}
	}
	return true
}

// TestSafetensorsReferenceBytes checks WriteSafetensors against files
// produced by the reference implementation (the byte vectors of its own
// serialization tests), and that ReadSafetensors reads them back.
func TestSafetensorsReferenceBytes(t *testing.T) {
	data := f32Bytes(0, 1, 2, 3, 4, 5)
	cases := []struct {
		name     string
		tensors  map[string]*Tensor
		metadata map[string]string
		want     []byte
	}{
		{"one tensor, header already a multiple of 8",
			map[string]*Tensor{"attn.0": FromSlice([]float32{0, 1, 2, 3, 4, 5}, 1, 2, 3)}, nil,
			stFile(`{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`, data)},
		{"one tensor, header padded",
			map[string]*Tensor{"attn0": FromSlice([]float32{0, 1, 2, 3, 4, 5}, 1, 1, 2, 3)}, nil,
			stFile(`{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       `, data)},
		{"empty", nil, nil, stFile(`{}      `, nil)},
		{"empty with metadata", nil, map[string]string{"framework": "pt"},
			stFile(`{"__metadata__":{"framework":"pt"}}     `, nil)},
	}
	for _, c := range cases {
		got := writeST(t, c.tensors, c.metadata)
		if !bytes.Equal(got, c.want) {
			t.Errorf("%s: WriteSafetensors wrote\n%q\nwant\n%q", c.name, got, c.want)
			continue
		}
		st, err := ReadSafetensors(got)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if c.tensors == nil {
			c.tensors = map[string]*Tensor{}
		}
		if !sameTensors(st.Tensors, c.tensors) || !reflect.DeepEqual(st.Metadata, c.metadata) {
			t.Errorf("%s: read back %v %v, want %v %v", c.name, st.Tensors, st.Metadata, c.tensors, c.metadata)
		}
	}
}

// pythonReference returns the tensors and metadata that
// testdata/gen_safetensors.py writes to testdata/reference.safetensors.
func pythonReference() (map[string]*Tensor, map[string]string) {
	exp := ramp(2, 3)
	for i := range exp.Data {
		exp.Data[i] = -exp.Data[i]
	}
	return map[string]*Tensor{
			"0.weight":                   ramp(2, 3),
			"0.bias":                     ramp(2),
			"1.weight":                   ramp(1, 2, 2, 2),
			"1.bias":                     ramp(1),
			"optimizer.0.weight.exp_avg": exp,
			"optimizer.step":             FromSlice([]float32{3}),
			"optimizer.empty":            NewTensor(0, 3),
		}, map[string]string{
			"config": `{"model": "rrae", "latent": 8, "note": "λ=0.5\t"}`,
		}
}

// TestSafetensorsPythonReference compares WriteSafetensors byte for byte
// with the file made by testdata/gen_safetensors.py from PyTorch tensors,
// and ReadSafetensors with its values.
func TestSafetensorsPythonReference(t *testing.T) {
	want, err := os.ReadFile("testdata/reference.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	tensors, metadata := pythonReference()
	if got := writeST(t, tensors, metadata); !bytes.Equal(got, want) {
		t.Errorf("WriteSafetensors differs from testdata/reference.safetensors:\n%q\nwant\n%q", got, want)
	}
	st, err := ReadSafetensors(want)
	if err != nil {
		t.Fatal(err)
	}
	if !sameTensors(st.Tensors, tensors) {
		t.Errorf("read %v, want %v", st.Tensors, tensors)
	}
	if !reflect.DeepEqual(st.Metadata, metadata) {
		t.Errorf("read metadata %q, want %q", st.Metadata, metadata)
	}
	for name, dt := range st.Dtypes {
		if dt != "F32" {
			t.Errorf("tensor %q: dtype %s, want F32", name, dt)
		}
	}
}

// TestSafetensorsPythonReads has Python (safetensors.torch.load_file when
// installed, else PyTorch on the spec) read a file WriteSafetensors wrote.
func TestSafetensorsPythonReads(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Python")
	}
	tensors, metadata := pythonReference()
	path := filepath.Join(t.TempDir(), "go.safetensors")
	if err := os.WriteFile(path, writeST(t, tensors, metadata), 0o644); err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, python := range []string{"python3", "/usr/bin/python3"} {
		var stderr bytes.Buffer
		cmd := exec.Command(python, "testdata/gen_safetensors.py", "check", path)
		cmd.Stderr = &stderr
		var err error
		if out, err = cmd.Output(); err == nil {
			break
		}
		out = nil
		if !errors.Is(err, exec.ErrNotFound) && !strings.Contains(stderr.String(), "No module named 'torch'") {
			t.Fatalf("%s gen_safetensors.py check: %v\n%s", python, err, stderr.Bytes())
		}
	}
	if out == nil {
		t.Skip("no python3 with torch")
	}
	var got map[string][2][]float64 // name → [shape, values]
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if len(got) != len(tensors) {
		t.Errorf("Python read %d tensors, want %d", len(got), len(tensors))
	}
	for name, want := range tensors {
		g, ok := got[name]
		if !ok {
			t.Errorf("Python did not read tensor %q", name)
			continue
		}
		shape := make([]int, len(g[0]))
		for i, d := range g[0] {
			shape[i] = int(d)
		}
		if !reflect.DeepEqual(shape, want.Shape) && !(len(shape) == 0 && len(want.Shape) == 0) {
			t.Errorf("tensor %q: Python read shape %v, want %v", name, shape, want.Shape)
		}
		for i, v := range g[1] {
			if float32(v) != want.Data[i] {
				t.Errorf("tensor %q[%d]: Python read %v, want %v", name, i, v, want.Data[i])
			}
		}
	}
}

func TestSafetensorsRoundTrip(t *testing.T) {
	tensors := map[string]*Tensor{
		"encoder.0.weight": ramp(4, 3, 2, 2),
		"encoder.0.bias":   ramp(4),
		"scalar":           FromSlice([]float32{-7.5}),
		"empty":            NewTensor(3, 0),
		"specials": FromSlice([]float32{float32(math.Inf(1)), float32(math.Inf(-1)),
			math.Float32frombits(0x7fc01234), float32(math.Copysign(0, -1)), math.SmallestNonzeroFloat32}, 5),
		"big":              ramp(1500), // more than one write buffer
		"":                 ramp(1),
		"ünï \"quoted\"\n": ramp(2),
	}
	for _, md := range []map[string]string{nil, {}, {"a": "1", "b": "line\nbreak \\ \x01", "": "empty key"}} {
		file := writeST(t, tensors, md)
		if n := binary.LittleEndian.Uint64(file); n%8 != 0 {
			t.Errorf("header of %d bytes, not a multiple of 8", n)
		}
		st, err := ReadSafetensors(file)
		if err != nil {
			t.Fatal(err)
		}
		if !sameTensors(st.Tensors, tensors) {
			t.Errorf("metadata %q: tensors differ after a round trip", md)
		}
		if !reflect.DeepEqual(st.Metadata, md) {
			t.Errorf("read metadata %q, want %q", st.Metadata, md)
		}
		if again := writeST(t, st.Tensors, st.Metadata); !bytes.Equal(again, file) {
			t.Errorf("metadata %q: rewriting what was read changes the bytes", md)
		}
	}
}

func TestSafetensorsReadF64(t *testing.T) {
	var data []byte
	for _, v := range []float64{1.5, -2, 1e300, 0.1} {
		data = binary.LittleEndian.AppendUint64(data, math.Float64bits(v))
	}
	file := stFile(`{"x":{"dtype":"F64","shape":[2,2],"data_offsets":[0,32]}}`, data)
	st, err := ReadSafetensors(file)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1.5, -2, float32(math.Inf(1)), 0.1}
	if x := st.Tensors["x"]; !reflect.DeepEqual(x.Shape, []int{2, 2}) || !reflect.DeepEqual(x.Data, want) {
		t.Errorf("read %v %v, want [2 2] %v", x.Shape, x.Data, want)
	}
	if st.Dtypes["x"] != "F64" {
		t.Errorf("dtype %q, want F64", st.Dtypes["x"])
	}
}

// TestSafetensorsReadErrors checks that every malformed file is rejected
// with a message naming its problem.
func TestSafetensorsReadErrors(t *testing.T) {
	valid := writeST(t, map[string]*Tensor{"a": ramp(2), "b": ramp(3)}, nil)
	entry := func(name, dtype, shape string, begin, end int) string {
		return `"` + name + `":{"dtype":"` + dtype + `","shape":` + shape +
			`,"data_offsets":[` + strconv.Itoa(begin) + `,` + strconv.Itoa(end) + `]}`
	}
	d8, d12 := make([]byte, 8), make([]byte, 12)
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty file", nil, "too short for the 8-byte header size"},
		{"truncated header size", []byte{8, 0, 0}, "file of 3 bytes is too short"},
		{"absurd header size", binary.LittleEndian.AppendUint64(nil, 1<<62), "exceeds the limit"},
		{"header size beyond file", binary.LittleEndian.AppendUint64(nil, 100), "runs beyond the end of the file"},
		{"truncated header", valid[:20], "runs beyond the end of the file"},
		{"invalid UTF-8", stFile("{\"\xff\":1}", nil), "not valid UTF-8"},
		{"empty header", stFile("", nil), "not a JSON object"},
		{"not an object", stFile(`[1,2]`, nil), "not a JSON object"},
		{"bad JSON", stFile(`{"a":{"dtype":"F32",}}`, nil), `tensor "a": bad header entry`},
		{"unterminated JSON", stFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`, d8), "does not end properly"},
		{"trailing JSON", stFile(`{} {}`, nil), "data after its JSON object"},
		{"duplicate name", stFile(`{`+entry("a", "F32", "[1]", 0, 4)+`,`+entry("a", "F32", "[1]", 4, 8)+`}`, d8), `names "a" twice`},
		{"metadata not strings", stFile(`{"__metadata__":{"epoch":3}}`, nil), "__metadata__ is not an object of strings"},
		{"entry not an object", stFile(`{"a":5}`, nil), `tensor "a": bad header entry`},
		{"no dtype", stFile(`{"a":{"shape":[2],"data_offsets":[0,8]}}`, d8), `tensor "a" has no dtype`},
		{"no shape", stFile(`{"a":{"dtype":"F32","data_offsets":[0,8]}}`, d8), `tensor "a" has no shape`},
		{"no offsets", stFile(`{"a":{"dtype":"F32","shape":[2]}}`, d8), `tensor "a" has no data_offsets`},
		{"three offsets", stFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}}`, d8), "data_offsets has 3 values, want 2"},
		{"negative dimension", stFile(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, d8), `tensor "a": bad header entry`},
		{"fractional offset", stFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8.5]}}`, d8), `tensor "a": bad header entry`},
		{"unknown dtype", stFile(`{`+entry("a", "F31", "[2]", 0, 8)+`}`, d8), `tensor "a": unknown dtype "F31"`},
		{"unsupported dtype", stFile(`{`+entry("step", "I64", "[]", 0, 8)+`}`, d8), `tensor "step": dtype I64 is not supported`},
		{"reversed offsets", stFile(`{`+entry("a", "F32", "[0]", 8, 0)+`}`, d8), "[8,0] end before they begin"},
		{"size mismatch", stFile(`{`+entry("a", "F32", "[3]", 0, 8)+`}`, d8), `tensor "a": shape [3] of F32 needs 12 bytes, data_offsets [0,8] hold 8`},
		{"shape overflow", stFile(`{`+entry("a", "F32", "[4294967296,4294967296]", 0, 8)+`}`, d8), "is too large"},
		{"dimension too large", stFile(`{`+entry("a", "F32", "[0,9223372036854775808]", 0, 0)+`}`, nil), "is too large"},
		{"offsets out of bounds", stFile(`{`+entry("a", "F32", "[3]", 0, 12)+`}`, d8), "run beyond the 8-byte data section"},
		{"truncated data", valid[:len(valid)-3], `tensor "b": data_offsets [8,20] run beyond the 17-byte data section (truncated file?)`},
		{"overlap", stFile(`{`+entry("a", "F32", "[2]", 0, 8)+`,`+entry("b", "F32", "[1]", 4, 8)+`}`, d8), `tensor "b": data_offsets [4,8] overlap tensor "a", which ends at 8`},
		{"gap", stFile(`{`+entry("a", "F32", "[1]", 0, 4)+`,`+entry("b", "F32", "[1]", 8, 12)+`}`, d12), "leave a gap of 4 bytes after offset 4"},
		{"gap at start", stFile(`{`+entry("a", "F32", "[1]", 4, 8)+`}`, d8), "leave a gap of 4 bytes after offset 0"},
		{"trailing data", append(bytes.Clone(valid), 0, 0, 0, 0), "the tensors cover 20 bytes of the 24-byte data section"},
	}
	for _, c := range cases {
		st, err := ReadSafetensors(c.file)
		if err == nil {
			t.Errorf("%s: read %v, want an error", c.name, st.Tensors)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "safetensors: ") {
			t.Errorf("%s: error %q, want it to contain %q", c.name, err, c.want)
		}
	}
}

type failingWriter struct{ left int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		n := w.left
		w.left = 0
		return n, errors.New("disk full")
	}
	w.left -= len(p)
	return len(p), nil
}

func TestSafetensorsWriteErrors(t *testing.T) {
	cases := []struct {
		name     string
		tensors  map[string]*Tensor
		metadata map[string]string
		want     string
	}{
		{"reserved name", map[string]*Tensor{"__metadata__": ramp(1)}, nil, `"__metadata__" cannot name a tensor`},
		{"invalid UTF-8 name", map[string]*Tensor{"w\xff": ramp(1)}, nil, "not valid UTF-8"},
		{"invalid UTF-8 metadata", nil, map[string]string{"k": "\xfe"}, `metadata "k": key or value is not valid UTF-8`},
		{"nil tensor", map[string]*Tensor{"w": nil}, nil, `tensor "w" is nil`},
		{"short data", map[string]*Tensor{"w": {Shape: []int{2, 3}, Data: make([]float32, 5)}}, nil, `tensor "w": shape [2 3] needs 6 values, Data holds 5`},
		{"negative dimension", map[string]*Tensor{"w": {Shape: []int{-1}}}, nil, "negative dimension"},
	}
	for _, c := range cases {
		var b bytes.Buffer
		err := WriteSafetensors(&b, c.tensors, c.metadata)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
		if b.Len() != 0 {
			t.Errorf("%s: %d bytes written before the error", c.name, b.Len())
		}
	}
	// A writer's error is returned, wherever it happens.
	tensors := map[string]*Tensor{"big": ramp(5000)}
	for _, left := range []int{0, 4, 100, 9000} {
		if err := WriteSafetensors(&failingWriter{left: left}, tensors, nil); err == nil || err.Error() != "disk full" {
			t.Errorf("writer failing after %d bytes: error %v, want disk full", left, err)
		}
	}
}

// FuzzReadSafetensors checks that no input makes ReadSafetensors panic or
// allocate more than the input warrants, and that whatever it accepts
// survives a write and a second read unchanged.
func FuzzReadSafetensors(f *testing.F) {
	tensors, metadata := pythonReference()
	var b bytes.Buffer
	WriteSafetensors(&b, tensors, metadata)
	f.Add(b.Bytes())
	b.Reset()
	WriteSafetensors(&b, map[string]*Tensor{"a": ramp(2), "b": ramp(1, 3)}, nil)
	f.Add(b.Bytes())
	f.Add(stFile(`{"x":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}`, make([]byte, 16)))
	f.Add(stFile(`{"__metadata__":{"k":"v"}}`, nil))
	f.Add(stFile(`{"a":{"dtype":"F32","shape":[0,9223372036854775807],"data_offsets":[0,0]}}`, nil))
	f.Fuzz(func(t *testing.T, file []byte) {
		st, err := ReadSafetensors(file)
		if err != nil {
			if st != nil {
				t.Fatal("result and error both returned")
			}
			return
		}
		values := 0
		for _, x := range st.Tensors {
			values += x.Len()
		}
		if 4*values > len(file) {
			t.Fatalf("%d values decoded from a %d-byte file", values, len(file))
		}
		var out bytes.Buffer
		if err := WriteSafetensors(&out, st.Tensors, st.Metadata); err != nil {
			t.Fatalf("cannot write what was read: %v", err)
		}
		again, err := ReadSafetensors(out.Bytes())
		if err != nil {
			t.Fatalf("cannot read what was written: %v", err)
		}
		if !sameTensors(again.Tensors, st.Tensors) || !reflect.DeepEqual(again.Metadata, st.Metadata) {
			t.Fatal("tensors or metadata changed in a write and read")
		}
	})
}
