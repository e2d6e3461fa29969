/*
 * fuzz_registry.c - libFuzzer target: the bytes as a registry file (RIR
 * delegated, pfx2as, country list, iptoasn; plain or gzip) opened through
 * asc_registry_open, then looked up and walked.
 *
 * The loader reads through zlib's gz reader, which needs a path, so each
 * input is written to one temporary file per process (under $TMPDIR),
 * rewritten for every input and removed at exit. Invariants are checked
 * with __builtin_trap().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/common.h"
#include "enrich/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[256];

static void cleanup(void)
{
    if (path[0])
        unlink(path);
}

static void walk_cb(void *ctx, const struct asc_addr *net, unsigned plen,
                    const struct asc_geo_part *g)
{
    (void)g;
    if (plen > (net->family == ASC_AF_INET ? 32u : 128u))
        __builtin_trap();
    ++*(uint64_t *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(path, sizeof(path), "%s/fuzz_registry.XXXXXX", t && *t ? t : "/tmp");
        int fd = mkstemp(path);
        if (fd < 0)
            abort();
        close(fd);
        atexit(cleanup);
        asc_log_set_level(ASC_LOG_ERROR);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    struct asc_geo_backend b;
    struct asc_err err = {0};
    if (asc_registry_open(path, &b, &err) != 0) {
        if (b.state || !err.msg[0])
            __builtin_trap();
        return 0;
    }
    const struct asc_registry_stats *s = asc_registry_stats(&b);
    if (!s || s->n_records == 0)
        __builtin_trap();
    struct asc_geo_part g;
    struct asc_addr a = {.family = ASC_AF_INET};
    memcpy(a.b, data, size < 4 ? size : 4);
    memset(&g, 0, sizeof(g));
    b.lookup(b.state, &a, &g);
    a.family = ASC_AF_INET6;
    memcpy(a.b, data, size < 16 ? size : 16);
    b.lookup(b.state, &a, &g);
    uint64_t n = 0;
    b.walk(b.state, walk_cb, &n);
    if (n > s->n_prefixes)
        __builtin_trap();
    b.close(b.state);
    return 0;
}
