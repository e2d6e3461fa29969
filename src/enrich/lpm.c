/*
 * lpm.c - longest-prefix match: prefixes flattened into disjoint ranges.
 *
 * Enrichment stage (see lpm.h for the contract). Invariants of a built
 * family table:
 *  - start[0] == 0 and start[] is strictly increasing; range i covers
 *    [start[i], start[i+1]) and carries vidx[i], an index into vals[]
 *    (0 means "no prefix covers this range");
 *  - vals[] holds each distinct value once (vals[1..n_vals)), so adjacent
 *    ranges never carry the same vidx: ranges with equal values are
 *    coalesced, and the value table stays small enough to sit in cache;
 *  - idx[b] is the range containing the first address of top-16-bit bucket
 *    b, idx[65536] the last range, so the range of an address in bucket b
 *    lies in [idx[b], idx[b+1]].
 * Keys are handled as unsigned __int128 during the build (IPv4 uses the
 * low 32 bits with width 32), which keeps /0 and /128 free of special cases.
 */
#include "enrich/lpm.h"

#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

#define NBUCKET 65536u

struct ent {
    u128 key;       /* network address, host bits cleared */
    uint64_t val;
    uint32_t seq;   /* insertion order, for the duplicate rule */
    uint8_t plen;
};

struct start6 {
    uint64_t hi, lo;
};

struct fam {
    unsigned width;             /* 32 or 128 */
    struct ent *ents;           /* added prefixes; after a build: distinct, sorted */
    size_t n_ents, cap_ents;
    size_t n_built;             /* distinct prefixes at the last build */
    /* built structure */
    size_t n_ranges;
    uint32_t *start4;           /* width 32 */
    struct start6 *start6;      /* width 128 */
    uint32_t *vidx;
    uint64_t *vals;             /* vals[0] unused */
    size_t n_vals;              /* entries of vals[], with the unused 0 */
    uint32_t *idx;              /* NBUCKET + 1 entries, NULL when empty */
};

struct asc_lpm {
    enum asc_lpm_mode mode;
    uint32_t seq;
    struct fam f4, f6;
};

/* ------------------------------------------------------------ key helpers */

static u128 hostmask(unsigned width, unsigned plen)
{
    unsigned bits = width - plen;
    return bits >= 128 ? ~(u128)0 : (((u128)1 << bits) - 1);
}

static u128 addr_key(const struct asc_addr *a)
{
    u128 k = 0;
    unsigned n = a->family == ASC_AF_INET ? 4 : 16;
    for (unsigned i = 0; i < n; i++)
        k = (k << 8) | a->b[i];
    return k;
}

static void key_addr(u128 k, unsigned width, struct asc_addr *a)
{
    memset(a, 0, sizeof(*a));
    a->family = width == 32 ? ASC_AF_INET : ASC_AF_INET6;
    unsigned n = width / 8;
    for (unsigned i = 0; i < n; i++)
        a->b[n - 1 - i] = (uint8_t)(k >> (8 * i));
}

static unsigned clz128(u128 x)
{
    uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;
    if (hi)
        return (unsigned)__builtin_clzll(hi);
    if (lo)
        return 64 + (unsigned)__builtin_clzll(lo);
    return 128;
}

static unsigned ctz128(u128 x)
{
    uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;
    if (lo)
        return (unsigned)__builtin_ctzll(lo);
    if (hi)
        return 64 + (unsigned)__builtin_ctzll(hi);
    return 128;
}

/* ------------------------------------------------------------ life cycle */

struct asc_lpm *asc_lpm_new(enum asc_lpm_mode mode)
{
    struct asc_lpm *t = asc_xcalloc(1, sizeof(*t));
    t->mode = mode;
    t->f4.width = 32;
    t->f6.width = 128;
    return t;
}

static void fam_clear_built(struct fam *f)
{
    free(f->start4);
    free(f->start6);
    free(f->vidx);
    free(f->vals);
    free(f->idx);
    f->start4 = NULL;
    f->start6 = NULL;
    f->vidx = NULL;
    f->vals = NULL;
    f->idx = NULL;
    f->n_ranges = 0;
    f->n_vals = 0;
}

void asc_lpm_free(struct asc_lpm *t)
{
    if (!t)
        return;
    fam_clear_built(&t->f4);
    fam_clear_built(&t->f6);
    free(t->f4.ents);
    free(t->f6.ents);
    free(t);
}

static int fam_add(struct asc_lpm *t, struct fam *f, u128 key, unsigned plen, uint64_t val)
{
    if (plen > f->width)
        return ASC_EINVAL;
    if (f->n_ents >= ASC_LPM_MAX_PREFIXES)
        return ASC_ENOMEM;
    if (f->n_ents == f->cap_ents) {
        f->cap_ents = f->cap_ents ? f->cap_ents * 2 : 256;
        f->ents = asc_xrealloc(f->ents, f->cap_ents, sizeof(*f->ents));
    }
    struct ent *e = &f->ents[f->n_ents++];
    e->key = key & ~hostmask(f->width, plen);
    e->plen = (uint8_t)plen;
    e->val = val;
    e->seq = t->seq++;
    return 0;
}

int asc_lpm_add(struct asc_lpm *t, const struct asc_addr *net, unsigned plen, uint64_t val)
{
    if (net->family == ASC_AF_INET)
        return fam_add(t, &t->f4, addr_key(net), plen, val);
    if (net->family == ASC_AF_INET6)
        return fam_add(t, &t->f6, addr_key(net), plen, val);
    return ASC_EINVAL;
}

int asc_lpm_add4(struct asc_lpm *t, uint32_t net, unsigned plen, uint64_t val)
{
    return fam_add(t, &t->f4, net, plen, val);
}

/* ------------------------------------------------------------ build */

static int ent_cmp(const void *pa, const void *pb)
{
    const struct ent *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->plen != b->plen)
        return a->plen < b->plen ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Sorts and merges duplicate prefixes in place by the mode's rule. Input
 * added in order (a tree walked depth-first) is not sorted again. */
static void fam_dedup(struct fam *f, enum asc_lpm_mode mode)
{
    if (f->n_ents == 0)
        return;
    size_t i = 1;
    while (i < f->n_ents && ent_cmp(&f->ents[i - 1], &f->ents[i]) < 0)
        i++;
    if (i < f->n_ents)
        qsort(f->ents, f->n_ents, sizeof(*f->ents), ent_cmp);
    size_t w = 0;
    for (size_t r = 1; r < f->n_ents; r++) {
        struct ent *keep = &f->ents[w], *e = &f->ents[r];
        if (e->key == keep->key && e->plen == keep->plen) {
            if (mode == ASC_LPM_LAST)
                keep->val = e->val;
            else if (mode == ASC_LPM_OR)
                keep->val |= e->val;
            keep->seq = e->seq; /* sorted input: seq only grows */
            continue;
        }
        f->ents[++w] = *e;
    }
    f->n_ents = w + 1;
}

/* Growable range list used while flattening. */
struct rbuf {
    u128 *start;
    uint32_t *vidx;
    size_t n, cap;
};

static void rbuf_emit(struct rbuf *r, u128 s, uint32_t v)
{
    if (r->n && r->start[r->n - 1] == s)
        r->n--; /* a range starting at the same address replaces it */
    if (r->n && r->vidx[r->n - 1] == v)
        return; /* same value as the range before: coalesce */
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->start = asc_xrealloc(r->start, r->cap, sizeof(*r->start));
        r->vidx = asc_xrealloc(r->vidx, r->cap, sizeof(*r->vidx));
    }
    r->start[r->n] = s;
    r->vidx[r->n] = v;
    r->n++;
}

/* Sweeps the sorted distinct prefixes with a stack of open prefixes
 * (at most width + 1 deep: each is nested in the one below). */
static void fam_flatten(struct fam *f, enum asc_lpm_mode mode, struct rbuf *r)
{
    struct {
        u128 end;
        uint32_t v;
    } stack[129];
    unsigned sp = 0;
    const u128 max = hostmask(f->width, 0);
    f->vals = asc_xcalloc(f->n_ents + 1, sizeof(*f->vals));
    rbuf_emit(r, 0, 0);
    for (size_t i = 0; i < f->n_ents; i++) {
        const struct ent *e = &f->ents[i];
        while (sp && stack[sp - 1].end < e->key) {
            u128 end = stack[--sp].end;
            rbuf_emit(r, end + 1, sp ? stack[sp - 1].v : 0);
        }
        uint64_t val = e->val;
        if (mode == ASC_LPM_OR && sp)
            val |= f->vals[stack[sp - 1].v];
        uint32_t v = (uint32_t)(i + 1);
        f->vals[v] = val;
        rbuf_emit(r, e->key, v);
        stack[sp].end = e->key | hostmask(f->width, e->plen);
        stack[sp].v = v;
        sp++;
    }
    while (sp) {
        u128 end = stack[--sp].end;
        if (end != max)
            rbuf_emit(r, end + 1, sp ? stack[sp - 1].v : 0);
    }
}

/* Replaces vals[] (one per prefix) by its distinct values, renumbers the
 * ranges and coalesces neighbours that now carry the same index. */
static void fam_unique_vals(struct fam *f, struct rbuf *r)
{
    size_t n = f->n_ents + 1, cap = 16;
    while (cap < n * 2)
        cap <<= 1;
    uint32_t *slot = asc_xcalloc(cap, sizeof(*slot)); /* new index, 0 empty */
    uint32_t *map = asc_xmalloc(n * sizeof(*map));
    uint64_t *vals = asc_xmalloc(n * sizeof(*vals));
    size_t nv = 1;
    map[0] = 0;
    vals[0] = 0;
    for (size_t i = 1; i < n; i++) {
        uint64_t v = f->vals[i], h = v * 0x9e3779b97f4a7c15ull;
        size_t j = (size_t)(h ^ h >> 29) & (cap - 1);
        while (slot[j] && vals[slot[j]] != v)
            j = (j + 1) & (cap - 1);
        if (!slot[j]) {
            vals[nv] = v;
            slot[j] = (uint32_t)nv++;
        }
        map[i] = slot[j];
    }
    size_t w = 0;
    for (size_t i = 0; i < r->n; i++) {
        uint32_t v = map[r->vidx[i]];
        if (w && r->vidx[w - 1] == v)
            continue;
        r->start[w] = r->start[i];
        r->vidx[w++] = v;
    }
    r->n = w;
    free(slot);
    free(map);
    free(f->vals);
    f->vals = asc_xrealloc(vals, nv, sizeof(*vals));
    f->n_vals = nv;
}

static void fam_index(struct fam *f, const struct rbuf *r)
{
    unsigned shift = f->width - 16;
    f->idx = asc_xmalloc((NBUCKET + 1) * sizeof(*f->idx));
    size_t i = 0;
    for (uint32_t b = 0; b < NBUCKET; b++) {
        u128 k = (u128)b << shift;
        while (i + 1 < r->n && r->start[i + 1] <= k)
            i++;
        f->idx[b] = (uint32_t)i;
    }
    f->idx[NBUCKET] = (uint32_t)(r->n - 1);
}

static void fam_build(struct fam *f, enum asc_lpm_mode mode)
{
    fam_clear_built(f);
    fam_dedup(f, mode);
    f->n_built = f->n_ents;
    if (f->n_ents == 0)
        return;
    struct rbuf r = {0};
    fam_flatten(f, mode, &r);
    fam_unique_vals(f, &r);
    f->n_ranges = r.n;
    if (f->width == 32) {
        f->start4 = asc_xmalloc(r.n * sizeof(*f->start4));
        for (size_t i = 0; i < r.n; i++)
            f->start4[i] = (uint32_t)r.start[i];
    } else {
        f->start6 = asc_xmalloc(r.n * sizeof(*f->start6));
        for (size_t i = 0; i < r.n; i++) {
            f->start6[i].hi = (uint64_t)(r.start[i] >> 64);
            f->start6[i].lo = (uint64_t)r.start[i];
        }
    }
    fam_index(f, &r);
    f->vidx = r.vidx;
    free(r.start);
}

int asc_lpm_build(struct asc_lpm *t)
{
    fam_build(&t->f4, t->mode);
    fam_build(&t->f6, t->mode);
    return 0;
}

void asc_lpm_shrink(struct asc_lpm *t)
{
    struct fam *fs[2] = {&t->f4, &t->f6};
    for (int i = 0; i < 2; i++) {
        free(fs[i]->ents);
        fs[i]->ents = NULL;
        fs[i]->n_ents = fs[i]->cap_ents = 0;
    }
}

/* ------------------------------------------------------------ lookup */

bool asc_lpm_lookup4(const struct asc_lpm *t, uint32_t a, uint64_t *val)
{
    const struct fam *f = &t->f4;
    if (!f->idx)
        return false;
    uint32_t lo = f->idx[a >> 16], n = f->idx[(a >> 16) + 1] - lo + 1;
    /* the last range in [lo, lo + n) starting at or below a (start4[lo] <= a
     * by the index); branch-free, so the loads do not wait on mispredicts */
    const uint32_t *base = f->start4 + lo;
    while (n > 1) {
        uint32_t half = n / 2;
        base = base[half] <= a ? base + half : base;
        n -= half;
    }
    uint32_t v = f->vidx[base - f->start4];
    if (!v)
        return false;
    *val = f->vals[v];
    return true;
}

static bool lookup6(const struct fam *f, const uint8_t *b, uint64_t *val)
{
    if (!f->idx)
        return false;
    uint64_t ah = 0, al = 0;
    for (int i = 0; i < 8; i++) {
        ah = (ah << 8) | b[i];
        al = (al << 8) | b[8 + i];
    }
    uint32_t top = (uint32_t)(ah >> 48);
    uint32_t lo = f->idx[top], n = f->idx[top + 1] - lo + 1;
    const struct start6 *base = f->start6 + lo; /* as in asc_lpm_lookup4 */
    while (n > 1) {
        uint32_t half = n / 2;
        const struct start6 *m = base + half;
        bool le = (m->hi < ah) | ((m->hi == ah) & (m->lo <= al)); /* no branch */
        base = le ? m : base;
        n -= half;
    }
    uint32_t v = f->vidx[base - f->start6];
    if (!v)
        return false;
    *val = f->vals[v];
    return true;
}

bool asc_lpm_lookup(const struct asc_lpm *t, const struct asc_addr *a, uint64_t *val)
{
    if (a->family == ASC_AF_INET)
        return asc_lpm_lookup4(t, ((uint32_t)a->b[0] << 24) | ((uint32_t)a->b[1] << 16) |
                                      ((uint32_t)a->b[2] << 8) | a->b[3],
                               val);
    if (a->family == ASC_AF_INET6)
        return lookup6(&t->f6, a->b, val);
    return false;
}

/* ------------------------------------------------------------ walk, stats */

static int fam_walk(const struct fam *f,
                    int (*cb)(void *, const struct asc_addr *, unsigned, uint64_t), void *ctx)
{
    for (size_t i = 0; i < f->n_built && i < f->n_ents; i++) {
        struct asc_addr a;
        key_addr(f->ents[i].key, f->width, &a);
        int rc = cb(ctx, &a, f->ents[i].plen, f->ents[i].val);
        if (rc)
            return rc;
    }
    return 0;
}

int asc_lpm_walk(const struct asc_lpm *t,
                 int (*cb)(void *ctx, const struct asc_addr *net, unsigned plen, uint64_t val),
                 void *ctx)
{
    int rc = fam_walk(&t->f4, cb, ctx);
    return rc ? rc : fam_walk(&t->f6, cb, ctx);
}

static u128 range_start(const struct fam *f, size_t i)
{
    if (f->width == 32)
        return f->start4[i];
    return (u128)f->start6[i].hi << 64 | f->start6[i].lo;
}

static int fam_walk_ranges(const struct fam *f,
                           int (*cb)(void *, const struct asc_addr *, const struct asc_addr *,
                                     uint64_t),
                           void *ctx)
{
    for (size_t i = 0; f->idx && i < f->n_ranges; i++) {
        if (!f->vidx[i])
            continue;
        u128 lo = range_start(f, i);
        u128 hi = i + 1 < f->n_ranges ? range_start(f, i + 1) - 1 : hostmask(f->width, 0);
        struct asc_addr a, b;
        key_addr(lo, f->width, &a);
        key_addr(hi, f->width, &b);
        int rc = cb(ctx, &a, &b, f->vals[f->vidx[i]]);
        if (rc)
            return rc;
    }
    return 0;
}

int asc_lpm_walk_ranges(const struct asc_lpm *t,
                        int (*cb)(void *ctx, const struct asc_addr *lo, const struct asc_addr *hi,
                                  uint64_t val),
                        void *ctx)
{
    int rc = fam_walk_ranges(&t->f4, cb, ctx);
    return rc ? rc : fam_walk_ranges(&t->f6, cb, ctx);
}

static size_t fam_bytes(const struct fam *f)
{
    if (!f->idx)
        return 0;
    size_t per = f->width == 32 ? sizeof(uint32_t) : sizeof(struct start6);
    return f->n_ranges * (per + sizeof(uint32_t)) + f->n_vals * sizeof(uint64_t) +
           (NBUCKET + 1) * sizeof(uint32_t);
}

void asc_lpm_stats(const struct asc_lpm *t, struct asc_lpm_stats *out)
{
    out->n_prefixes4 = t->f4.n_built;
    out->n_prefixes6 = t->f6.n_built;
    out->n_ranges4 = t->f4.n_ranges;
    out->n_ranges6 = t->f6.n_ranges;
    out->bytes = fam_bytes(&t->f4) + fam_bytes(&t->f6);
}

/* ------------------------------------------------------------ helpers */

int asc_range_to_cidrs(const struct asc_addr *lo, const struct asc_addr *hi,
                       void (*cb)(void *ctx, const struct asc_addr *net, unsigned plen),
                       void *ctx)
{
    if (lo->family != hi->family || (lo->family != ASC_AF_INET && lo->family != ASC_AF_INET6))
        return ASC_EINVAL;
    unsigned width = lo->family == ASC_AF_INET ? 32 : 128;
    u128 a = addr_key(lo), b = addr_key(hi);
    if (a > b)
        return ASC_EINVAL;
    int n = 0;
    for (;;) {
        u128 span = b - a; /* block may cover at most span + 1 addresses */
        unsigned fit = span == ~(u128)0 ? 128 : 127 - clz128(span + 1);
        unsigned align = a == 0 ? width : ctz128(a);
        unsigned bits = ASC_MIN(ASC_MIN(fit, align), width);
        struct asc_addr net;
        key_addr(a, width, &net);
        cb(ctx, &net, width - bits);
        n++;
        u128 end = a | hostmask(width, width - bits);
        if (end >= b)
            break;
        a = end + 1;
    }
    return n;
}

int asc_cidr_parse(const char *s, struct asc_addr *net, unsigned *plen)
{
    char buf[64];
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    if (alen == 0 || alen >= sizeof(buf))
        return ASC_EINVAL;
    memcpy(buf, s, alen);
    buf[alen] = '\0';
    if (asc_addr_parse(buf, net) != 0)
        return ASC_EINVAL;
    unsigned width = net->family == ASC_AF_INET ? 32 : 128;
    if (!slash) {
        *plen = width;
        return 0;
    }
    const char *p = slash + 1;
    unsigned v = 0, nd = 0;
    for (; *p; p++, nd++) {
        if (*p < '0' || *p > '9' || nd >= 3)
            return ASC_EINVAL;
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (nd == 0 || v > width)
        return ASC_EINVAL;
    *plen = v;
    return 0;
}
