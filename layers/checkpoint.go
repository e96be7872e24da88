package layers

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// OptimizerPrefix starts the name of every optimizer-state tensor in a
// checkpoint ("optimizer.0.weight.exp_avg"). The other tensors are the
// model's parameters under their PyTorch state_dict names, so that in Python
//
//	sd = safetensors.torch.load_file(path)
//	model.load_state_dict({k: v for k, v in sd.items() if not k.startswith("optimizer.")})
//
// loads the model.
const OptimizerPrefix = "optimizer."

// SaveCheckpoint writes params and the optimizer state to path as a
// safetensors file. Each parameter's Value is stored under its Name and
// each state tensor's under OptimizerPrefix followed by its Name; state
// (an Optimizer's State(); Grad is ignored) may be nil.
// metadata (which may be nil) goes to the file's "__metadata__": the model
// configuration, the optimizer's step count (by convention under the key
// "optimizer.step", as strconv.Itoa(opt.Steps())) and anything else a
// string can hold.
//
// The write is atomic: the file is written to a temporary file in the same
// directory, synced and renamed over path, so that a failure at any point
// leaves an existing checkpoint at path intact and no temporary file behind.
func SaveCheckpoint(path string, params []*Param, state []*Param, metadata map[string]string) error {
	tensors, err := checkpointTensors(params, state)
	if err != nil {
		return fmt.Errorf("layers: save checkpoint %s: %w", path, err)
	}
	err = writeFileAtomic(path, func(w io.Writer) error {
		return WriteSafetensors(w, tensors, metadata)
	})
	if err != nil {
		return fmt.Errorf("layers: save checkpoint %s: %w", path, err)
	}
	return nil
}

// checkpointTensors names every tensor of a checkpoint, rejecting duplicate
// names and state keys that would be read back as parameters.
func checkpointTensors(params []*Param, state []*Param) (map[string]*Tensor, error) {
	tensors := make(map[string]*Tensor, len(params)+len(state))
	for _, p := range params {
		switch {
		case strings.HasPrefix(p.Name, OptimizerPrefix):
			return nil, fmt.Errorf("parameter name %q begins with the optimizer prefix %q", p.Name, OptimizerPrefix)
		case tensors[p.Name] != nil:
			return nil, fmt.Errorf("two parameters are named %q", p.Name)
		case p.Value == nil:
			return nil, fmt.Errorf("parameter %q has no Value", p.Name)
		}
		tensors[p.Name] = p.Value
	}
	for _, s := range state {
		name := OptimizerPrefix + s.Name
		switch {
		case tensors[name] != nil:
			return nil, fmt.Errorf("two optimizer state tensors are named %q", s.Name)
		case s.Value == nil:
			return nil, fmt.Errorf("optimizer state %q has no Value", s.Name)
		}
		tensors[name] = s.Value
	}
	return tensors, nil
}

// writeFileAtomic calls write on a temporary file in path's directory, then
// syncs it, renames it to path and syncs the directory. On any error the
// temporary file is removed and path is left as it was.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	// The rename is durable once the directory is synced; a directory
	// that cannot be synced (some file systems) does not undo the save.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// LoadCheckpoint reads the checkpoint at path into params and state and
// returns its metadata.
//
// Every parameter must be in the file as an F32 tensor of the same shape,
// and the file may hold no other tensor outside the optimizer state. When
// state is not nil, the file's optimizer tensors must match its names
// exactly, with the same shapes; when state is nil they are ignored (loading
// weights only). Errors name the file, the tensor and both shapes.
//
// Nothing is written into params or state unless the whole file is valid
// and matches them.
func LoadCheckpoint(path string, params []*Param, state []*Param) (map[string]string, error) {
	metadata, err := loadCheckpoint(path, params, state)
	if err != nil {
		return nil, fmt.Errorf("layers: load checkpoint %s: %w", path, err)
	}
	return metadata, nil
}

func loadCheckpoint(path string, params []*Param, state []*Param) (map[string]string, error) {
	want, err := checkpointTensors(params, state)
	if err != nil {
		return nil, err
	}
	file, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	st, err := ReadSafetensors(file)
	if err != nil {
		return nil, err
	}

	var missing, unexpected []string
	for name, t := range want {
		got, ok := st.Tensors[name]
		switch {
		case !ok:
			missing = append(missing, name)
		case st.Dtypes[name] != "F32":
			return nil, fmt.Errorf("tensor %q has dtype %s, want F32", name, st.Dtypes[name])
		case !got.SameShape(t):
			return nil, fmt.Errorf("tensor %q has shape %v in the file, want %v", name, got.Shape, t.Shape)
		}
	}
	for name := range st.Tensors {
		if want[name] == nil && (state != nil || !strings.HasPrefix(name, OptimizerPrefix)) {
			unexpected = append(unexpected, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("missing tensors %q", missing)
	}
	if len(unexpected) > 0 {
		slices.Sort(unexpected)
		return nil, fmt.Errorf("unexpected tensors %q", unexpected)
	}

	for name, t := range want {
		copy(t.Data, st.Tensors[name].Data)
	}
	if st.Metadata == nil {
		return map[string]string{}, nil
	}
	return st.Metadata, nil
}
