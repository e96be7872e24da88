package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// IDX is the content of an IDX file (the format of MNIST and Fashion-MNIST)
// of unsigned bytes: its dimensions and its values in row-major order.
//
// The format: a 4-byte magic number 0x00 0x00 T D, where T is the data type
// (0x08 for unsigned byte, the only one supported here) and D the number of
// dimensions; then D big-endian uint32 sizes; then the values.
type IDX struct {
	Dims []int
	Data []uint8
}

// idxUbyte is the IDX type code of unsigned bytes.
const idxUbyte = 0x08

// maxIDXValues bounds the number of values a header may declare (16 GiB of
// bytes); the values are read as they come, so a short file with a large
// header costs no more memory than the file.
const maxIDXValues = 1 << 34

// ReadIDX reads the IDX file at path, raw or gzip-compressed (recognised by
// its first two bytes, whatever the file's name). Errors name the file.
func ReadIDX(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	x, err := DecodeIDX(f)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	return x, nil
}

// DecodeIDX reads one IDX file, raw or gzip-compressed, from r. It reports a
// wrong magic number, an unsupported data type, a truncated header or data,
// and data beyond what the header declares.
func DecodeIDX(r io.Reader) (*IDX, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(2); err == nil && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("idx: bad gzip header: %w", err)
		}
		defer zr.Close()
		return decodeIDX(zr, true)
	}
	return decodeIDX(br, false)
}

func decodeIDX(r io.Reader, gz bool) (*IDX, error) {
	var magic [4]byte
	if n, err := io.ReadFull(r, magic[:]); err != nil {
		if isEOF(err) {
			return nil, fmt.Errorf("idx: truncated header: %d of the 4 bytes of the magic number", n)
		}
		return nil, fmt.Errorf("idx: reading the magic number: %w", err)
	}
	m := binary.BigEndian.Uint32(magic[:])
	if magic[0] != 0 || magic[1] != 0 {
		return nil, fmt.Errorf("idx: wrong magic number 0x%08x: an IDX file starts with two zero bytes (0x0000TTDD)", m)
	}
	if magic[2] != idxUbyte {
		return nil, fmt.Errorf("idx: magic number 0x%08x has data type 0x%02x; only unsigned bytes (0x08) are supported", m, magic[2])
	}
	nd := int(magic[3])
	if nd == 0 {
		return nil, fmt.Errorf("idx: magic number 0x%08x declares no dimensions", m)
	}
	hdr := make([]byte, 4*nd)
	if n, err := io.ReadFull(r, hdr); err != nil {
		if isEOF(err) {
			return nil, fmt.Errorf("idx: truncated header: magic number 0x%08x declares %d dimensions (%d bytes), the file ends after %d", m, nd, 4*nd, n)
		}
		return nil, fmt.Errorf("idx: reading the dimensions: %w", err)
	}
	x := &IDX{Dims: make([]int, nd)}
	total := int64(1)
	for i := range x.Dims {
		d := int64(binary.BigEndian.Uint32(hdr[4*i:]))
		if d > math.MaxInt {
			return nil, fmt.Errorf("idx: dimension %d does not fit an int", d)
		}
		x.Dims[i] = int(d)
		if d != 0 && total > maxIDXValues/d {
			return nil, fmt.Errorf("idx: dimensions %v declare more than %d values", x.Dims[:i+1], int64(maxIDXValues))
		}
		total *= d
	}
	// Read at most one byte more than declared, growing the buffer as data
	// arrives rather than trusting the header's size.
	data, err := io.ReadAll(io.LimitReader(r, total+1))
	if err != nil && !(gz && isEOF(err)) {
		return nil, fmt.Errorf("idx: reading the data: %w", err)
	}
	switch {
	case int64(len(data)) < total:
		what := "file"
		if gz {
			what = "decompressed stream"
		}
		return nil, fmt.Errorf("idx: truncated data: dimensions %v declare %d bytes, the %s holds %d", x.Dims, total, what, len(data))
	case int64(len(data)) > total:
		return nil, fmt.Errorf("idx: trailing data: dimensions %v declare %d bytes, the file holds more", x.Dims, total)
	case err != nil:
		// All declared bytes arrived but the gzip stream is cut short
		// (its trailer is missing).
		return nil, fmt.Errorf("idx: truncated gzip stream after the data: %w", err)
	}
	x.Data = data
	return x, nil
}

func isEOF(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// WriteIDX writes an IDX file of unsigned bytes with dimensions dims and
// values data (row-major; len(data) must be the product of dims).
func WriteIDX(w io.Writer, dims []int, data []uint8) error {
	if len(dims) == 0 || len(dims) > 255 {
		return fmt.Errorf("idx: %d dimensions (want 1 to 255)", len(dims))
	}
	total := 1
	for _, d := range dims {
		if d < 0 || int64(d) > 0xffffffff {
			return fmt.Errorf("idx: dimension %d out of range", d)
		}
		total *= d
	}
	if total != len(data) {
		return fmt.Errorf("idx: %d values for dimensions %v (want %d)", len(data), dims, total)
	}
	hdr := make([]byte, 4+4*len(dims))
	hdr[2], hdr[3] = idxUbyte, byte(len(dims))
	for i, d := range dims {
		binary.BigEndian.PutUint32(hdr[4+4*i:], uint32(d))
	}
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}

// ReadIDXImages reads an IDX file of images, dimensions (N, rows, cols), as
// a one-channel Dataset with values v/255 in [0,1].
func ReadIDXImages(path string) (*Dataset, error) {
	x, err := ReadIDX(path)
	if err != nil {
		return nil, err
	}
	if len(x.Dims) != 3 {
		return nil, fmt.Errorf("data: %s: images need 3 dimensions (count, rows, columns), the file has %d: %v", path, len(x.Dims), x.Dims)
	}
	d := NewDataset(x.Dims[0], 1, x.Dims[1], x.Dims[2])
	for i, v := range x.Data {
		d.X[i] = float32(v) / 255
	}
	return d, nil
}

// ReadIDXLabels reads an IDX file of labels, one dimension (N).
func ReadIDXLabels(path string) ([]int, error) {
	x, err := ReadIDX(path)
	if err != nil {
		return nil, err
	}
	if len(x.Dims) != 1 {
		return nil, fmt.Errorf("data: %s: labels need 1 dimension (count), the file has %d: %v", path, len(x.Dims), x.Dims)
	}
	l := make([]int, len(x.Data))
	for i, v := range x.Data {
		l[i] = int(v)
	}
	return l, nil
}
