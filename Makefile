# The two quick-start commands. Everything real lives in CMake; this file only chains
# install -> configure -> build -> run/test so a fresh machine needs nothing else.
# `make run` trains the seed CNN on Fashion-MNIST (Debian dataset-fashion-mnist) for 2 epochs.
BUILD ?= build
JOBS ?= $(shell nproc)
CTEST_JOBS ?= $(JOBS)
FUZZ_SECONDS ?= 60

.PHONY: run test build deps configure clean fuzz

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

# libFuzzer on every input format, FUZZ_SECONDS each, in build-fuzz/ (tests/fuzz/README.md).
fuzz: deps
	@JOBS=$(JOBS) bash scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD)
