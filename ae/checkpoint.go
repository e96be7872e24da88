package ae

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/rankae/rankae/layers"
)

// Checkpoint metadata keys written by Save.
const (
	metaConfig = "config"         // the model's Config as JSON
	metaK      = "k"              // the RRAE bottleneck at save time
	metaSteps  = "optimizer.step" // layers.SaveCheckpoint's convention
	basisName  = "latent.basis"   // U_f, L×k, when the RRAE has one
)

// Save writes m to path (atomically, as safetensors with PyTorch-style
// names): its parameters, the RRAE basis when set, the optimizer's state
// when opt is not nil, and cfg and meta in the file's metadata.
func Save(path string, m *Model, cfg Config, opt layers.Optimizer, meta map[string]string) error {
	all := map[string]string{}
	for k, v := range meta {
		all[k] = v
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	all[metaConfig] = string(js)
	params := m.Params()
	if r, ok := m.Latent.(*RRAELatent); ok {
		all[metaK] = strconv.Itoa(r.K)
		if r.Basis != nil {
			params = append(params, &layers.Param{Name: basisName, Value: layers.FromSlice(r.Basis, m.LatentDim, r.K)})
		}
	}
	var state []*layers.Param
	if opt != nil {
		state = opt.State()
		all[metaSteps] = strconv.Itoa(opt.Steps())
	}
	return layers.SaveCheckpoint(path, params, state, all)
}

// Load rebuilds a model saved by Save and returns it with its
// configuration and the file's metadata. The optimizer state is not loaded
// (see LoadOptimizer).
func Load(path string) (*Model, Config, map[string]string, error) {
	file, err := os.ReadFile(path)
	if err != nil {
		return nil, Config{}, nil, err
	}
	st, err := layers.ReadSafetensors(file)
	if err != nil {
		return nil, Config{}, nil, fmt.Errorf("ae: load %s: %w", path, err)
	}
	var cfg Config
	js, ok := st.Metadata[metaConfig]
	if !ok {
		return nil, Config{}, nil, fmt.Errorf("ae: load %s: no model configuration in the metadata (not written by rankae?)", path)
	}
	if err := json.Unmarshal([]byte(js), &cfg); err != nil {
		return nil, Config{}, nil, fmt.Errorf("ae: load %s: model configuration: %w", path, err)
	}
	m, err := New(cfg)
	if err != nil {
		return nil, Config{}, nil, fmt.Errorf("ae: load %s: %w", path, err)
	}
	params := m.Params()
	if r, ok := m.Latent.(*RRAELatent); ok {
		k, err := strconv.Atoi(st.Metadata[metaK])
		if err != nil || k < 1 || k > m.LatentDim {
			return nil, Config{}, nil, fmt.Errorf("ae: load %s: bad bottleneck k = %q", path, st.Metadata[metaK])
		}
		r.K = k
		if _, ok := st.Tensors[basisName]; ok {
			r.Basis = make([]float32, m.LatentDim*k)
			params = append(params, &layers.Param{Name: basisName, Value: layers.FromSlice(r.Basis, m.LatentDim, k)})
		}
	}
	meta, err := layers.LoadCheckpoint(path, params, nil)
	if err != nil {
		return nil, Config{}, nil, err
	}
	return m, cfg, meta, nil
}

// LoadOptimizer restores opt's state and step count from a checkpoint that
// Save wrote with an optimizer over the same parameters.
func LoadOptimizer(path string, m *Model, opt layers.Optimizer) error {
	state := opt.State()
	params := m.Params()
	if r, ok := m.Latent.(*RRAELatent); ok && r.Basis != nil {
		params = append(params, &layers.Param{Name: basisName, Value: layers.FromSlice(r.Basis, m.LatentDim, r.K)})
	}
	meta, err := layers.LoadCheckpoint(path, params, state)
	if err != nil {
		return err
	}
	steps, err := strconv.Atoi(meta[metaSteps])
	if err != nil {
		return fmt.Errorf("ae: load %s: no optimizer step count", path)
	}
	opt.SetSteps(steps)
	return nil
}
