/*
 * srcset.c - bounded per-incident source accounting and grading (see
 * srcset.h). Exact entries live in an open-addressing table that grows to
 * exact_cap; later sources are counted once at first sight into
 * per-class country and AS counters.
 */
#include <stdlib.h>
#include <string.h>

#include "attrib/srcset.h"
#include "core/hll.h"
#include "core/topk.h"

#define BLOOM_BITS (1u << 24)          /* 2 MiB */
#define GMAP_CAP_ASN 8192              /* distinct ASes kept; the rest go to AS 0 */
#define TOPK_K 64
#define VSIDE_CAP 4096                 /* beyond-cap sources that can turn verified */

struct sent {
    struct asc_addr a;
    uint8_t used, ev, ttl_min, ttl_max;
    uint64_t pkts, bytes;
};

/* Counters per evidence class under one key (a country or an AS). */
struct gent {
    uint32_t key;                 /* cc packed as c0 << 8 | c1 (+1), or ASN + 1; 0 = free */
    const char *name;
    uint64_t src[ASC_CL__COUNT], pkts[ASC_CL__COUNT];
};

struct gmap {
    struct gent *e;
    size_t mask, n, cap;
};

struct asc_srcset {
    struct sent *e;
    size_t mask, n, cap;
    uint64_t pkts, bytes;
    struct asc_hll hll;
    uint64_t *bloom;              /* allocated at the first source beyond cap */
    uint64_t ov_n, ov_oneway;     /* sources beyond cap */
    struct gmap ov_cc, ov_asn;    /* their counters */
    uint64_t ov_pkts_unplaced;    /* packets of beyond-cap sources seen again */
    uint8_t slash8[32];           /* IPv4 /8s seen (bitmap) */
    uint64_t n_v4;
    struct asc_topk *top;
    struct gmap fin_cc, fin_asn;  /* rebuilt by finish */
    struct asc_inc_group *out_cc, *out_asn;
    struct asc_addr *vside;       /* beyond-cap sources seen answered (2 x VSIDE_CAP slots) */
    size_t n_vside;
    uint64_t vside_lost;          /* ... that found the side table full */
};

/* ---- group maps ------------------------------------------------------ */

static void gmap_init(struct gmap *m, size_t cap)
{
    m->mask = 63;
    m->e = asc_xcalloc(m->mask + 1, sizeof(*m->e));
    m->n = 0;
    m->cap = cap;
}

static void gmap_free(struct gmap *m)
{
    free(m->e);
    memset(m, 0, sizeof(*m));
}

static struct gent *gmap_slot(struct gent *e, size_t mask, uint32_t key)
{
    for (size_t i = (key * 2654435761u) & mask;; i = (i + 1) & mask)
        if (e[i].key == key || e[i].key == 0)
            return &e[i];
}

static struct gent *gmap_get(struct gmap *m, uint32_t key, uint32_t overflow_key)
{
    struct gent *g = gmap_slot(m->e, m->mask, key);
    if (g->key)
        return g;
    if (m->n >= m->cap && key != overflow_key)
        return gmap_get(m, overflow_key, overflow_key);
    if ((m->n + 1) * 2 > m->mask + 1) {
        size_t nmask = m->mask * 2 + 1;
        struct gent *ne = asc_xcalloc(nmask + 1, sizeof(*ne));
        for (size_t i = 0; i <= m->mask; i++)
            if (m->e[i].key)
                *gmap_slot(ne, nmask, m->e[i].key) = m->e[i];
        free(m->e);
        m->e = ne;
        m->mask = nmask;
        g = gmap_slot(m->e, m->mask, key);
    }
    g->key = key;
    m->n++;
    return g;
}

static uint32_t cc_key(const char cc[3])
{
    return cc[0] ? ((uint32_t)(uint8_t)cc[0] << 8 | (uint8_t)cc[1]) + 1 : 1;
}

static void group_add(struct gmap *bycc, struct gmap *byasn, const struct asc_geo *geo,
                      enum asc_src_class c, uint64_t nsrc, uint64_t pkts)
{
    struct gent *g = gmap_get(bycc, cc_key(geo->cc), 1);
    g->src[c] += nsrc;
    g->pkts[c] += pkts;
    g = gmap_get(byasn, geo->asn + 1, 1);
    if (!g->name && geo->as_name && g->key == geo->asn + 1)
        g->name = geo->as_name;
    g->src[c] += nsrc;
    g->pkts[c] += pkts;
}

/* ---- exact table ------------------------------------------------------ */

struct asc_srcset *asc_srcset_new(size_t exact_cap)
{
    struct asc_srcset *s = asc_xcalloc(1, sizeof(*s));
    s->mask = 15;
    s->e = asc_xcalloc(s->mask + 1, sizeof(*s->e));
    s->cap = exact_cap ? exact_cap : 1;
    s->top = asc_topk_new(TOPK_K);
    gmap_init(&s->ov_cc, 1024);
    gmap_init(&s->ov_asn, GMAP_CAP_ASN);
    return s;
}

void asc_srcset_free(struct asc_srcset *s)
{
    if (!s)
        return;
    free(s->e);
    free(s->bloom);
    asc_topk_free(s->top);
    gmap_free(&s->ov_cc);
    gmap_free(&s->ov_asn);
    gmap_free(&s->fin_cc);
    gmap_free(&s->fin_asn);
    free(s->out_cc);
    free(s->out_asn);
    free(s->vside);
    free(s);
}

static bool vside_has(const struct asc_srcset *s, const struct asc_addr *a)
{
    const size_t mask = 2 * VSIDE_CAP - 1;
    if (!s->vside)
        return false;
    for (size_t i = (size_t)asc_addr_hash(a) & mask;; i = (i + 1) & mask) {
        const struct asc_addr *e = &s->vside[i];
        if (e->family == ASC_AF_NONE)
            return false;
        if (e->family == a->family && !memcmp(e->b, a->b, 16))
            return true;
    }
}

/* The side table of beyond-cap sources that were answered: exact and
 * bounded (VSIDE_CAP), so that a source counted at first sight in its
 * one-way class can still be graded verified at finish. Returns false
 * when the table is full. */
static bool vside_add(struct asc_srcset *s, const struct asc_addr *a, uint64_t h)
{
    const size_t mask = 2 * VSIDE_CAP - 1;
    if (!s->vside)
        s->vside = asc_xcalloc(mask + 1, sizeof(*s->vside));
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        struct asc_addr *e = &s->vside[i];
        if (e->family == a->family && !memcmp(e->b, a->b, 16) && e->family != ASC_AF_NONE)
            return true;
        if (e->family == ASC_AF_NONE) {
            if (s->n_vside >= VSIDE_CAP) {
                s->vside_lost++;
                return false;
            }
            *e = *a;
            s->n_vside++;
            return true;
        }
    }
}

static struct sent *slot(struct sent *e, size_t mask, const struct asc_addr *a, uint64_t h)
{
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        if (!e[i].used)
            return &e[i];
        if (e[i].a.family == a->family && !memcmp(e[i].a.b, a->b, 16))
            return &e[i];
    }
}

static void grow(struct asc_srcset *s)
{
    size_t nmask = s->mask * 2 + 1;
    struct sent *ne = asc_xcalloc(nmask + 1, sizeof(*ne));
    for (size_t i = 0; i <= s->mask; i++)
        if (s->e[i].used)
            *slot(ne, nmask, &s->e[i].a, asc_addr_hash(&s->e[i].a)) = s->e[i];
    free(s->e);
    s->e = ne;
    s->mask = nmask;
}

/* Whether all 4 probe bits of h are set; sets them too when `set`. */
static bool bloom_probe(uint64_t *bloom, uint64_t h, bool set)
{
    bool seen = true;
    uint32_t h1 = (uint32_t)h, h2 = (uint32_t)(h >> 32) | 1;
    for (uint32_t k = 0; k < 4; k++) {
        uint32_t bit = (h1 + k * h2) & (BLOOM_BITS - 1);
        uint64_t m = 1ull << (bit & 63);
        if (!(bloom[bit >> 6] & m)) {
            seen = false;
            if (!set)
                break;
            bloom[bit >> 6] |= m;
        }
    }
    return seen;
}

static void note_addr(struct asc_srcset *s, const struct asc_addr *a)
{
    if (a->family == ASC_AF_INET) {
        s->slash8[a->b[0] >> 3] |= (uint8_t)(1u << (a->b[0] & 7));
        s->n_v4++;
    }
}

/* A source beyond the exact cap: counted once, at first sight. */
static void add_beyond(struct asc_srcset *s, const struct asc_grader *g, const struct asc_addr *a,
                       uint64_t h, uint64_t pkts, uint8_t ttl, unsigned ev)
{
    if (!s->bloom)
        s->bloom = asc_xcalloc(BLOOM_BITS / 64, sizeof(uint64_t));
    if (bloom_probe(s->bloom, h, true)) {
        s->ov_pkts_unplaced += pkts;
        return;
    }
    /* An answered source is counted in its one-way class and moved to
     * verified at finish (vside), like one answered later. */
    if ((ev & ASC_EV_ANSWERED) && vside_add(s, a, h))
        ev &= ~(unsigned)ASC_EV_ANSWERED;
    struct asc_geo geo;
    enum asc_src_class c = asc_classify(g, a, ev, ttl, &geo);
    group_add(&s->ov_cc, &s->ov_asn, &geo, c, 1, pkts);
    s->ov_n++;
    if (!(ev & (ASC_EV_ANSWERED | ASC_EV_REFLECTED)))
        s->ov_oneway++;
    note_addr(s, a);
}

void asc_srcset_add(struct asc_srcset *s, const struct asc_grader *g, const struct asc_addr *a,
                    uint64_t pkts, uint64_t bytes, uint8_t ttl, unsigned ev)
{
    uint64_t h = asc_addr_hash(a);
    s->pkts += pkts;
    s->bytes += bytes;
    asc_hll_add(&s->hll, h);
    asc_topk_add(s->top, a, pkts, bytes);
    struct sent *e = slot(s->e, s->mask, a, h);
    if (!e->used) {
        if (s->n >= s->cap) {
            add_beyond(s, g, a, h, pkts, ttl, ev);
            return;
        }
        if ((s->n + 1) * 4 > (s->mask + 1) * 3) {
            grow(s);
            e = slot(s->e, s->mask, a, h);
        }
        e->used = 1;
        e->a = *a;
        e->ttl_min = 255;
        s->n++;
        note_addr(s, a);
    }
    e->pkts += pkts;
    e->bytes += bytes;
    e->ev |= (uint8_t)ev;
    if (ttl) {
        if (ttl < e->ttl_min)
            e->ttl_min = ttl;
        if (ttl > e->ttl_max)
            e->ttl_max = ttl;
    }
}

bool asc_srcset_mark(struct asc_srcset *s, const struct asc_addr *a, unsigned ev)
{
    uint64_t h = asc_addr_hash(a);
    struct sent *e = slot(s->e, s->mask, a, h);
    if (!e->used) {
        if (!(ev & ASC_EV_ANSWERED) || !s->bloom || !bloom_probe(s->bloom, h, false))
            return false;
        return vside_add(s, a, h);
    }
    e->ev |= (uint8_t)ev;
    return true;
}

bool asc_srcset_has(const struct asc_srcset *s, const struct asc_addr *a)
{
    uint64_t h = asc_addr_hash(a);
    if (slot(s->e, s->mask, a, h)->used)
        return true;
    return s->bloom && bloom_probe(s->bloom, h, false);
}

uint64_t asc_srcset_count(const struct asc_srcset *s)
{
    if (!s->ov_n)
        return s->n;
    uint64_t est = asc_hll_count(&s->hll);
    return est > s->n ? est : s->n;
}

uint64_t asc_srcset_pkts(const struct asc_srcset *s)
{
    return s->pkts;
}

/* ---- grading and output ------------------------------------------------ */

static unsigned popcount8(const uint8_t *b, size_t n)
{
    unsigned c = 0;
    for (size_t i = 0; i < n; i++)
        c += (unsigned)__builtin_popcount(b[i]);
    return c;
}

static void gmap_copy(struct gmap *dst, const struct gmap *src)
{
    gmap_free(dst);
    dst->mask = src->mask;
    dst->n = src->n;
    dst->cap = src->cap;
    dst->e = asc_xcalloc(src->mask + 1, sizeof(*dst->e));
    memcpy(dst->e, src->e, (src->mask + 1) * sizeof(*dst->e));
}

static uint64_t group_total(const struct asc_inc_group *g)
{
    uint64_t t = 0;
    for (int i = 0; i < ASC_GRADE__COUNT; i++)
        t += g->pkts[i];
    return t;
}

static int cmp_group(const void *pa, const void *pb)
{
    const struct asc_inc_group *a = pa, *b = pb;
    uint64_t ta = group_total(a), tb = group_total(b);
    if (ta != tb)
        return ta > tb ? -1 : 1;
    int c = strcmp(a->cc, b->cc);
    if (c)
        return c;
    return a->asn < b->asn ? -1 : a->asn > b->asn;
}

/* Turns per-class counters into per-grade groups, sorted. */
static struct asc_inc_group *groups_out(const struct gmap *m, bool by_asn, bool verdict,
                                        size_t *n_out)
{
    struct asc_inc_group *out = asc_xcalloc(m->n ? m->n : 1, sizeof(*out));
    size_t n = 0;
    for (size_t i = 0; i <= m->mask; i++) {
        const struct gent *ge = &m->e[i];
        if (!ge->key)
            continue;
        struct asc_inc_group *o = &out[n++];
        if (by_asn) {
            o->asn = ge->key - 1;
            o->as_name = ge->name;
        } else if (ge->key > 1) {
            o->cc[0] = (char)((ge->key - 1) >> 8);
            o->cc[1] = (char)((ge->key - 1) & 0xff);
        }
        for (int c = 0; c < ASC_CL__COUNT; c++) {
            enum asc_grade gr = asc_class_grade((enum asc_src_class)c, verdict);
            o->sources[gr] += ge->src[c];
            o->pkts[gr] += ge->pkts[c];
        }
    }
    qsort(out, n, sizeof(*out), cmp_group);
    *n_out = n;
    return out;
}

static void fill_top(struct asc_srcset *s, const struct asc_grader *g, bool verdict,
                     struct asc_incident *inc)
{
    struct asc_topk_item it[ASC_INC_TOP];
    size_t n = asc_topk_list(s->top, it, ASC_INC_TOP);
    for (size_t i = 0; i < n; i++) {
        struct asc_inc_source *o = &inc->top[i];
        const struct sent *e = slot(s->e, s->mask, &it[i].key, asc_addr_hash(&it[i].key));
        struct asc_geo geo;
        enum asc_src_class c;
        memset(o, 0, sizeof(*o));
        o->addr = it[i].key;
        if (e->used) {
            c = asc_classify(g, &e->a, e->ev, e->ttl_min == 255 ? 0 : e->ttl_min, &geo);
            o->pkts = e->pkts;
            o->bytes = e->bytes;
        } else {
            c = asc_classify(g, &it[i].key, vside_has(s, &it[i].key) ? ASC_EV_ANSWERED : 0, 0,
                             &geo);
            o->pkts = it[i].count;
            o->bytes = it[i].aux;
        }
        o->grade = (uint8_t)asc_class_grade(c, verdict);
        memcpy(o->cc, geo.cc, sizeof(o->cc));
        o->asn = geo.asn;
    }
    inc->n_top = n;
}

/* The group cell of key in m, or of the overflow key when key was not kept. */
static struct gent *gmap_find(struct gmap *m, uint32_t key)
{
    struct gent *g = gmap_slot(m->e, m->mask, key);
    if (!g->key)
        g = gmap_slot(m->e, m->mask, 1);
    return g->key ? g : NULL;
}

/* Moves the answered beyond-cap sources from the one-way class they were
 * counted in (its exact first-sight class is not kept: the class it has
 * without TTL, else the first one-way class with sources in both of its
 * groups) to verified. Their packets stay where they were counted.
 * Returns how many moved. */
static uint64_t vside_apply(struct asc_srcset *s, const struct asc_grader *g)
{
    static const enum asc_src_class order[] = {ASC_CL_SPOOF_TTL, ASC_CL_HOPS_OK, ASC_CL_ONEWAY,
                                               ASC_CL_SPOOF_BOGON};
    uint64_t moved = 0;
    for (size_t i = 0; s->vside && i < 2 * VSIDE_CAP; i++) {
        const struct asc_addr *a = &s->vside[i];
        if (a->family == ASC_AF_NONE)
            continue;
        struct asc_geo geo;
        if (asc_classify(g, a, ASC_EV_ANSWERED, 0, &geo) != ASC_CL_VERIFIED)
            continue;   /* a relay stays a relay */
        struct gent *gc = gmap_find(&s->fin_cc, cc_key(geo.cc));
        struct gent *ga = gmap_find(&s->fin_asn, geo.asn + 1);
        if (!gc || !ga)
            continue;
        int c = (int)asc_classify(g, a, 0, 0, &geo);
        if (!gc->src[c] || !ga->src[c]) {
            c = -1;
            for (size_t k = 0; k < ASC_ARRAY_LEN(order) && c < 0; k++)
                if (gc->src[order[k]] && ga->src[order[k]])
                    c = (int)order[k];
        }
        if (c < 0 || c == ASC_CL_VERIFIED)
            continue;
        gc->src[c]--;
        ga->src[c]--;
        gc->src[ASC_CL_VERIFIED]++;
        ga->src[ASC_CL_VERIFIED]++;
        moved++;
    }
    return moved;
}

void asc_srcset_finish(struct asc_srcset *s, const struct asc_grader *g,
                       struct asc_incident *inc)
{
    gmap_copy(&s->fin_cc, &s->ov_cc);
    gmap_copy(&s->fin_asn, &s->ov_asn);
    uint64_t oneway = s->ov_oneway;
    for (size_t i = 0; i <= s->mask; i++) {
        const struct sent *e = &s->e[i];
        if (!e->used)
            continue;
        struct asc_geo geo;
        enum asc_src_class c = asc_classify(g, &e->a, e->ev, e->ttl_min == 255 ? 0 : e->ttl_min,
                                            &geo);
        group_add(&s->fin_cc, &s->fin_asn, &geo, c, 1, e->pkts);
        if (!(e->ev & (ASC_EV_ANSWERED | ASC_EV_REFLECTED)))
            oneway++;
    }
    uint64_t moved = vside_apply(s, g);
    oneway = oneway > moved ? oneway - moved : 0;
    uint64_t n = s->n + s->ov_n;
    unsigned n8 = s->n_v4 * 2 >= n ? popcount8(s->slash8, sizeof(s->slash8)) : 0;
    bool verdict = asc_spoof_verdict(n, s->pkts, oneway, n8);

    free(s->out_cc);
    free(s->out_asn);
    s->out_cc = groups_out(&s->fin_cc, false, verdict, &inc->n_by_cc);
    s->out_asn = groups_out(&s->fin_asn, true, verdict, &inc->n_by_asn);
    inc->by_cc = s->out_cc;
    inc->by_asn = s->out_asn;
    memset(inc->grade_count, 0, sizeof(inc->grade_count));
    for (size_t i = 0; i < inc->n_by_cc; i++)
        for (int gr = 0; gr < ASC_GRADE__COUNT; gr++)
            inc->grade_count[gr] += s->out_cc[i].sources[gr];
    /* Packets of beyond-cap sources seen again could not be placed in a
     * group; they count in the total only. */
    inc->n_sources = asc_srcset_count(s);
    inc->n_sources_estimated = s->ov_n > 0;
    fill_top(s, g, verdict, inc);
}
