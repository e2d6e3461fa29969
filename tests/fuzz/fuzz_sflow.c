/*
 * fuzz_sflow.c - libFuzzer target for the sFlow v5 decoder (and through it
 * the packet decoder on sampled headers). The whole input is one datagram,
 * copied to an exact-size heap block; the decoder state persists across
 * inputs (stitch buffer) and is flushed every 64.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "source/flowin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct asc_fi *fi;
static uint64_t n_inputs;

static void check(void *ctx, const struct asc_flow *f)
{
    (void)ctx;
    if (f->last < f->first || f->sampling == 0)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fi) {
        struct asc_fi_conf cf;
        asc_fi_conf_default(&cf);
        cf.max_stitch = 256;
        fi = asc_fi_new(&cf, check, NULL);
    }
    n_inputs++;
    uint8_t *dg = malloc(size ? size : 1);
    if (!dg)
        return 0;
    memcpy(dg, data, size);
    struct asc_addr ex = {.family = ASC_AF_INET, .b = {198, 51, 100, 1}};
    asc_fi_sniff(dg, size, 6343);
    asc_fi_datagram(fi, &ex, (asc_time)n_inputs * 1000000000, dg, size, ASC_FIP_SFLOW);
    free(dg);
    if (n_inputs % 64 == 0)
        asc_fi_flush(fi);
    return 0;
}
