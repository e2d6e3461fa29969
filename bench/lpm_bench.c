/*
 * lpm_bench.c - lookups per second of the enrichment LPM (src/enrich/lpm.h).
 *
 *   build/lpm_bench [GEO_DIR]     (default $ASCRIBE_DATA/geo)
 *
 * Loads the RouteViews pfx2as tables (pyasn-pfx2as/ipasn_20140513.dat.gz for
 * IPv4, the IPv6 lines of ipasn6_20151101.dat.gz), builds one table, and
 * times lookups over pre-generated address streams (generation is not
 * timed):
 *   mix      realistic: 70% from 2,000 heavy hitters (Zipf-like weights),
 *            30% long tail spread over the routed prefixes;
 *   uniform  every address drawn at random inside a random routed prefix
 *            (cache-hostile: the uncached rate).
 * Prints one line per (family, stream): "lpm v4 mix: N lookups/s". The
 * checksum line keeps the compiler from dropping the lookups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>
#include <zlib.h>

#include "enrich/lpm.h"

struct pfx {
    struct asc_addr a;
    unsigned plen;
};

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t load(const char *path, struct asc_lpm *t, struct pfx **out, size_t *n, size_t *cap,
                   int want_v6)
{
    gzFile f = gzopen(path, "rb");
    char line[256];
    size_t added = 0;
    if (!f) {
        fprintf(stderr, "lpm_bench: cannot open %s\n", path);
        exit(1);
    }
    while (gzgets(f, line, sizeof(line))) {
        char *tab = strchr(line, '\t');
        struct asc_addr a;
        unsigned plen;
        if (line[0] == ';' || !tab)
            continue;
        *tab = '\0';
        if (asc_cidr_parse(line, &a, &plen) != 0 || (a.family == ASC_AF_INET6) != want_v6)
            continue;
        asc_lpm_add(t, &a, plen, strtoul(tab + 1, NULL, 10));
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 65536;
            *out = realloc(*out, *cap * sizeof(**out));
        }
        (*out)[(*n)++] = (struct pfx){a, plen};
        added++;
    }
    gzclose(f);
    return added;
}

/* A random address inside p. */
static struct asc_addr inside(const struct pfx *p)
{
    struct asc_addr a = p->a;
    unsigned width = a.family == ASC_AF_INET ? 32 : 128;
    for (unsigned bit = p->plen; bit < width; bit++)
        if (rnd() & 1)
            a.b[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
    return a;
}

static void gen(struct asc_addr *q, size_t nq, const struct pfx *ps, size_t np, int mix)
{
    enum { HOT = 2000 };
    static struct asc_addr hot[HOT];
    for (size_t i = 0; i < HOT; i++)
        hot[i] = inside(&ps[rnd() % np]);
    for (size_t i = 0; i < nq; i++) {
        if (mix && rnd() % 10 < 7) {
            /* Zipf-like: rank r chosen with weight ~ 1/r via a log-uniform draw */
            double u = (double)(rnd() >> 11) / 9007199254740992.0;
            size_t r = (size_t)exp(u * log((double)HOT));
            q[i] = hot[(r ? r - 1 : 0) % HOT];
        } else {
            q[i] = inside(&ps[rnd() % np]);
        }
    }
}

/* IPv4 streams are host-order integers (as a flow record would hold them),
 * IPv6 streams struct asc_addr. */
static double run(const struct asc_lpm *t, const struct asc_addr *q, const uint32_t *q4,
                  size_t nq, uint64_t *sum)
{
    double t0 = now();
    uint64_t s = 0, v;
    if (q4) {
        for (size_t i = 0; i < nq; i++)
            if (asc_lpm_lookup4(t, q4[i], &v))
                s += v;
    } else {
        for (size_t i = 0; i < nq; i++)
            if (asc_lpm_lookup(t, &q[i], &v))
                s += v;
    }
    *sum += s;
    return (double)nq / (now() - t0);
}

int main(int argc, char **argv)
{
    char p4[1024], p6[1024];
    const char *data = getenv("ASCRIBE_DATA");
    char geo[900];
    if (argc > 1)
        snprintf(geo, sizeof(geo), "%s", argv[1]);
    else
        snprintf(geo, sizeof(geo), "%s/geo", data && *data ? data : "../shared/data");
    snprintf(p4, sizeof(p4), "%s/pyasn-pfx2as/ipasn_20140513.dat.gz", geo);
    snprintf(p6, sizeof(p6), "%s/pyasn-pfx2as/ipasn6_20151101.dat.gz", geo);

    struct asc_lpm *t = asc_lpm_new(ASC_LPM_LAST);
    struct pfx *v4 = NULL, *v6 = NULL;
    size_t n4 = 0, c4 = 0, n6 = 0, c6 = 0;
    load(p4, t, &v4, &n4, &c4, 0);
    load(p6, t, &v6, &n6, &c6, 1);
    double t0 = now();
    asc_lpm_build(t);
    struct asc_lpm_stats st;
    asc_lpm_stats(t, &st);
    printf("lpm build: %zu IPv4 + %zu IPv6 prefixes -> %zu + %zu ranges, %.1f MiB, %.2f s\n",
           st.n_prefixes4, st.n_prefixes6, st.n_ranges4, st.n_ranges6,
           (double)st.bytes / 1048576.0, now() - t0);
    if (!n4 || !n6)
        return 1;

    const size_t nq = 4u << 20;
    struct asc_addr *q = malloc(nq * sizeof(*q));
    uint32_t *q4 = malloc(nq * sizeof(*q4));
    uint64_t sum = 0;
    for (int fam = 0; fam < 2; fam++) {
        for (int mix = 1; mix >= 0; mix--) {
            gen(q, nq, fam ? v6 : v4, fam ? n6 : n4, mix);
            for (size_t i = 0; i < nq; i++)
                q4[i] = (uint32_t)q[i].b[0] << 24 | (uint32_t)q[i].b[1] << 16 |
                        (uint32_t)q[i].b[2] << 8 | q[i].b[3];
            run(t, q, fam ? NULL : q4, nq / 4, &sum); /* warm-up */
            double rate = run(t, q, fam ? NULL : q4, nq, &sum);
            printf("lpm %s %s: %.0f lookups/s\n", fam ? "v6" : "v4", mix ? "mix" : "uniform",
                   rate);
        }
    }
    printf("checksum %llu\n", (unsigned long long)sum);
    free(q);
    free(q4);
    free(v4);
    free(v6);
    asc_lpm_free(t);
    return 0;
}
