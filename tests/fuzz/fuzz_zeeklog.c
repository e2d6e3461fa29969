/*
 * fuzz_zeeklog.c - libFuzzer target for the Zeek conn.log reader (TSV with
 * headers in any order, JSON lines). The input is split into lines, each
 * copied to an exact-size heap block; a fresh reader per input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "source/flowin.h"
#include "source/zeeklog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(void *ctx, const struct asc_flow *f)
{
    (void)ctx;
    if (f->key.orig.family != f->key.resp.family || f->history[ASC_HIST_MAX] != '\0')
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct asc_fi *fi = asc_fi_new(NULL, check, NULL);
    struct asc_zeek *z = asc_zeek_new(fi);
    asc_zeek_sniff(data, size);
    size_t a = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != '\n')
            continue;
        size_t n = i - a;
        char *line = malloc(n ? n : 1);
        if (line) {
            memcpy(line, data + a, n);
            asc_zeek_line(z, line, n);
            free(line);
        }
        a = i + 1;
    }
    asc_zeek_free(z);
    asc_fi_flush(fi);
    asc_fi_free(fi);
    return 0;
}
