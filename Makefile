# The two quick-start commands. Everything real lives in CMake; this file only chains
# install -> configure -> build -> run/test so a fresh machine needs nothing else.
# `make run` trains the seed CNN on Fashion-MNIST (Debian dataset-fashion-mnist) for 2 epochs.
BUILD ?= build
JOBS ?= $(shell nproc)
CTEST_JOBS ?= $(JOBS)
FUZZ_SECONDS ?= 60
# The sanitized build: ASan + UBSan + libFuzzer hooks (clang), shared by test-asan and fuzz.
SANITIZE_BUILD ?= build-sanitize
# The aarch64 cross build (cmake/toolchains/aarch64-linux-gnu.cmake), tested under qemu.
CROSS_BUILD ?= build-aarch64

.PHONY: run test build deps configure clean fuzz test-asan sanitize-build cross-deps cross-aarch64 test-aarch64

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/vktrain train --model cnn --epochs 2

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(CTEST_JOBS)

sanitize-build: deps
	@cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DVKTRAIN_FUZZ=ON >/dev/null
	@cmake --build $(SANITIZE_BUILD) -j $(JOBS)

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer (tests/sanitizers/README.md).
test-asan: sanitize-build
	cd $(SANITIZE_BUILD) && ctest --output-on-failure -j $(CTEST_JOBS)

# libFuzzer on every input format, FUZZ_SECONDS each, in the sanitized build (tests/fuzz/README.md).
fuzz: sanitize-build
	@BUILD=$(SANITIZE_BUILD) bash scripts/fuzz.sh $(FUZZ_SECONDS)

# vktrain and its tests for 64-bit Arm Linux (README, "Edge devices"); copy
# $(CROSS_BUILD)/vktrain to the board.
cross-deps: deps
	@bash scripts/install-cross-deps.sh

cross-aarch64: cross-deps
	@cmake -S . -B $(CROSS_BUILD) -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/toolchains/aarch64-linux-gnu.cmake >/dev/null
	@cmake --build $(CROSS_BUILD) -j $(JOBS) --target vktrain vktrain_tests

# The aarch64 build under qemu: devices, the runtime and kernel tests, an MLP's loss curve
# against the x86-64 build's (scripts/test-aarch64.sh).
test-aarch64: build cross-aarch64
	@BUILD=$(BUILD) CROSS_BUILD=$(CROSS_BUILD) bash scripts/test-aarch64.sh

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(CROSS_BUILD)
