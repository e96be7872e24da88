package layers

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// testModel returns the parameters of a small two-layer model filled with
// values that depend on seed, and Adam-like state for them.
func testModel(seed float32) ([]*Param, []*Param) {
	params := []*Param{
		NewParam("0.weight", 3, 4), NewParam("0.bias", 3),
		NewParam("2.weight", 2, 3, 2, 2), NewParam("2.bias", 2),
	}
	var state []*Param
	for i, p := range params {
		for j := range p.Value.Data {
			p.Value.Data[j] = seed + float32(i) + float32(j)/8
		}
		avg := NewTensor(p.Value.Shape...)
		for j := range avg.Data {
			avg.Data[j] = -seed * float32(j)
		}
		state = append(state, &Param{Name: p.Name + ".exp_avg", Value: avg})
	}
	return params, state
}

func paramValues(params []*Param) map[string]*Tensor {
	m := map[string]*Tensor{}
	for _, p := range params {
		m[p.Name] = p.Value
	}
	return m
}

// cloneTensors returns deep copies of ts.
func cloneTensors(ts map[string]*Tensor) map[string]*Tensor {
	out := map[string]*Tensor{}
	for k, t := range ts {
		out[k] = FromSlice(append([]float32(nil), t.Data...), t.Shape...)
	}
	return out
}

func TestCheckpointRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	params, state := testModel(1)
	meta := map[string]string{"config": `{"model":"rrae","latent":8}`, "step": "1200"}
	if err := SaveCheckpoint(path, params, state, meta); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("checkpoint file: %v, %v; want mode 0644", fi, err)
	}

	loaded, loadedState := testModel(5)
	got, err := LoadCheckpoint(path, loaded, loadedState)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, meta) {
		t.Errorf("metadata %q, want %q", got, meta)
	}
	if !sameTensors(paramValues(loaded), paramValues(params)) {
		t.Error("parameters differ after save and load")
	}
	if !sameTensors(paramValues(loadedState), paramValues(state)) {
		t.Error("optimizer state differs after save and load")
	}

	// The file is plain safetensors with PyTorch names.
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := ReadSafetensors(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Tensors["optimizer.0.weight.exp_avg"]; !ok {
		t.Errorf("no optimizer.0.weight.exp_avg in %v", st.Tensors)
	}
	if w := st.Tensors["0.weight"]; w == nil || !reflect.DeepEqual(w.Shape, []int{3, 4}) {
		t.Errorf("0.weight is %v, want shape [3 4]", w)
	}

	// Saving again replaces the file.
	params2, _ := testModel(2)
	if err := SaveCheckpoint(path, params2, nil, nil); err != nil {
		t.Fatal(err)
	}
	got, err = LoadCheckpoint(path, loaded, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 || !sameTensors(paramValues(loaded), paramValues(params2)) {
		t.Errorf("second save not loaded: metadata %q", got)
	}
}

// TestCheckpointWeightsOnly loads the parameters of a checkpoint that also
// has optimizer state, without the state.
func TestCheckpointWeightsOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	params, state := testModel(1)
	if err := SaveCheckpoint(path, params, state, nil); err != nil {
		t.Fatal(err)
	}
	loaded, _ := testModel(3)
	if _, err := LoadCheckpoint(path, loaded, nil); err != nil {
		t.Fatal(err)
	}
	if !sameTensors(paramValues(loaded), paramValues(params)) {
		t.Error("parameters differ after a weights-only load")
	}
}

// TestCheckpointLoadErrors checks every mismatch between a file and the
// model, and that a failed load leaves the model's tensors untouched.
func TestCheckpointLoadErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	params, state := testModel(1)
	if err := SaveCheckpoint(path, params, state, nil); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var f64 bytes.Buffer
	f64.Write(stFile(`{"0.bias":{"dtype":"F64","shape":[3],"data_offsets":[0,24]}}`, make([]byte, 24)))

	cases := []struct {
		name   string
		path   string
		modify func(params, state []*Param) ([]*Param, []*Param)
		want   string
	}{
		{"no file", filepath.Join(dir, "absent.safetensors"), nil, "no such file"},
		{"truncated file", write("trunc.safetensors", good[:len(good)-5]), nil, "run beyond the"},
		{"corrupt header", write("corrupt.safetensors", append([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, good[8:]...)), nil, "header size 4294967295 exceeds the limit"},
		{"shape mismatch", path, func(p, s []*Param) ([]*Param, []*Param) {
			p[0] = NewParam("0.weight", 4, 3)
			return p, s
		}, `tensor "0.weight" has shape [3 4] in the file, want [4 3]`},
		{"missing parameter", path, func(p, s []*Param) ([]*Param, []*Param) {
			return append(p, NewParam("4.weight", 2), NewParam("4.bias", 1)), s
		}, `missing tensors ["4.bias" "4.weight"]`},
		{"unexpected parameter", path, func(p, s []*Param) ([]*Param, []*Param) {
			return p[:3], s
		}, `unexpected tensors ["2.bias"]`},
		{"missing state", path, func(p, s []*Param) ([]*Param, []*Param) {
			return p, append(s, NewParam("0.weight.exp_avg_sq", 3, 4))
		}, `missing tensors ["optimizer.0.weight.exp_avg_sq"]`},
		{"unexpected state", path, func(p, s []*Param) ([]*Param, []*Param) {
			return p, append(s[:1], s[2:]...) // without 0.bias.exp_avg
		}, `unexpected tensors ["optimizer.0.bias.exp_avg"]`},
		{"state shape", path, func(p, s []*Param) ([]*Param, []*Param) {
			s[3] = NewParam("2.bias.exp_avg", 1, 2)
			return p, s
		}, `tensor "optimizer.2.bias.exp_avg" has shape [2] in the file, want [1 2]`},
		{"dtype mismatch", write("f64.safetensors", f64.Bytes()), func(p, s []*Param) ([]*Param, []*Param) {
			return p[1:2], nil
		}, `tensor "0.bias" has dtype F64, want F32`},
		{"duplicate parameter", path, func(p, s []*Param) ([]*Param, []*Param) {
			return append(p, p[0]), s
		}, `two parameters are named "0.weight"`},
	}
	for _, c := range cases {
		params, state := testModel(7)
		if c.modify != nil {
			params, state = c.modify(params, state)
		}
		before, beforeState := cloneTensors(paramValues(params)), cloneTensors(paramValues(state))
		md, err := LoadCheckpoint(c.path, params, state)
		if err == nil {
			t.Errorf("%s: loaded (metadata %q), want an error", c.name, md)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
			t.Errorf("%s: error %q, want it to name %s and contain %q", c.name, err, c.path, c.want)
		}
		if !sameTensors(paramValues(params), before) || !sameTensors(paramValues(state), beforeState) {
			t.Errorf("%s: a failed load changed the model", c.name)
		}
	}
}

func TestCheckpointSaveErrors(t *testing.T) {
	dir := t.TempDir()
	params, state := testModel(1)
	cases := []struct {
		name   string
		params []*Param
		state  []*Param
		want   string
	}{
		{"duplicate", append(params, params[1]), nil, `two parameters are named "0.bias"`},
		{"prefix", []*Param{NewParam("optimizer.lr", 1)}, nil, `parameter name "optimizer.lr" begins with the optimizer prefix`},
		{"nil value", []*Param{{Name: "w"}}, nil, `parameter "w" has no Value`},
		{"nil state", params, []*Param{{Name: "0.bias.exp_avg"}}, `optimizer state "0.bias.exp_avg" has no Value`},
		{"duplicate state", params, append(state, state[2]), `two optimizer state tensors are named "2.weight.exp_avg"`},
		{"bad tensor", []*Param{{Name: "w", Value: &Tensor{Shape: []int{2}, Data: make([]float32, 3)}}}, state, `tensor "w": shape [2] needs 2 values, Data holds 3`},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name+".safetensors")
		err := SaveCheckpoint(path, c.params, c.state, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming %s and containing %q", c.name, err, path, c.want)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: a failed save left %s (%v)", c.name, path, err)
		}
	}
	assertOnly(t, dir)
}

// assertOnly checks that dir holds exactly the named files: no temporary
// file is left behind.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !reflect.DeepEqual(got, names) && (len(got) > 0 || len(names) > 0) {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}

// TestCheckpointAtomic checks that a save failing at any point leaves the
// previous checkpoint intact and no temporary file behind.
func TestCheckpointAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	params, state := testModel(1)
	if err := SaveCheckpoint(path, params, state, map[string]string{"step": "10"}); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	intact := func(what string) {
		t.Helper()
		if now, err := os.ReadFile(path); err != nil || !bytes.Equal(now, old) {
			t.Errorf("%s: the old checkpoint changed (%v)", what, err)
		}
		assertOnly(t, dir, "ckpt.safetensors")
	}

	// A writer error after part of the file was written.
	for _, after := range []int{0, 100, 1 << 17} {
		err := writeFileAtomic(path, func(w io.Writer) error {
			w.Write(make([]byte, after))
			return errors.New("injected failure")
		})
		if err == nil || err.Error() != "injected failure" {
			t.Errorf("error %v, want the injected failure", err)
		}
		intact("writer error")
	}

	// A save that fails its checks.
	bad := []*Param{{Name: "w", Value: &Tensor{Shape: []int{5}, Data: make([]float32, 4)}}}
	if err := SaveCheckpoint(path, bad, nil, nil); err == nil {
		t.Error("saved a tensor whose Data does not match its shape")
	}
	intact("invalid tensor")

	// The rename fails: the target is a non-empty directory.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := SaveCheckpoint(blocked, params, state, nil); err == nil {
		t.Error("saved over a non-empty directory")
	}
	if err := os.RemoveAll(blocked); err != nil {
		t.Fatal(err)
	}
	intact("rename failure")

	// A directory that does not exist.
	if err := SaveCheckpoint(filepath.Join(dir, "no", "ckpt.safetensors"), params, state, nil); err == nil {
		t.Error("saved into a directory that does not exist")
	}
	intact("missing directory")

	// A directory that cannot be written (not for root, who may write
	// anyway).
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	if probe, err := os.CreateTemp(dir, "probe"); err == nil {
		probe.Close()
		os.Remove(probe.Name())
		t.Log("the directory stays writable (running as root?): read-only case not checked")
	} else {
		if err := SaveCheckpoint(path, params, nil, nil); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("saving into a read-only directory: error %v, want one naming %s", err, path)
		}
		intact("read-only directory")
	}
}
