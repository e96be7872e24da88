package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// sampleWords calls every WORD-emitting method with register numbers that set each
// bit of every field (V0, V31, mixes) and every lane of the by-element forms, and
// returns what it emitted.
func sampleWords() []byte {
	f := NewFile("// test", "main")
	fn := f.Func("Sample", "func()")
	regs := [][3]VReg{{0, 0, 0}, {1, 2, 3}, {31, 30, 29}, {16, 8, 4}, {5, 10, 21}}
	for _, r := range regs {
		m, n, d := r[0], r[1], r[2]
		fn.FADD(m, n, d)
		fn.FSUB(m, n, d)
		fn.FMUL(m, n, d)
		fn.FDIV(m, n, d)
		fn.FMAX(m, n, d)
		fn.FMIN(m, n, d)
		fn.FADDP(m, n, d)
		fn.FSQRT(n, d)
		fn.FCMGTZero(n, d)
		fn.FADDPScalar(n, d)
		for i := 0; i < 4; i++ {
			fn.FMLAElem(m, i, n, d)
			fn.FMULElem(m, i, n, d)
		}
	}
	fn.End()
	asm, _ := f.Bytes()
	return asm
}

// wordLine matches an emitted WORD: the encoding and the instruction in its comment.
var wordLine = regexp.MustCompile(`(?m)^\s*WORD\s+\$0x([0-9a-f]{8}) // (.*)$`)

type word struct {
	enc  uint32
	inst string
}

func words(t *testing.T, asm []byte) []word {
	var ws []word
	for _, m := range wordLine.FindAllSubmatch(asm, -1) {
		enc, err := strconv.ParseUint(string(m[1]), 16, 32)
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, word{uint32(enc), string(m[2])})
	}
	return ws
}

// known is every instruction of sampleWords with its encoding as GNU as (binutils
// 2.40, aarch64-linux-gnu-as) assembles it. It was produced once by assembling the
// comments of sampleWords with aarch64-linux-gnu-as and reading the words back with
// aarch64-linux-gnu-objdump -d; it does not come from the encoder it checks.
// TestWordsMatchGNUAs repeats the comparison live where the assembler is installed.
var known = map[string]uint32{
	"fadd v0.4s, v0.4s, v0.4s":      0x4e20d400,
	"fsub v0.4s, v0.4s, v0.4s":      0x4ea0d400,
	"fmul v0.4s, v0.4s, v0.4s":      0x6e20dc00,
	"fdiv v0.4s, v0.4s, v0.4s":      0x6e20fc00,
	"fmax v0.4s, v0.4s, v0.4s":      0x4e20f400,
	"fmin v0.4s, v0.4s, v0.4s":      0x4ea0f400,
	"faddp v0.4s, v0.4s, v0.4s":     0x6e20d400,
	"fsqrt v0.4s, v0.4s":            0x6ea1f800,
	"fcmgt v0.4s, v0.4s, #0.0":      0x4ea0c800,
	"faddp s0, v0.2s":               0x7e30d800,
	"fmla v0.4s, v0.4s, v0.s[0]":    0x4f801000,
	"fmul v0.4s, v0.4s, v0.s[0]":    0x4f809000,
	"fmla v0.4s, v0.4s, v0.s[1]":    0x4fa01000,
	"fmul v0.4s, v0.4s, v0.s[1]":    0x4fa09000,
	"fmla v0.4s, v0.4s, v0.s[2]":    0x4f801800,
	"fmul v0.4s, v0.4s, v0.s[2]":    0x4f809800,
	"fmla v0.4s, v0.4s, v0.s[3]":    0x4fa01800,
	"fmul v0.4s, v0.4s, v0.s[3]":    0x4fa09800,
	"fadd v3.4s, v2.4s, v1.4s":      0x4e21d443,
	"fsub v3.4s, v2.4s, v1.4s":      0x4ea1d443,
	"fmul v3.4s, v2.4s, v1.4s":      0x6e21dc43,
	"fdiv v3.4s, v2.4s, v1.4s":      0x6e21fc43,
	"fmax v3.4s, v2.4s, v1.4s":      0x4e21f443,
	"fmin v3.4s, v2.4s, v1.4s":      0x4ea1f443,
	"faddp v3.4s, v2.4s, v1.4s":     0x6e21d443,
	"fsqrt v3.4s, v2.4s":            0x6ea1f843,
	"fcmgt v3.4s, v2.4s, #0.0":      0x4ea0c843,
	"faddp s3, v2.2s":               0x7e30d843,
	"fmla v3.4s, v2.4s, v1.s[0]":    0x4f811043,
	"fmul v3.4s, v2.4s, v1.s[0]":    0x4f819043,
	"fmla v3.4s, v2.4s, v1.s[1]":    0x4fa11043,
	"fmul v3.4s, v2.4s, v1.s[1]":    0x4fa19043,
	"fmla v3.4s, v2.4s, v1.s[2]":    0x4f811843,
	"fmul v3.4s, v2.4s, v1.s[2]":    0x4f819843,
	"fmla v3.4s, v2.4s, v1.s[3]":    0x4fa11843,
	"fmul v3.4s, v2.4s, v1.s[3]":    0x4fa19843,
	"fadd v29.4s, v30.4s, v31.4s":   0x4e3fd7dd,
	"fsub v29.4s, v30.4s, v31.4s":   0x4ebfd7dd,
	"fmul v29.4s, v30.4s, v31.4s":   0x6e3fdfdd,
	"fdiv v29.4s, v30.4s, v31.4s":   0x6e3fffdd,
	"fmax v29.4s, v30.4s, v31.4s":   0x4e3ff7dd,
	"fmin v29.4s, v30.4s, v31.4s":   0x4ebff7dd,
	"faddp v29.4s, v30.4s, v31.4s":  0x6e3fd7dd,
	"fsqrt v29.4s, v30.4s":          0x6ea1fbdd,
	"fcmgt v29.4s, v30.4s, #0.0":    0x4ea0cbdd,
	"faddp s29, v30.2s":             0x7e30dbdd,
	"fmla v29.4s, v30.4s, v31.s[0]": 0x4f9f13dd,
	"fmul v29.4s, v30.4s, v31.s[0]": 0x4f9f93dd,
	"fmla v29.4s, v30.4s, v31.s[1]": 0x4fbf13dd,
	"fmul v29.4s, v30.4s, v31.s[1]": 0x4fbf93dd,
	"fmla v29.4s, v30.4s, v31.s[2]": 0x4f9f1bdd,
	"fmul v29.4s, v30.4s, v31.s[2]": 0x4f9f9bdd,
	"fmla v29.4s, v30.4s, v31.s[3]": 0x4fbf1bdd,
	"fmul v29.4s, v30.4s, v31.s[3]": 0x4fbf9bdd,
	"fadd v4.4s, v8.4s, v16.4s":     0x4e30d504,
	"fsub v4.4s, v8.4s, v16.4s":     0x4eb0d504,
	"fmul v4.4s, v8.4s, v16.4s":     0x6e30dd04,
	"fdiv v4.4s, v8.4s, v16.4s":     0x6e30fd04,
	"fmax v4.4s, v8.4s, v16.4s":     0x4e30f504,
	"fmin v4.4s, v8.4s, v16.4s":     0x4eb0f504,
	"faddp v4.4s, v8.4s, v16.4s":    0x6e30d504,
	"fsqrt v4.4s, v8.4s":            0x6ea1f904,
	"fcmgt v4.4s, v8.4s, #0.0":      0x4ea0c904,
	"faddp s4, v8.2s":               0x7e30d904,
	"fmla v4.4s, v8.4s, v16.s[0]":   0x4f901104,
	"fmul v4.4s, v8.4s, v16.s[0]":   0x4f909104,
	"fmla v4.4s, v8.4s, v16.s[1]":   0x4fb01104,
	"fmul v4.4s, v8.4s, v16.s[1]":   0x4fb09104,
	"fmla v4.4s, v8.4s, v16.s[2]":   0x4f901904,
	"fmul v4.4s, v8.4s, v16.s[2]":   0x4f909904,
	"fmla v4.4s, v8.4s, v16.s[3]":   0x4fb01904,
	"fmul v4.4s, v8.4s, v16.s[3]":   0x4fb09904,
	"fadd v21.4s, v10.4s, v5.4s":    0x4e25d555,
	"fsub v21.4s, v10.4s, v5.4s":    0x4ea5d555,
	"fmul v21.4s, v10.4s, v5.4s":    0x6e25dd55,
	"fdiv v21.4s, v10.4s, v5.4s":    0x6e25fd55,
	"fmax v21.4s, v10.4s, v5.4s":    0x4e25f555,
	"fmin v21.4s, v10.4s, v5.4s":    0x4ea5f555,
	"faddp v21.4s, v10.4s, v5.4s":   0x6e25d555,
	"fsqrt v21.4s, v10.4s":          0x6ea1f955,
	"fcmgt v21.4s, v10.4s, #0.0":    0x4ea0c955,
	"faddp s21, v10.2s":             0x7e30d955,
	"fmla v21.4s, v10.4s, v5.s[0]":  0x4f851155,
	"fmul v21.4s, v10.4s, v5.s[0]":  0x4f859155,
	"fmla v21.4s, v10.4s, v5.s[1]":  0x4fa51155,
	"fmul v21.4s, v10.4s, v5.s[1]":  0x4fa59155,
	"fmla v21.4s, v10.4s, v5.s[2]":  0x4f851955,
	"fmul v21.4s, v10.4s, v5.s[2]":  0x4f859955,
	"fmla v21.4s, v10.4s, v5.s[3]":  0x4fa51955,
	"fmul v21.4s, v10.4s, v5.s[3]":  0x4fa59955,
}

// TestEncodings checks the encoder against the table from GNU as: the word of every
// form, every register field and every lane.
func TestEncodings(t *testing.T) {
	ws := words(t, sampleWords())
	if len(ws) == 0 {
		t.Fatal("no WORD emitted")
	}
	for _, w := range ws {
		want, ok := known[w.inst]
		switch {
		case !ok:
			t.Errorf("%q is not in the table of known encodings", w.inst)
		case w.enc != want:
			t.Errorf("%s: encoded %#08x, GNU as gives %#08x", w.inst, w.enc, want)
		}
	}
}

// TestWordsMatchGNUAs assembles the comment of every WORD in the generated file and
// in sampleWords with GNU as and checks that it gives the emitted word. It is skipped
// where aarch64-linux-gnu-as is not installed (TestEncodings still runs).
func TestWordsMatchGNUAs(t *testing.T) {
	as, err1 := exec.LookPath("aarch64-linux-gnu-as")
	objdump, err2 := exec.LookPath("aarch64-linux-gnu-objdump")
	if err1 != nil || err2 != nil {
		t.Skip("aarch64-linux-gnu-as or -objdump not installed (binutils-aarch64-linux-gnu)")
	}
	var ws []word
	for _, family := range familyNames() {
		asm, _, err := generate(family, "out.s", "stubs.go", "asm")
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, words(t, asm)...)
	}
	ws = append(ws, words(t, sampleWords())...)
	var src strings.Builder
	for _, w := range ws {
		fmt.Fprintf(&src, "\t%s\n", w.inst)
	}
	dir := t.TempDir()
	obj := filepath.Join(dir, "w.o")
	cmd := exec.Command(as, "-o", obj, "-")
	cmd.Stdin = strings.NewReader(src.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", as, err, out)
	}
	dump, err := exec.Command(objdump, "-d", obj).Output()
	if err != nil {
		t.Fatalf("%s: %v", objdump, err)
	}
	// objdump lines: "   4:	4e20d400 	fadd	v0.4s, v0.4s, v0.4s"
	got := regexp.MustCompile(`(?m)^\s*[0-9a-f]+:\s+([0-9a-f]{8})\s`).FindAllSubmatch(dump, -1)
	if len(got) != len(ws) {
		t.Fatalf("GNU as gave %d words for %d instructions", len(got), len(ws))
	}
	for i, w := range ws {
		enc, _ := strconv.ParseUint(string(got[i][1]), 16, 32)
		if uint32(enc) != w.enc {
			t.Errorf("%s: emitted %#08x, GNU as gives %#08x", w.inst, w.enc, enc)
		}
	}
}

// familyNames returns the -family values, sorted.
func familyNames() []string {
	names := make([]string, 0, len(families))
	for name := range families {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// TestGeneratedFilesUpToDate checks that asm/ holds what the generator writes now,
// as `make generate` would leave it: one .s and one stub file per family, named
// asm/<family>_arm64.{s,go}.
func TestGeneratedFilesUpToDate(t *testing.T) {
	for _, family := range familyNames() {
		out, stubsPath := "asm/"+family+"_arm64.s", "asm/"+family+"_arm64.go"
		asm, stubs, err := generate(family, out, stubsPath, "asm")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct {
			path string
			want []byte
		}{{out, asm}, {stubsPath, stubs}} {
			got, err := os.ReadFile(filepath.Join("..", "..", f.path))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, f.want) {
				t.Errorf("%s is stale: run make generate", f.path)
			}
		}
	}
}

// TestMakefileRunsEveryFamily checks that `make generate` writes every family, with
// the command the generated header names.
func TestMakefileRunsEveryFamily(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for _, family := range familyNames() {
		line := fmt.Sprintf("$(GO) run ./gen/arm64 -family %s -out asm/%[1]s_arm64.s -stubs asm/%[1]s_arm64.go -pkg asm\n", family)
		if !bytes.Contains(mk, []byte(line)) {
			t.Errorf("Makefile lacks the line %q", line)
		}
	}
}

// TestDeterministic checks that two runs give the same bytes (no map order leaks
// into the output), for every family.
func TestDeterministic(t *testing.T) {
	for _, family := range familyNames() {
		a1, s1, err1 := generate(family, "a.s", "a.go", "asm")
		a2, s2, err2 := generate(family, "a.s", "a.go", "asm")
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(a1, a2) || !bytes.Equal(s1, s2) {
			t.Fatalf("%s: two runs of the generator differ", family)
		}
	}
}

// TestUnknownFamily checks that a misspelt -family is an error, not an empty file.
func TestUnknownFamily(t *testing.T) {
	if _, _, err := generate("vector", "a.s", "a.go", "asm"); err == nil {
		t.Fatal("generate accepted family \"vector\"")
	}
}
