/*
 * fuzz_pcapng.c - libFuzzer target for our own pcapng block reader
 * (src/source/pcapng.h), fed straight from memory.
 *
 * Invariants: a frame's bytes lie within the input (they are copied from
 * it verbatim), the byte count never exceeds the input size, an error's
 * offset lies within the input, and after an error the reader stays done.
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <string.h>

#include "source/pcapng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mem {
    const uint8_t *p;
    size_t n, off;
};

static size_t mem_read(void *ctx, void *buf, size_t n)
{
    struct mem *m = ctx;
    size_t k = n < m->n - m->off ? n : m->n - m->off;
    memcpy(buf, m->p + m->off, k);
    m->off += k;
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mem m = {.p = data, .n = size};
    struct asc_pcapng *r = NULL;
    struct asc_err err = {0};
    struct asc_frame fr;
    if (asc_pcapng_new(mem_read, &m, &r, &err) < 0)
        return 0;
    int rc;
    while ((rc = asc_pcapng_next(r, &fr, &err)) == 1) {
        if (fr.caplen > size || asc_pcapng_offset(r) > size)
            __builtin_trap();
        if (size <= 65536 && fr.caplen && !memmem(data, size, fr.data, fr.caplen))
            __builtin_trap();
    }
    if (rc < 0 && (err.offset > size || asc_pcapng_next(r, &fr, &err) != 0))
        __builtin_trap();
    asc_pcapng_free(r);
    return 0;
}
