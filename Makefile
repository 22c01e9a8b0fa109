# emeter - thin wrapper over CMake. The real build lives in CMakeLists.txt.
#
#   make run     install missing packages, build, start the virtual meter
#   make test    install missing packages, build with ASan+UBSan, run every test
#   make build   release build, programs in build/bin/
#   make bench   build and run the benchmarks (numbers go to BENCHMARKS.md by hand)
#   make fuzz    build the libFuzzer targets with clang, run each FUZZ_SECONDS
#   make arm     cross-compile lib/ for Cortex-M4, size table, no-heap check
#   make format  clang-format every C source in place

BUILD       ?= build
TEST_BUILD  ?= build-test
FUZZ_SECONDS ?= 60
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
RUN_ARGS    ?=
MAKEFLAGS   += --no-print-directory

.PHONY: all build test run bench fuzz arm format deps clean

all: build

deps:
	@bash scripts/deps.sh

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMETER_TESTS=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test: deps
	@cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DEMETER_SANITIZE=ON >/dev/null
	@cmake --build $(TEST_BUILD) -j $(JOBS)
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMETER_TESTS=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	@cd $(TEST_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  EMETER_BIN=$(CURDIR)/$(BUILD)/bin \
	  ctest --output-on-failure -j $(JOBS)

run: deps build
	@bash scripts/run.sh $(BUILD)/bin $(RUN_ARGS)

bench: build
	@bash scripts/bench.sh $(BUILD)

fuzz: deps
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

arm: deps
	@bash scripts/arm.sh

format:
	@find lib port apps tests fuzz bench config -name '*.[ch]' -print0 | xargs -0 clang-format -i

clean:
	rm -rf $(BUILD) $(TEST_BUILD) build-fuzz build-arm
