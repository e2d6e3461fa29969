/*
 * fuzz_netflow.c - libFuzzer target for the NetFlow v5/v9 and IPFIX
 * decoders, with per-exporter state (templates, held sets, sampling,
 * stitch buffer) persisting across inputs, as on a live collector.
 *
 * Byte 0 picks the exporter (4 addresses) and how the datagram is taken:
 * sniffed, or forced as v5, v9 or IPFIX. The rest is one datagram, copied
 * into a heap block of exactly its length so ASan sees any over-read.
 * Every 64 inputs the state is flushed; every 4096 it is rebuilt, so the
 * caps (small here) and the free paths are exercised too.
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
    if (f->last < f->first || f->sampling == 0 || f->key.orig.family == ASC_AF_NONE)
        __builtin_trap();
}

static struct asc_fi *state(void)
{
    if (fi && n_inputs % 4096 == 0) {
        asc_fi_free(fi);
        fi = NULL;
    }
    if (!fi) {
        struct asc_fi_conf cf;
        asc_fi_conf_default(&cf);
        cf.max_exporters = 8;
        cf.max_templates = 32;
        cf.max_held = 16;
        cf.max_held_bytes = 1 << 16;
        cf.max_stitch = 256;
        fi = asc_fi_new(&cf, check, NULL);
    }
    return fi;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum asc_fi_proto kinds[] = {ASC_FIP_NONE, ASC_FIP_NF5, ASC_FIP_NF9,
                                              ASC_FIP_IPFIX};
    if (size < 1)
        return 0;
    struct asc_fi *s = state();
    n_inputs++;
    struct asc_addr ex = {.family = ASC_AF_INET, .b = {192, 0, 2, (uint8_t)(data[0] & 3)}};
    size_t len = size - 1;
    uint8_t *dg = malloc(len ? len : 1);
    if (!dg)
        return 0;
    memcpy(dg, data + 1, len);
    asc_time ts = (asc_time)n_inputs * 250000000;   /* 4 datagrams per second */
    asc_fi_datagram(s, &ex, ts, dg, len, kinds[(data[0] >> 2) & 3]);
    free(dg);
    if (n_inputs % 64 == 0)
        asc_fi_flush(s);
    if (asc_fi_mem(s) > (64u << 20))
        __builtin_trap();   /* the caps must bound memory */
    return 0;
}
