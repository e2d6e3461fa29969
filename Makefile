# ascribe - build, test, demo, bench, fuzz.
# One Makefile with -MMD -MP dependency tracking. Every .c under src/ except
# src/app/main.c goes into build/libascribe.a; tests link against it.

CC       ?= cc
BUILD    ?= build
PKGS     := libpcap nettle jansson zlib libloc libmaxminddb
CPPFLAGS += -Isrc -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -MMD -MP
WARN     := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wcast-align -Wundef -Wvla
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -pthread $(WARN) $(WERROR)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpcap -lnettle -ljansson -lz -lloc -lmaxminddb) -lm -pthread

SRC      := $(sort $(wildcard src/*/*.c))
LIBSRC   := $(filter-out src/app/main.c,$(SRC))
LIBOBJ   := $(LIBSRC:%.c=$(BUILD)/%.o)
UNITSRC  := $(sort $(wildcard tests/unit/test_*.c))
UNITBIN  := $(UNITSRC:tests/unit/%.c=$(BUILD)/tests/%)
BIN      := $(BUILD)/ascribe
ASCRIBE_DATA ?= ../shared/data
export ASCRIBE_DATA

.PHONY: all test unit asan tsan demo bench fuzz fuzz-build clean deps format check-format

all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/libascribe.a: $(LIBOBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/src/app/main.o $(BUILD)/libascribe.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libascribe.a tests/unit/harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libascribe.a $(LDLIBS)

unit: $(UNITBIN)

# Scenario generator for the demo and benchmark captures (libc only).
GENCAP_SRC := $(wildcard tools/gencap*.c)
$(BUILD)/gencap: $(GENCAP_SRC) tools/gencap.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(GENCAP_SRC) -lm

# LPM lookup benchmark (bench/lpm runs it three times and reports medians).
$(BUILD)/lpm_bench: bench/lpm_bench.c $(BUILD)/libascribe.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libascribe.a $(LDLIBS)

# Enrichment lookups per backend, with and without the cache (bench/lookup).
$(BUILD)/enrich_bench: bench/enrich_bench.c $(BUILD)/libascribe.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libascribe.a $(LDLIBS)

# NetFlow v9 export generator for the flow-input benchmark (libc only).
$(BUILD)/genexport: tools/genexport.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

deps:
	scripts/deps

# The README's test command: installs what is missing, builds (warnings are
# errors), runs unit, differential, robustness and determinism tests.
test: deps
	$(MAKE) WERROR=-Werror all unit $(BUILD)/gencap
	$(MAKE) asan
	$(MAKE) tsan
	tests/run

# ASan+UBSan build used by the robustness tests.
asan:
	$(MAKE) BUILD=build-asan CC=clang WERROR=-Werror \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" all unit

# ThreadSanitizer build of the binary and the queue test, for the
# detection-thread checks (tests/scripts/t_threads.py).
tsan:
	$(MAKE) BUILD=build-tsan CC=clang WERROR=-Werror \
	  CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread" \
	  build-tsan/ascribe build-tsan/tests/test_detq

demo: deps all $(BUILD)/gencap
	scripts/demo

bench: deps all $(BUILD)/gencap $(BUILD)/lpm_bench $(BUILD)/enrich_bench $(BUILD)/genexport
	bench/run

FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=clang \
	  CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
	  build-fuzz/libascribe.a
	for t in $(FUZZ_TARGETS); do \
	  clang $(CPPFLAGS) -Isrc -O1 -g -fsanitize=fuzzer,address,undefined -o $$t tests/fuzz/$$(basename $$t).c \
	    build-fuzz/libascribe.a $(LDLIBS) || exit 1; done

FUZZ_SECONDS ?= 60
fuzz: deps fuzz-build
	tests/fuzz/run $(FUZZ_SECONDS)

format:
	clang-format -i $(SRC) $(wildcard src/*/*.h) $(UNITSRC) $(wildcard tests/fuzz/*.c)

check-format:
	clang-format --dry-run -Werror $(SRC) $(wildcard src/*/*.h)

clean:
	rm -rf build build-asan build-tsan build-fuzz

-include $(LIBOBJ:.o=.d) $(BUILD)/src/app/main.d
