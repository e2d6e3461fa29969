/*
 * fuzz_intel.c - libFuzzer target: the bytes as an intel list file, loaded
 * through asc_intel_load_stream (fmemopen), then looked up.
 *
 * Invariants checked with __builtin_trap(): one list loaded, entry and bad
 * counts never exceed the number of lines, matches only carry that list's
 * bit.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/common.h"
#include "enrich/intel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct asc_err err = {0};
    static bool quiet;
    if (!quiet) {
        asc_log_set_level(ASC_LOG_ERROR);
        quiet = true;
    }
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)(uintptr_t)data, size, "r");
    if (!f)
        return 0;
    struct asc_intel *in = asc_intel_new();
    int i = asc_intel_load_stream(in, f, "fuzz.txt", &err);
    fclose(f);
    if (i != 0 || asc_intel_n_lists(in) != 1)
        __builtin_trap();
    const struct asc_intel_list *l = asc_intel_list(in, 0);
    uint64_t lines = 1;
    for (size_t k = 0; k < size; k++)
        lines += data[k] == '\n';
    if (l->n_bad > lines || l->n_addrs + l->n_nets > lines * 128 || l->n_domains > lines)
        __builtin_trap();
    struct asc_addr a = {.family = ASC_AF_INET};
    memcpy(a.b, data, size < 4 ? size : 4);
    if (asc_intel_match_addr(in, &a) & ~1ull)
        __builtin_trap();
    char name[64];
    size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;
    memcpy(name, data, n);
    name[n] = '\0';
    if (asc_intel_match_domain(in, name) & ~1ull)
        __builtin_trap();
    asc_intel_free(in);
    return 0;
}
