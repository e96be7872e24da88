# The project's commands. `make test` is what CI runs; see README.md.
GO ?= go
QEMU := $(shell command -v qemu-aarch64-static 2>/dev/null)

.PHONY: generate test test-arm64 test-purego bench bench-gemm lint run results

# Regenerate every assembly file in asm/ from its generator in gen/. The output is
# checked in, and CI fails when this changes it.
generate:
	$(GO) run ./gen/amd64 -family vec -out asm/vec_amd64.s -stubs asm/vec_amd64.go -pkg asm
	$(GO) run ./gen/amd64 -family gemm -out asm/gemm_amd64.s -stubs asm/gemm_amd64.go -pkg asm
	$(GO) run ./gen/amd64 -family jacobi -out asm/jacobi_amd64.s -stubs asm/jacobi_amd64.go -pkg asm
	$(GO) run ./gen/amd64 -family im2col -out asm/im2col_amd64.s -stubs asm/im2col_amd64.go -pkg asm
	$(GO) run ./gen/arm64 -family vec -out asm/vec_arm64.s -stubs asm/vec_arm64.go -pkg asm
	$(GO) run ./gen/arm64 -family gemm -out asm/gemm_arm64.s -stubs asm/gemm_arm64.go -pkg asm
	$(GO) run ./gen/arm64 -family jacobi -out asm/jacobi_arm64.s -stubs asm/jacobi_arm64.go -pkg asm
	$(GO) run ./gen/arm64 -family im2col -out asm/im2col_arm64.s -stubs asm/im2col_arm64.go -pkg asm

# Host tests (every kernel variant this CPU supports), then the arm64 (NEON)
# variants under qemu when it is installed.
test:
	$(GO) test ./...
	$(GO) test -race -run 'Parallel|Threads' ./linalg/
	$(GO) test -race -run 'Parallel|AcquireHelpers' ./layers/
	$(GO) test -race -run 'TrainStepLowersTheLoss' ./bench/
	@if [ -n "$(QEMU)" ]; then $(MAKE) --no-print-directory test-arm64; \
	else echo "skipped arm64 tests: qemu-aarch64-static not found (apt-get install qemu-user-static)"; fi

# cmd/rankae's end-to-end training test runs the same Go code as on the host and
# takes minutes under emulation, so -short skips it there.
test-arm64:
	GOARCH=arm64 $(GO) test -exec qemu-aarch64-static $$($(GO) list ./... | grep -v '/cmd/rankae$$')
	GOARCH=arm64 $(GO) test -short -exec qemu-aarch64-static ./cmd/rankae

test-purego:
	$(GO) test -tags purego ./...

bench:
	$(GO) test -run '^$$' -bench . ./...

# The SGEMM table of bench/README.md: FMA peak, every level, thread scaling.
bench-gemm:
	$(GO) test -run '^$$' -bench 'FMAPeak|GemmMicroKernel' -count 3 ./kernels/
	$(GO) test -run '^$$' -bench 'Sgemm' -count 3 ./linalg/

lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	GOARCH=arm64 $(GO) vet ./...
	$(GO) vet -tags purego ./...

# The first-run demo: aRRAE finds the rank of the Gaussian bumps and generates
# from it (rankae train's defaults); results go to out/.
run:
	$(GO) run ./cmd/rankae kernels
	$(GO) run ./cmd/rankae train -out out

# The runs behind docs/results.md: every model on the paper's 64×64 bumps and
# IRMAE against the plain AE on the shapes, into results/ (several hours on 2
# cores; scripts/results.sh 32 runs the bumps on a 32×32 grid, faster).
results:
	scripts/results.sh 64 results
