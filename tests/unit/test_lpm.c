/*
 * test_lpm.c - the longest-prefix-match table (src/enrich/lpm.h).
 *
 * Hand cases (nesting, /0, /32, /128, duplicates, OR inheritance, ranges to
 * CIDRs), then a differential test on the real registry files under
 * $ASCRIBE_DATA/geo: every prefix of the ipverse country lists, both pfx2as
 * tables and the RIR delegated files goes into one table, and 1M random
 * IPv4 and 1M random IPv6 addresses (half of them inside a loaded prefix)
 * are looked up in it and in a brute-force reference: a hash of
 * (prefix, length) probed at every length present, longest first.
 */
#include <dirent.h>
#include <zlib.h>

#include "enrich/lpm.h"
#include "harness.h"
#include "testdata.h"

/* ------------------------------------------------------------ hand cases */

static struct asc_addr A(const char *s)
{
    struct asc_addr a;
    if (asc_addr_parse(s, &a) != 0)
        abort();
    return a;
}

static void add(struct asc_lpm *t, const char *cidr, uint64_t v)
{
    struct asc_addr a;
    unsigned plen;
    if (asc_cidr_parse(cidr, &a, &plen) != 0)
        abort();
    CHECK(asc_lpm_add(t, &a, plen, v) == 0);
}

static uint64_t get(const struct asc_lpm *t, const char *addr)
{
    uint64_t v = 0;
    struct asc_addr a = A(addr);
    return asc_lpm_lookup(t, &a, &v) ? v : UINT64_MAX;
}

static void test_nesting(void)
{
    struct asc_lpm *t = asc_lpm_new(ASC_LPM_LAST);
    CHECK(get(t, "10.0.0.1") == UINT64_MAX); /* not built yet */
    add(t, "10.0.0.0/8", 1);
    add(t, "10.1.0.0/16", 2);
    add(t, "10.1.2.0/24", 3);
    add(t, "10.1.2.3/32", 4);
    add(t, "10.1.2.0/25", 5);
    add(t, "10.255.255.255/32", 6);
    asc_lpm_build(t);
    CHECK_EQ_U(get(t, "10.0.0.0"), 1);
    CHECK_EQ_U(get(t, "10.1.0.0"), 2);
    CHECK_EQ_U(get(t, "10.1.2.3"), 4);
    CHECK_EQ_U(get(t, "10.1.2.4"), 5);
    CHECK_EQ_U(get(t, "10.1.2.128"), 3);
    CHECK_EQ_U(get(t, "10.1.3.0"), 2);
    CHECK_EQ_U(get(t, "10.2.0.0"), 1);
    CHECK_EQ_U(get(t, "10.255.255.254"), 1);
    CHECK_EQ_U(get(t, "10.255.255.255"), 6);
    CHECK(get(t, "11.0.0.0") == UINT64_MAX);
    CHECK(get(t, "9.255.255.255") == UINT64_MAX);
    CHECK(get(t, "::1") == UINT64_MAX);
    struct asc_lpm_stats st;
    asc_lpm_stats(t, &st);
    CHECK_EQ_U(st.n_prefixes4, 6);
    asc_lpm_free(t);
}

static void test_edges(void)
{
    struct asc_lpm *t = asc_lpm_new(ASC_LPM_LAST);
    add(t, "0.0.0.0/0", 7);
    add(t, "255.255.255.255/32", 8);
    add(t, "0.0.0.0/32", 9);
    add(t, "::/0", 10);
    add(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 11);
    add(t, "::/128", 12);
    add(t, "2001:db8::/32", 13);
    add(t, "2001:db8::1/128", 14);
    add(t, "1.2.3.4/8", 15); /* host bits ignored: 1.0.0.0/8 */
    asc_lpm_build(t);
    CHECK_EQ_U(get(t, "0.0.0.0"), 9);
    CHECK_EQ_U(get(t, "0.0.0.1"), 7);
    CHECK_EQ_U(get(t, "128.0.0.0"), 7);
    CHECK_EQ_U(get(t, "255.255.255.254"), 7);
    CHECK_EQ_U(get(t, "255.255.255.255"), 8);
    CHECK_EQ_U(get(t, "1.0.0.0"), 15);
    CHECK_EQ_U(get(t, "::"), 12);
    CHECK_EQ_U(get(t, "::1"), 10);
    CHECK_EQ_U(get(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), 10);
    CHECK_EQ_U(get(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 11);
    CHECK_EQ_U(get(t, "2001:db8::1"), 14);
    CHECK_EQ_U(get(t, "2001:db8::2"), 13);
    CHECK_EQ_U(get(t, "2001:db9::"), 10);
    struct asc_addr a = A("1.2.3.4");
    CHECK(asc_lpm_add(t, &a, 33, 1) == ASC_EINVAL);
    a = A("::1");
    CHECK(asc_lpm_add(t, &a, 129, 1) == ASC_EINVAL);
    a.family = 0;
    CHECK(asc_lpm_add(t, &a, 1, 1) == ASC_EINVAL);
    asc_lpm_free(t);
}

static void test_duplicates(void)
{
    struct asc_lpm *last = asc_lpm_new(ASC_LPM_LAST), *first = asc_lpm_new(ASC_LPM_FIRST),
                   *or = asc_lpm_new(ASC_LPM_OR);
    struct asc_lpm *all[] = {last, first, or};
    for (int i = 0; i < 3; i++) {
        add(all[i], "192.0.2.0/24", 1);
        add(all[i], "192.0.2.0/24", 2);
        add(all[i], "192.0.0.0/16", 4);
        add(all[i], "192.0.2.128/25", 8);
        asc_lpm_build(all[i]);
    }
    CHECK_EQ_U(get(last, "192.0.2.1"), 2);
    CHECK_EQ_U(get(first, "192.0.2.1"), 1);
    CHECK_EQ_U(get(or, "192.0.2.1"), 1 | 2 | 4);
    CHECK_EQ_U(get(or, "192.0.2.200"), 1 | 2 | 4 | 8);
    CHECK_EQ_U(get(last, "192.0.2.200"), 8);
    CHECK_EQ_U(get(or, "192.0.3.0"), 4);
    /* rebuild after more adds */
    add(last, "192.0.2.0/24", 3);
    CHECK_EQ_U(get(last, "192.0.2.1"), 2);
    asc_lpm_build(last);
    CHECK_EQ_U(get(last, "192.0.2.1"), 3);
    struct asc_lpm_stats st;
    asc_lpm_stats(last, &st);
    CHECK_EQ_U(st.n_prefixes4, 3);
    for (int i = 0; i < 3; i++)
        asc_lpm_free(all[i]);
}

struct cidr_list {
    char s[16][64];
    int n;
};

static void collect(void *ctx, const struct asc_addr *net, unsigned plen)
{
    struct cidr_list *l = ctx;
    char b[ASC_ADDR_STRLEN];
    if (l->n < 16)
        snprintf(l->s[l->n], sizeof(l->s[0]), "%s/%u", asc_addr_str(net, b, sizeof(b)), plen);
    l->n++;
}

static void test_range_to_cidrs(void)
{
    struct cidr_list l = {0};
    struct asc_addr lo = A("1.1.1.2"), hi = A("1.1.1.255");
    CHECK(asc_range_to_cidrs(&lo, &hi, collect, &l) == 7);
    CHECK_STR(l.s[0], "1.1.1.2/31");
    CHECK_STR(l.s[6], "1.1.1.128/25");
    memset(&l, 0, sizeof(l));
    lo = A("0.0.0.0"), hi = A("255.255.255.255");
    CHECK(asc_range_to_cidrs(&lo, &hi, collect, &l) == 1);
    CHECK_STR(l.s[0], "0.0.0.0/0");
    memset(&l, 0, sizeof(l));
    lo = A("::"), hi = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    CHECK(asc_range_to_cidrs(&lo, &hi, collect, &l) == 1);
    CHECK_STR(l.s[0], "::/0");
    memset(&l, 0, sizeof(l));
    lo = A("10.0.0.5"), hi = A("10.0.0.5");
    CHECK(asc_range_to_cidrs(&lo, &hi, collect, &l) == 1);
    CHECK_STR(l.s[0], "10.0.0.5/32");
    lo = A("10.0.0.6");
    CHECK(asc_range_to_cidrs(&lo, &hi, collect, &l) == ASC_EINVAL);
    /* RIR-style: 1024 + 512 addresses from an aligned start */
    memset(&l, 0, sizeof(l));
    lo = A("196.0.0.0"), hi = A("196.0.5.255");
    CHECK(asc_range_to_cidrs(&lo, &hi, collect, &l) == 2);
    CHECK_STR(l.s[0], "196.0.0.0/22");
    CHECK_STR(l.s[1], "196.0.4.0/23");
}

static void test_cidr_parse(void)
{
    struct asc_addr a;
    unsigned p;
    CHECK(asc_cidr_parse("1.2.3.4", &a, &p) == 0 && p == 32);
    CHECK(asc_cidr_parse("1.2.3.0/24", &a, &p) == 0 && p == 24);
    CHECK(asc_cidr_parse("2001:db8::/32", &a, &p) == 0 && p == 32 && a.family == ASC_AF_INET6);
    CHECK(asc_cidr_parse("1.2.3.0/33", &a, &p) != 0);
    CHECK(asc_cidr_parse("1.2.3.0/", &a, &p) != 0);
    CHECK(asc_cidr_parse("1.2.3.0/-1", &a, &p) != 0);
    CHECK(asc_cidr_parse("1.2.3.0/0024", &a, &p) != 0);
    CHECK(asc_cidr_parse("/24", &a, &p) != 0);
    CHECK(asc_cidr_parse("1.2.3/24", &a, &p) != 0);
    CHECK(asc_cidr_parse("evil.com", &a, &p) != 0);
    CHECK(asc_cidr_parse("", &a, &p) != 0);
}

/* OR mode against a brute-force union over random nested prefixes. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_or_random(void)
{
    enum { NP = 400, NQ = 40000 };
    static uint32_t net[NP], mask[NP];
    static uint64_t val[NP];
    struct asc_lpm *t = asc_lpm_new(ASC_LPM_OR);
    for (int i = 0; i < NP; i++) {
        unsigned plen = 8 + (unsigned)(rnd() % 25);
        mask[i] = plen ? ~0u << (32 - plen) : 0;
        net[i] = (uint32_t)(0x0a000000u | (rnd() & 0x00ffffffu)) & mask[i];
        val[i] = 1ull << (rnd() % 64);
        CHECK(asc_lpm_add4(t, net[i], plen, val[i]) == 0);
    }
    asc_lpm_build(t);
    int bad = 0;
    for (int q = 0; q < NQ; q++) {
        uint32_t a = (uint32_t)(0x0a000000u | (rnd() & 0x00ffffffu));
        if (q & 1)
            a = net[rnd() % NP] | (uint32_t)(rnd() & 0xff);
        uint64_t want = 0, got = 0;
        for (int i = 0; i < NP; i++)
            if ((a & mask[i]) == net[i])
                want |= val[i];
        if (!asc_lpm_lookup4(t, a, &got))
            got = 0;
        bad += got != want;
    }
    CHECK_EQ_U(bad, 0);
    asc_lpm_free(t);
}

/* ------------------------------------------------------------ real data */

struct pfx {
    uint64_t hi, lo; /* IPv4 in hi's top 32 bits */
    uint32_t id;
    uint8_t plen, v6;
};

struct refset {
    struct pfx *p; /* every prefix added, in order */
    size_t n, cap;
    struct pfx *h; /* open addressing: (v6, hi, lo, plen) -> last id */
    size_t hcap;
    uint8_t lens[2][129];
};

static void ref_add(struct refset *r, const struct asc_addr *a, unsigned plen)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1 << 16;
        r->p = realloc(r->p, r->cap * sizeof(*r->p));
    }
    struct pfx *x = &r->p[r->n];
    x->hi = x->lo = 0;
    for (int i = 0; i < 8; i++)
        x->hi = (x->hi << 8) | a->b[i];
    for (int i = 8; i < 16; i++)
        x->lo = (x->lo << 8) | a->b[i];
    x->plen = (uint8_t)plen;
    x->v6 = a->family == ASC_AF_INET6;
    x->id = (uint32_t)r->n + 1;
    r->n++;
}

static void mask_pfx(uint64_t *hi, uint64_t *lo, unsigned bits)
{
    /* keep the top `bits` bits of the 128-bit value */
    if (bits < 64) {
        *lo = 0;
        *hi = bits ? *hi & (~0ull << (64 - bits)) : 0;
    } else if (bits < 128) {
        *lo &= bits == 64 ? 0 : ~0ull << (128 - bits);
    }
}

static size_t ref_slot(const struct refset *r, uint64_t hi, uint64_t lo, unsigned plen, int v6)
{
    uint64_t h = (hi * 0x9e3779b97f4a7c15ull) ^ (lo * 0xc2b2ae3d27d4eb4full) ^
                 ((uint64_t)plen << 1 | (uint64_t)v6) * 0x165667b19e3779f9ull;
    h ^= h >> 29;
    size_t i = (size_t)h & (r->hcap - 1);
    while (r->h[i].plen != 0xff &&
           !(r->h[i].hi == hi && r->h[i].lo == lo && r->h[i].plen == plen && r->h[i].v6 == v6))
        i = (i + 1) & (r->hcap - 1);
    return i;
}

static void ref_index(struct refset *r)
{
    r->hcap = 1;
    while (r->hcap < r->n * 2)
        r->hcap <<= 1;
    r->h = malloc(r->hcap * sizeof(*r->h));
    for (size_t i = 0; i < r->hcap; i++)
        r->h[i].plen = 0xff;
    for (size_t i = 0; i < r->n; i++) {
        struct pfx x = r->p[i];
        unsigned bits = x.v6 ? x.plen : x.plen; /* v4 sits in the top 32 bits */
        mask_pfx(&x.hi, &x.lo, bits);
        r->p[i].hi = x.hi, r->p[i].lo = x.lo;
        size_t s = ref_slot(r, x.hi, x.lo, x.plen, x.v6);
        r->h[s] = x; /* later duplicates overwrite: "last wins" */
        r->lens[x.v6][x.plen] = 1;
    }
}

static uint32_t ref_lookup(const struct refset *r, uint64_t hi, uint64_t lo, int v6)
{
    for (int len = v6 ? 128 : 32; len >= 0; len--) {
        if (!r->lens[v6][len])
            continue;
        uint64_t h = hi, l = lo;
        mask_pfx(&h, &l, (unsigned)len);
        size_t s = ref_slot(r, h, l, (unsigned)len, v6);
        if (r->h[s].plen != 0xff)
            return r->h[s].id;
    }
    return 0;
}

static int load_cidr_file(struct refset *r, const char *path, int gz)
{
    gzFile f = gzopen(path, "rb");
    char line[512];
    int n = 0;
    if (!f)
        return -1;
    while (gzgets(f, line, sizeof(line))) {
        if (line[0] == '#' || line[0] == ';')
            continue;
        char *tok = strtok(line, " \t\r\n");
        struct asc_addr a;
        unsigned plen;
        if (tok && asc_cidr_parse(tok, &a, &plen) == 0) {
            ref_add(r, &a, plen);
            n++;
        }
    }
    (void)gz;
    gzclose(f);
    return n;
}

static void ref_add_cb(void *ctx, const struct asc_addr *net, unsigned plen)
{
    ref_add(ctx, net, plen);
}

/* RIR delegated: ipv4 start|count split into CIDRs, ipv6 start|plen. */
static int load_rir(struct refset *r, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    int n = 0;
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        char *fld[8] = {0};
        int k = 0;
        for (char *p = line, *s; k < 8 && (s = strsep(&p, "|")); k++)
            fld[k] = s;
        if (k < 7 || strcmp(fld[1], "*") == 0)
            continue;
        struct asc_addr lo, hi;
        unsigned long cnt = strtoul(fld[4], NULL, 10);
        if (strcmp(fld[2], "ipv6") == 0 && asc_addr_parse(fld[3], &lo) == 0 && cnt <= 128) {
            ref_add(r, &lo, (unsigned)cnt);
            n++;
        } else if (strcmp(fld[2], "ipv4") == 0 && asc_addr_parse(fld[3], &lo) == 0 && cnt) {
            uint32_t a = ((uint32_t)lo.b[0] << 24 | (uint32_t)lo.b[1] << 16 |
                          (uint32_t)lo.b[2] << 8 | lo.b[3]) + (uint32_t)(cnt - 1);
            hi = lo;
            hi.b[0] = (uint8_t)(a >> 24), hi.b[1] = (uint8_t)(a >> 16);
            hi.b[2] = (uint8_t)(a >> 8), hi.b[3] = (uint8_t)a;
            if (asc_range_to_cidrs(&lo, &hi, ref_add_cb, r) > 0)
                n++;
        }
    }
    fclose(f);
    return n;
}

static int load_ipverse(struct refset *r, const char *dir)
{
    char path[1024];
    DIR *d = opendir(dir);
    struct dirent *de;
    int files = 0;
    if (!d)
        return -1;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        for (int v = 4; v <= 6; v += 2) {
            if (snprintf(path, sizeof(path), "%s/%s/ipv%d-aggregated.txt", dir, de->d_name, v) <
                    (int)sizeof(path) &&
                load_cidr_file(r, path, 0) >= 0)
                files++;
        }
    }
    closedir(d);
    return files;
}

static void query_one(const struct asc_lpm *t, const struct refset *r, uint64_t hi, uint64_t lo,
                      int v6, size_t *bad, size_t *hits)
{
    struct asc_addr a = {.family = v6 ? ASC_AF_INET6 : ASC_AF_INET};
    for (int i = 0; i < 8; i++)
        a.b[i] = (uint8_t)(hi >> (56 - 8 * i));
    for (int i = 0; i < 8; i++)
        a.b[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
    uint64_t got = 0;
    if (!asc_lpm_lookup(t, &a, &got))
        got = 0;
    uint32_t want = ref_lookup(r, hi, lo, v6);
    if (got != want && (*bad)++ < 5) {
        char b[ASC_ADDR_STRLEN];
        fprintf(stderr, "  mismatch %s: lpm %llu ref %u\n", asc_addr_str(&a, b, sizeof(b)),
                (unsigned long long)got, want);
    }
    *hits += want != 0;
}

static void test_real_registry_files(void)
{
    char buf[1024], p[1024];
    const char *geo = td_path("geo", buf, sizeof(buf));
    if (!geo)
        return;
    struct refset r = {0};
    CHECK(snprintf(p, sizeof(p), "%s/ipverse-country-ip-blocks/country", geo) < (int)sizeof(p));
    CHECK(load_ipverse(&r, p) > 400);
    const char *files[] = {"pyasn-pfx2as/ipasn_20140513.dat.gz",
                           "pyasn-pfx2as/ipasn6_20151101.dat.gz"};
    for (size_t i = 0; i < 2; i++) {
        CHECK(snprintf(p, sizeof(p), "%s/%s", geo, files[i]) < (int)sizeof(p));
        CHECK(load_cidr_file(&r, p, 1) > 100000);
    }
    const char *rirs[] = {"rir-delegated/delegated-afrinic-extended-latest",
                          "rir-delegated/delegated-lacnic-extended-latest"};
    for (size_t i = 0; i < 2; i++) {
        CHECK(snprintf(p, sizeof(p), "%s/%s", geo, rirs[i]) < (int)sizeof(p));
        CHECK(load_rir(&r, p) > 1000);
    }
    struct asc_lpm *t = asc_lpm_new(ASC_LPM_LAST);
    for (size_t i = 0; i < r.n; i++) {
        struct asc_addr a = {.family = r.p[i].v6 ? ASC_AF_INET6 : ASC_AF_INET};
        for (int k = 0; k < 8; k++)
            a.b[k] = (uint8_t)(r.p[i].hi >> (56 - 8 * k));
        for (int k = 0; k < 8; k++)
            a.b[8 + k] = (uint8_t)(r.p[i].lo >> (56 - 8 * k));
        CHECK(asc_lpm_add(t, &a, r.p[i].plen, r.p[i].id) == 0);
    }
    asc_lpm_build(t);
    ref_index(&r);
    printf("# %zu prefixes loaded\n", r.n);
    size_t bad4 = 0, bad6 = 0, hits4 = 0, hits6 = 0;
    const size_t nq = 1000000;
    for (size_t q = 0; q < nq; q++) {
        uint64_t hi = rnd() & 0xffffffff00000000ull;
        if (q & 1) { /* inside a random loaded IPv4 prefix */
            const struct pfx *x;
            do
                x = &r.p[rnd() % r.n];
            while (x->v6);
            hi = x->hi | ((rnd() & 0xffffffff00000000ull) >> x->plen & ~0ull >> x->plen);
            hi &= 0xffffffff00000000ull;
        }
        query_one(t, &r, hi, 0, 0, &bad4, &hits4);
    }
    for (size_t q = 0; q < nq; q++) {
        uint64_t hi = rnd(), lo = rnd();
        if (q & 1) {
            const struct pfx *x;
            do
                x = &r.p[rnd() % r.n];
            while (!x->v6);
            uint64_t mh = x->plen >= 64 ? ~0ull : (x->plen ? ~0ull << (64 - x->plen) : 0);
            uint64_t ml = x->plen <= 64 ? 0 : (x->plen >= 128 ? ~0ull : ~0ull << (128 - x->plen));
            hi = x->hi | (hi & ~mh);
            lo = x->lo | (lo & ~ml);
        } else if (q % 4 == 0) {
            hi = (hi & 0x1fffffffffffffffull) | 0x2000000000000000ull; /* 2000::/3 */
        }
        query_one(t, &r, hi, lo, 1, &bad6, &hits6);
    }
    printf("# IPv4: %zu lookups, %zu in a prefix, %zu mismatches\n", nq, hits4, bad4);
    printf("# IPv6: %zu lookups, %zu in a prefix, %zu mismatches\n", nq, hits6, bad6);
    CHECK_EQ_U(bad4, 0);
    CHECK_EQ_U(bad6, 0);
    CHECK(hits4 >= nq / 2 && hits6 >= nq / 2);
    asc_lpm_free(t);
    free(r.p);
    free(r.h);
}

struct range_rec {
    uint32_t lo[64], hi[64];
    uint64_t val[64];
    size_t n;
    bool v6_seen;
};

static int on_range(void *ctx, const struct asc_addr *lo, const struct asc_addr *hi, uint64_t v)
{
    struct range_rec *r = ctx;
    if (lo->family != ASC_AF_INET) {
        r->v6_seen = true;
        return 0;
    }
    if (r->n < 64) {
        r->lo[r->n] = (uint32_t)lo->b[0] << 24 | (uint32_t)lo->b[1] << 16 |
                      (uint32_t)lo->b[2] << 8 | lo->b[3];
        r->hi[r->n] = (uint32_t)hi->b[0] << 24 | (uint32_t)hi->b[1] << 16 |
                      (uint32_t)hi->b[2] << 8 | hi->b[3];
        r->val[r->n] = v;
    }
    r->n++;
    return 0;
}

/* The range walk covers exactly the addresses that have a value, each range
 * with the value a lookup gives at its ends, in order, after a shrink too. */
static void test_walk_ranges(void)
{
    struct asc_lpm *t = asc_lpm_new(ASC_LPM_LAST);
    add(t, "10.0.0.0/8", 1);
    add(t, "10.1.2.0/24", 3);
    add(t, "10.1.2.3/32", 4);
    add(t, "255.255.255.0/24", 7);
    add(t, "0.0.0.0/32", 8);
    add(t, "2001:db8::/32", 9);
    asc_lpm_build(t);
    asc_lpm_shrink(t);
    struct range_rec r = {0};
    CHECK_EQ_U(asc_lpm_walk_ranges(t, on_range, &r), 0);
    CHECK(r.v6_seen);
    CHECK(r.n >= 6 && r.n <= 64);
    uint64_t total = 0;
    for (size_t i = 0; i < r.n && i < 64; i++) {
        uint64_t v;
        CHECK(r.lo[i] <= r.hi[i]);
        if (i)
            CHECK(r.lo[i] > r.hi[i - 1]);
        CHECK(asc_lpm_lookup4(t, r.lo[i], &v) && v == r.val[i]);
        CHECK(asc_lpm_lookup4(t, r.hi[i], &v) && v == r.val[i]);
        total += (uint64_t)r.hi[i] - r.lo[i] + 1;
    }
    /* 10/8 + 255.255.255.0/24 + 0.0.0.0: every address with a value once */
    CHECK_EQ_U(total, (1u << 24) + 256 + 1);
    CHECK_EQ_U(r.lo[0], 0);
    CHECK_EQ_U(r.hi[r.n - 1], 0xffffffffu);
    asc_lpm_free(t);
}

TEST_MAIN(T(test_nesting), T(test_walk_ranges), T(test_edges), T(test_duplicates), T(test_range_to_cidrs),
          T(test_cidr_parse), T(test_or_random), T(test_real_registry_files))
