/*
 * enrich_bench.c - lookups per second through the enricher facade
 * (src/enrich/enrich.h), per backend, with and without the cache.
 *
 *   build/enrich_bench [DATA_DIR]     (default $ASCRIBE_DATA)
 *
 * The address stream (generated from a fixed seed before timing, so every
 * run and backend sees the same addresses): 80% IPv4, 20% IPv6; 70% of the
 * lookups go to 2,000 heavy hitters with Zipf-like weights (rank r drawn
 * log-uniformly, weight ~ 1/r), 30% are a long tail of random addresses
 * inside random routed prefixes (RouteViews pfx2as, 2014 IPv4 and 2015 IPv6
 * tables from DATA_DIR/geo/pyasn-pfx2as).
 *
 * Backends, each alone in an enricher (--no-default-db plus one database):
 *   libloc-tree  Debian's libloc database, libloc's own lookup (fast path off)
 *   libloc-flat  the same database through its LPM copy (loc_flat.c)
 *   mmdb-city    MaxMind's GeoIP2-City-Test.mmdb (test data, small tree)
 *   mmdb-asn     MaxMind's GeoLite2-ASN-Test.mmdb
 *   registry     the pfx2as IPv4 table as a registry backend (the project LPM)
 * Measured per backend:
 *   uncached   asc_enrich_lookup_uncached() over the stream
 *   mix        asc_enrich_lookup() over the stream, default 65,536-entry
 *              cache, cold at the start (hit ratio printed)
 *   hit        asc_enrich_lookup() over the stream's heavy-hitter lookups
 *              only (its 70%, in stream order), after one warm-up pass: the
 *              cost of a cache hit (hit ratio printed; below 1 only where
 *              two heavy hitters share a slot of the direct-mapped cache)
 * Each measurement runs BENCH_RUNS times (default 3) on one core and prints
 * the median and every run, as "lookup BACKEND MODE: median N lookups/s
 * (runs: ...)". A backend whose database is missing prints "skipped".
 * BENCH_BACKENDS="libloc-flat,registry" and BENCH_MODES="uncached,hit" measure
 * only those backends and modes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "enrich/enrich_int.h"
#include "enrich/loc_flat.h"
#include "enrich/lpm.h"

#define HOT 2000
#define NQ (2u << 20)

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

static size_t load(const char *path, struct pfx **out, size_t *n)
{
    gzFile f = gzopen(path, "rb");
    char line[256];
    size_t cap = 0;
    if (!f)
        return 0;
    while (gzgets(f, line, sizeof(line))) {
        char *tab = strchr(line, '\t');
        struct asc_addr a;
        unsigned plen;
        if (line[0] == ';' || !tab)
            continue;
        *tab = '\0';
        if (asc_cidr_parse(line, &a, &plen) != 0)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 65536;
            *out = realloc(*out, cap * sizeof(**out));
        }
        (*out)[(*n)++] = (struct pfx){a, plen};
    }
    gzclose(f);
    return *n;
}

static struct asc_addr inside(const struct pfx *p)
{
    struct asc_addr a = p->a;
    unsigned width = a.family == ASC_AF_INET ? 32 : 128;
    for (unsigned bit = p->plen; bit < width; bit++)
        if (rnd() & 1)
            a.b[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
    return a;
}

static const struct pfx *pick(const struct pfx *v4, size_t n4, const struct pfx *v6, size_t n6)
{
    return rnd() % 10 < 8 ? &v4[rnd() % n4] : &v6[rnd() % n6];
}

/* The stream q[NQ]; its heavy-hitter lookups are also copied to hq[],
 * *nh of them. */
static void gen(struct asc_addr *q, struct asc_addr *hq, size_t *nh, const struct pfx *v4,
                size_t n4, const struct pfx *v6, size_t n6)
{
    static struct asc_addr hot[HOT];
    for (size_t i = 0; i < HOT; i++)
        hot[i] = inside(pick(v4, n4, v6, n6));
    *nh = 0;
    for (size_t i = 0; i < NQ; i++) {
        if (rnd() % 10 < 7) {
            double u = (double)(rnd() >> 11) / 9007199254740992.0;
            size_t r = (size_t)exp(u * log((double)HOT));
            q[i] = hot[(r ? r - 1 : 0) % HOT];
            hq[(*nh)++] = q[i];
        } else {
            q[i] = inside(pick(v4, n4, v6, n6));
        }
    }
}

enum mode { UNCACHED, MIX, HIT };
static uint64_t sink;

/* Lookups/s over q[0..n). */
static double pass(struct asc_enricher *e, const struct asc_addr *q, size_t n, enum mode m)
{
    struct asc_geo g;
    uint64_t s = 0;
    double t0 = now();
    for (size_t i = 0; i < n; i++) {
        if (m == UNCACHED)
            asc_enrich_lookup_uncached(e, &q[i], &g);
        else
            asc_enrich_lookup(e, &q[i], &g);
        s += g.asn + (uint8_t)g.cc[0];
    }
    double dt = now() - t0;
    sink += s;
    return (double)n / dt;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct be_spec {
    const char *name;
    enum asc_db_kind kind;
    const char *path;
    uint64_t flat_after;
};

static struct asc_enricher *open_one(const struct be_spec *b, size_t cache)
{
    struct asc_db_arg arg = {b->kind, b->path};
    struct asc_enrich_conf cf = {.dbs = &arg,
                                 .n_dbs = 1,
                                 .no_default = true,
                                 .cache_entries = cache,
                                 .libloc_flat_after = b->flat_after};
    struct asc_enricher *e = NULL;
    struct asc_err err = {0};
    if (asc_enrich_open(&cf, &e, &err) != 0) {
        fprintf(stderr, "enrich_bench: %s: %s\n", b->name, err.msg);
        return NULL;
    }
    return e;
}

static void measure(const struct be_spec *b, const struct asc_addr *q, const struct asc_addr *hq,
                    size_t nh, int runs)
{
    static const char *const mname[] = {"uncached", "mix", "hit"};
    const char *modes = getenv("BENCH_MODES"); /* e.g. "uncached,hit" */
    for (int m = UNCACHED; m <= HIT; m++) {
        if (modes && !strstr(modes, mname[m]))
            continue;
        double r[16];
        double hits = 0;
        for (int i = 0; i < runs; i++) {
            struct asc_enricher *e = open_one(b, 0);
            if (!e) {
                printf("lookup %s: skipped\n", b->name);
                return;
            }
            /* warm the backend (the libloc fast path is built here) */
            pass(e, q, 30000, UNCACHED);
            if (getenv("BENCH_SPIN")) /* profiling: the timed loop for that many seconds */
                for (double t0 = now(); now() - t0 < atof(getenv("BENCH_SPIN"));)
                    pass(e, m == HIT ? hq : q, m == HIT ? nh : NQ, (enum mode)m);
            uint64_t q0 = asc_enrich_queries(e);
            size_t n = NQ;
            if (m == UNCACHED) { /* about 0.4 s of work */
                double rate = pass(e, q, 20000, UNCACHED);
                n = (size_t)fmin(NQ, fmax(20000, rate * 0.4));
                r[i] = pass(e, q, n, UNCACHED);
            } else if (m == MIX) { /* the whole stream, from a cold cache */
                r[i] = pass(e, q, n, MIX);
                hits = 1.0 - (double)(asc_enrich_queries(e) - q0) / (double)n;
            } else {
                pass(e, hq, nh, MIX);
                q0 = asc_enrich_queries(e);
                r[i] = pass(e, hq, nh, HIT);
                hits = 1.0 - (double)(asc_enrich_queries(e) - q0) / (double)nh;
            }
            asc_enrich_close(e);
        }
        qsort(r, (size_t)runs, sizeof(r[0]), cmp_d);
        printf("lookup %s %s: median %.0f lookups/s (runs:", b->name, mname[m], r[runs / 2]);
        for (int i = 0; i < runs; i++)
            printf(" %.0f", r[i]);
        if (m != UNCACHED)
            printf("; hit ratio %.3f", hits);
        printf(")\n");
        fflush(stdout);
    }
}

/* Build time and memory of the libloc fast path, from the backend itself. */
static void flat_stats(const char *path)
{
    struct asc_geo_backend b;
    struct asc_err err = {0};
    if (access(path, R_OK) != 0 || asc_loc_open(path, &b, &err) != 0)
        return;
    if (asc_loc_flatten(&b, &err) == 0) {
        struct asc_loc_flat_stats st;
        asc_loc_flat_stats(asc_loc_flat_of(&b), &st);
        printf("libloc fast path: %zu IPv4 + %zu IPv6 networks, %zu tree nodes, %zu ASes -> "
               "%zu ranges, %.1f MiB kept, built in %.2f s\n",
               st.networks4, st.networks6, st.nodes, st.ases, st.ranges,
               (double)st.bytes / 1048576.0, st.seconds);
    } else {
        printf("libloc fast path: build failed: %s\n", err.msg);
    }
    b.close(b.state);
}

int main(int argc, char **argv)
{
    const char *env = getenv("ASCRIBE_DATA");
    const char *data = argc > 1 ? argv[1] : env && *env ? env : "../shared/data";
    const char *runs_s = getenv("BENCH_RUNS");
    int runs = runs_s ? atoi(runs_s) : 3;
    if (runs < 1 || runs > 15)
        runs = 3;
    char p4[1024], p6[1024], city[1024], asn[1024];
    snprintf(p4, sizeof(p4), "%s/geo/pyasn-pfx2as/ipasn_20140513.dat.gz", data);
    snprintf(p6, sizeof(p6), "%s/geo/pyasn-pfx2as/ipasn6_20151101.dat.gz", data);
    snprintf(city, sizeof(city), "%s/geo/maxmind-test-data/valid/GeoIP2-City-Test.mmdb", data);
    snprintf(asn, sizeof(asn), "%s/geo/maxmind-test-data/valid/GeoLite2-ASN-Test.mmdb", data);
    struct pfx *v4 = NULL, *v6 = NULL;
    size_t n4 = 0, n6 = 0;
    if (!load(p4, &v4, &n4) || !load(p6, &v6, &n6)) {
        fprintf(stderr, "enrich_bench: cannot read %s and %s\n", p4, p6);
        return 1;
    }
    struct asc_addr *q = malloc(NQ * sizeof(*q)), *hq = malloc(NQ * sizeof(*hq));
    size_t nh = 0;
    gen(q, hq, &nh, v4, n4, v6, n6);
    printf("stream: %u lookups, 80%% IPv4, 70%% from %d heavy hitters (Zipf-like), 30%% long "
           "tail in %zu IPv4 + %zu IPv6 routed prefixes; %d runs, medians, one core\n",
           NQ, HOT, n4, n6, runs);
    flat_stats(ASC_LOC_DEFAULT_PATH);
    const struct be_spec bes[] = {
        {"libloc-tree", ASC_DB_LIBLOC, ASC_LOC_DEFAULT_PATH, UINT64_MAX},
        {"libloc-flat", ASC_DB_LIBLOC, ASC_LOC_DEFAULT_PATH, 1},
        {"mmdb-city", ASC_DB_GEO, city, 0},
        {"mmdb-asn", ASC_DB_ASN, asn, 0},
        {"registry", ASC_DB_REGISTRY, p4, 0},
    };
    const char *only = getenv("BENCH_BACKENDS"); /* e.g. "libloc-flat,registry" */
    for (size_t i = 0; i < ASC_ARRAY_LEN(bes); i++)
        if (!only || strstr(only, bes[i].name))
            measure(&bes[i], q, hq, nh, runs);
    printf("checksum %llu\n", (unsigned long long)sink);
    free(q);
    free(hq);
    free(v4);
    free(v6);
    return 0;
}
