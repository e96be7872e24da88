package data

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// idxBytes returns an IDX file of dims with values 0, 1, 2, ... (mod 256).
func idxBytes(t testing.TB, dims ...int) []byte {
	t.Helper()
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]uint8, n)
	for i := range data {
		data[i] = uint8(i * 7)
	}
	var b bytes.Buffer
	if err := WriteIDX(&b, dims, data); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return z.Bytes()
}

func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIDXRoundTrip(t *testing.T) {
	raw := idxBytes(t, 3, 4, 5)
	if !bytes.Equal(raw[:4], []byte{0, 0, 8, 3}) || len(raw) != 4+12+60 {
		t.Fatalf("header %x, length %d", raw[:16], len(raw))
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		b    []byte
	}{{"images-raw", raw}, {"images.gz", gzipBytes(t, raw)}, {"gzip-without-suffix", gzipBytes(t, raw)}} {
		p := writeFile(t, dir, c.name, c.b)
		x, err := ReadIDX(p)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(x.Dims, []int{3, 4, 5}) || !bytes.Equal(x.Data, raw[16:]) {
			t.Fatalf("%s: dims %v, data differs", c.name, x.Dims)
		}
		d, err := ReadIDXImages(p)
		if err != nil {
			t.Fatal(err)
		}
		if d.Shape() != [4]int{3, 1, 4, 5} {
			t.Fatalf("%s: shape %v", c.name, d.Shape())
		}
		for i, v := range d.X {
			if v != float32(raw[16+i])/255 {
				t.Fatalf("%s: value %d = %v, want %v/255", c.name, i, v, raw[16+i])
			}
		}
	}

	lp := writeFile(t, dir, "labels.gz", gzipBytes(t, idxBytes(t, 6)))
	l, err := ReadIDXLabels(lp)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(l, []int{0, 7, 14, 21, 28, 35}) {
		t.Fatalf("labels %v", l)
	}
	if _, err := ReadIDXLabels(writeFile(t, dir, "not-labels", raw)); err == nil || !strings.Contains(err.Error(), "labels need 1 dimension") {
		t.Fatalf("labels from a 3-D file: %v", err)
	}
	if _, err := ReadIDXImages(lp); err == nil || !strings.Contains(err.Error(), "images need 3 dimensions") {
		t.Fatalf("images from a 1-D file: %v", err)
	}
}

func TestIDXErrors(t *testing.T) {
	good := idxBytes(t, 2, 3, 3)
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "truncated header: 0 of the 4 bytes"},
		{"short magic", []byte{0, 0, 8}, "truncated header: 3 of the 4 bytes"},
		{"wrong magic", append([]byte{0x89, 'P', 'N', 'G'}, good[4:]...), "wrong magic number 0x89504e47"},
		{"labels magic shifted", append([]byte{0, 1, 8, 1}, good[4:]...), "wrong magic number 0x00010801"},
		{"float type", append([]byte{0, 0, 0x0d, 3}, good[4:]...), "data type 0x0d; only unsigned bytes"},
		{"no dimensions", []byte{0, 0, 8, 0}, "declares no dimensions"},
		{"truncated dims", good[:10], "truncated header: magic number 0x00000803 declares 3 dimensions (12 bytes), the file ends after 6"},
		{"truncated data", good[:len(good)-5], "truncated data: dimensions [2 3 3] declare 18 bytes, the file holds 13"},
		{"trailing data", append(slices.Clone(good), 1, 2), "trailing data: dimensions [2 3 3] declare 18 bytes"},
		{"huge header", []byte{0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "declare more than"},
		{"gzip truncated data", gzipBytes(t, good[:len(good)-5]), "truncated data: dimensions [2 3 3] declare 18 bytes, the decompressed stream holds 13"},
		{"gzip header cut", gzipBytes(t, good)[:5], "bad gzip header"},
		{"gzip stream cut", func() []byte { z := gzipBytes(t, good); return z[:len(z)-4] }(), "truncated"},
		{"gzip of garbage", gzipBytes(t, []byte("hello world")), "wrong magic number 0x68656c6c"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeIDX(bytes.NewReader(c.b))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("DecodeIDX: want an error containing %q, got %v", c.want, err)
			}
			// ReadIDX adds the file's path.
			p := writeFile(t, dir, strings.ReplaceAll(c.name, " ", "_"), c.b)
			_, err = ReadIDX(p)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("ReadIDX: want an error naming %s and containing %q, got %v", p, c.want, err)
			}
		})
	}
	_, err := ReadIDX(filepath.Join(dir, "nope"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestWriteIDXErrors(t *testing.T) {
	var b bytes.Buffer
	if err := WriteIDX(&b, nil, nil); err == nil || !strings.Contains(err.Error(), "0 dimensions") {
		t.Fatalf("got %v", err)
	}
	if err := WriteIDX(&b, []int{2, 2}, make([]uint8, 3)); err == nil || !strings.Contains(err.Error(), "3 values for dimensions [2 2]") {
		t.Fatalf("got %v", err)
	}
	if err := WriteIDX(&b, []int{-1}, nil); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("got %v", err)
	}
}

// writeMNIST writes a small MNIST-format set into dir: nTrain and nTest
// images of 4×3, with the given file names.
func writeMNIST(t *testing.T, dir string, names [4]string, nTrain, nTrainLabels, nTest int) {
	t.Helper()
	enc := func(name string, b []byte) []byte {
		if strings.HasSuffix(name, ".gz") {
			return gzipBytes(t, b)
		}
		return b
	}
	writeFile(t, dir, names[0], enc(names[0], idxBytes(t, nTrain, 4, 3)))
	writeFile(t, dir, names[1], enc(names[1], idxBytes(t, nTrainLabels)))
	writeFile(t, dir, names[2], enc(names[2], idxBytes(t, nTest, 4, 3)))
	writeFile(t, dir, names[3], enc(names[3], idxBytes(t, nTest)))
}

func TestLoadMNIST(t *testing.T) {
	for _, names := range [][4]string{
		{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"},
		{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"},
		{"train-images.idx3-ubyte", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte", "t10k-labels.idx1-ubyte.gz"},
	} {
		dir := t.TempDir()
		writeMNIST(t, dir, names, 5, 5, 2)
		train, test, err := LoadMNIST(dir)
		if err != nil {
			t.Fatalf("%v: %v", names, err)
		}
		if train.Shape() != [4]int{5, 1, 4, 3} || test.Shape() != [4]int{2, 1, 4, 3} {
			t.Fatalf("%v: shapes %v %v", names, train.Shape(), test.Shape())
		}
		if !slices.Equal(train.Labels, []int{0, 7, 14, 21, 28}) || len(test.Labels) != 2 {
			t.Fatalf("%v: labels %v %v", names, train.Labels, test.Labels)
		}
		if err := train.Validate(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadMNISTErrors(t *testing.T) {
	std := [4]string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}

	// Count mismatch between images and labels.
	dir := t.TempDir()
	writeMNIST(t, dir, std, 5, 4, 2)
	_, _, err := LoadMNIST(dir)
	if err == nil || !strings.Contains(err.Error(), "holds 5 images but") || !strings.Contains(err.Error(), "holds 4 labels") ||
		!strings.Contains(err.Error(), filepath.Join(dir, "train-labels-idx1-ubyte")) {
		t.Fatalf("count mismatch: %v", err)
	}

	// Missing files: the error names the missing and the expected ones.
	dir = t.TempDir()
	writeMNIST(t, dir, std, 5, 5, 2)
	os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte"))
	_, _, err = LoadMNIST(dir)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v does not wrap fs.ErrNotExist", err)
	}
	for _, want := range []string{"missing in " + dir + ": t10k-labels-idx1-ubyte (expected", "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte", ".gz"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("missing file: %q lacks %q", err, want)
		}
	}
	_, _, err = LoadMNIST(filepath.Join(dir, "no-such-dir"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (expected") {
		t.Fatalf("empty dir: %v", err)
	}

	// A corrupt file: the error names it.
	dir = t.TempDir()
	writeMNIST(t, dir, std, 5, 5, 2)
	p := filepath.Join(dir, "t10k-images-idx3-ubyte")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:len(b)-1], 0o644)
	if _, _, err = LoadMNIST(dir); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "truncated data") {
		t.Fatalf("truncated test images: %v", err)
	}
}

func TestLoadFashionMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 70000 images; skipped in -short mode")
	}
	if _, err := os.Stat(FashionMNISTDir); err != nil {
		t.Skipf("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist): %v", err)
	}
	train, test, err := LoadMNIST(FashionMNISTDir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Shape() != [4]int{60000, 1, 28, 28} || test.Shape() != [4]int{10000, 1, 28, 28} {
		t.Fatalf("shapes %v %v", train.Shape(), test.Shape())
	}
	for _, d := range []*Dataset{train, test} {
		counts := make([]int, 10)
		for _, l := range d.Labels {
			if l < 0 || l > 9 {
				t.Fatalf("label %d", l)
			}
			counts[l]++
		}
		for c, k := range counts {
			if k != d.N/10 {
				t.Fatalf("class %d has %d samples, want %d", c, k, d.N/10)
			}
		}
		lo, hi := d.X[0], d.X[0]
		for _, v := range d.X {
			lo, hi = min(lo, v), max(hi, v)
		}
		if lo != 0 || hi != 1 {
			t.Fatalf("values in [%v, %v], want [0, 1]", lo, hi)
		}
	}
}

func FuzzReadIDX(f *testing.F) {
	f.Add(idxBytes(f, 2, 3, 3))
	f.Add(idxBytes(f, 4))
	f.Add(gzipBytes(f, idxBytes(f, 2, 2)))
	f.Add(idxBytes(f, 2, 3, 3)[:10])
	f.Add([]byte{0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := DecodeIDX(bytes.NewReader(b))
		if err != nil {
			if x != nil {
				t.Fatal("result and error")
			}
			return
		}
		n := 1
		for _, d := range x.Dims {
			n *= d
		}
		if len(x.Dims) == 0 || n != len(x.Data) {
			t.Fatalf("dims %v, %d values", x.Dims, len(x.Data))
		}
		var w bytes.Buffer
		if err := WriteIDX(&w, x.Dims, x.Data); err != nil {
			t.Fatal(err)
		}
		if len(b) >= 2 && (b[0] != 0x1f || b[1] != 0x8b) && !bytes.Equal(w.Bytes(), b) {
			t.Fatal("raw file does not round-trip")
		}
	})
}
