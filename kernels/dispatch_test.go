package kernels

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

func TestVariantsEndWithGeneric(t *testing.T) {
	vs := Variants()
	if len(vs) == 0 || vs[len(vs)-1].Level() != Generic {
		t.Fatalf("Variants() = %v, want the generic variant last", vs)
	}
	for i := 1; i < len(vs); i++ {
		if vs[i-1].Level() <= vs[i].Level() && vs[i].Level() != Generic {
			t.Fatalf("Variants() = %v, want best first", vs)
		}
	}
	t.Logf("supported: %v, active: %v", vs, ActiveLevel())
}

func TestChooseVariant(t *testing.T) {
	best, err := chooseVariant("")
	if err != nil || best != supported[0] {
		t.Fatalf(`chooseVariant("") = %v, %v; want %v`, best, err, supported[0])
	}
	for _, v := range supported {
		got, err := chooseVariant(v.Level().String())
		if err != nil || got != v {
			t.Fatalf("chooseVariant(%q) = %v, %v", v.Level(), got, err)
		}
	}
	for _, bad := range []string{"sse", "AVX2", " generic"} {
		if _, err := chooseVariant(bad); err == nil || !strings.Contains(err.Error(), "unknown kernel level") {
			t.Errorf("chooseVariant(%q) error = %v, want an unknown-level error", bad, err)
		}
	}
	// A known level that this CPU lacks is an error too, never a silent fallback.
	for l := Generic; l <= NEON; l++ {
		if v, _ := chooseVariant(l.String()); v != nil {
			continue
		}
		if _, err := chooseVariant(l.String()); err == nil || !strings.Contains(err.Error(), "supports only") {
			t.Errorf("chooseVariant(%q) error = %v, want an unsupported-level error", l, err)
		}
	}
}

// TestEnvironment runs this test binary again with RANKAE_KERNELS set, to see the
// level forced at start and a bad value stop the program with a clear message.
func TestEnvironment(t *testing.T) {
	if env := os.Getenv("RANKAE_KERNELS_CHILD"); env != "" {
		if got := ActiveLevel().String(); got != env {
			t.Fatalf("active level %q, want %q", got, env)
		}
		return
	}
	run := func(value string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestEnvironment$")
		cmd.Env = append(os.Environ(), EnvVar+"="+value, "RANKAE_KERNELS_CHILD="+value)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, v := range Variants() {
		out, err := run(v.Level().String())
		if errors.Is(err, syscall.ENOEXEC) {
			// Under qemu-user without binfmt_misc the binary cannot start itself.
			t.Skipf("cannot re-run the test binary here: %v", err)
		}
		if err != nil {
			t.Errorf("%s=%s: %v\n%s", EnvVar, v.Level(), err, out)
		}
	}
	out, err := run("avx1024")
	if err == nil || !strings.Contains(out, `RANKAE_KERNELS=avx1024: unknown kernel level "avx1024"`) {
		t.Errorf("RANKAE_KERNELS=avx1024: err %v, output:\n%s", err, out)
	}
}

func TestParseLevelRoundTrip(t *testing.T) {
	for l := Generic; l <= NEON; l++ {
		got, err := ParseLevel(l.String())
		if err != nil || got != l {
			t.Errorf("ParseLevel(%q) = %v, %v", l.String(), got, err)
		}
	}
}
