/*
 * grade.c - evidence classes, the hop-count table and the spoofing verdict
 * (see grade.h for the rules and their order).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attrib/grade.h"
#include "core/hll.h"

const char *asc_grade_name(unsigned g)
{
    static const char *const n[ASC_GRADE__COUNT] = {"verified", "consistent", "reflector",
                                                    "spoofed", "relay"};
    return g < ASC_GRADE__COUNT ? n[g] : "unknown";
}

const char *asc_inc_type_name(unsigned t)
{
    static const char *const n[ASC_INC__COUNT] = {"flood", "scan", "backscatter", "bruteforce",
                                                  "beacon", "exfil", "intel"};
    return t < ASC_INC__COUNT ? n[t] : "unknown";
}

/* ---- hop-count table ------------------------------------------------- */

struct hop_ent {
    uint64_t key;       /* prefix | family << 56 | 1 (never 0 when used) */
    uint8_t hops;
    uint8_t n;          /* observations, saturating */
};

struct asc_hoptab {
    struct hop_ent *e;
    size_t mask, used, cap;
};

struct asc_hoptab *asc_hoptab_new(size_t cap)
{
    struct asc_hoptab *t = asc_xcalloc(1, sizeof(*t));
    size_t n = 1024;
    while (n < cap * 2)
        n <<= 1;
    t->e = asc_xcalloc(n, sizeof(*t->e));
    t->mask = n - 1;
    t->cap = cap;
    return t;
}

void asc_hoptab_free(struct asc_hoptab *t)
{
    if (!t)
        return;
    free(t->e);
    free(t);
}

size_t asc_hoptab_size(const struct asc_hoptab *t)
{
    return t ? t->used : 0;
}

unsigned asc_ttl_hops(uint8_t ttl)
{
    static const unsigned init[] = {32, 64, 128, 255};
    for (size_t i = 0; i < ASC_ARRAY_LEN(init); i++)
        if (ttl <= init[i])
            return init[i] - ttl;
    return 0;
}

static uint64_t prefix_key(const struct asc_addr *a)
{
    uint64_t k = 0;
    if (a->family == ASC_AF_INET)
        k = (uint64_t)a->b[0] << 16 | (uint64_t)a->b[1] << 8 | a->b[2];   /* /24 */
    else
        for (int i = 0; i < 6; i++)                                         /* /48 */
            k = k << 8 | a->b[i];
    return k << 1 | (uint64_t)(a->family == ASC_AF_INET6) << 56 | 1;
}

static struct hop_ent *hop_find(const struct asc_hoptab *t, uint64_t key)
{
    uint64_t h = key * 0x9e3779b97f4a7c15ull;
    for (size_t i = (size_t)(h >> 20) & t->mask;; i = (i + 1) & t->mask)
        if (t->e[i].key == key || t->e[i].key == 0)
            return &t->e[i];
}

void asc_hoptab_learn(struct asc_hoptab *t, const struct asc_addr *src, uint8_t ttl)
{
    if (!t || !ttl)
        return;
    uint64_t key = prefix_key(src);
    struct hop_ent *e = hop_find(t, key);
    unsigned hops = asc_ttl_hops(ttl);
    if (e->key == 0) {
        if (t->used >= t->cap)
            return;
        e->key = key;
        e->hops = (uint8_t)hops;
        e->n = 1;
        t->used++;
        return;
    }
    /* Keep the smallest distance seen: paths change, but an address never
     * gets closer than its shortest route. */
    if (hops < e->hops)
        e->hops = (uint8_t)hops;
    if (e->n < 255)
        e->n++;
}

int asc_hoptab_check(const struct asc_hoptab *t, const struct asc_addr *src, uint8_t ttl)
{
    if (!t || !ttl)
        return -1;
    const struct hop_ent *e = hop_find(t, prefix_key(src));
    if (e->key == 0)
        return -1;
    int d = (int)asc_ttl_hops(ttl) - (int)e->hops;
    return abs(d) <= ASC_HOP_TOLERANCE;
}

/* ---- classes and grades ------------------------------------------------ */

#define RELAY_FLAGS (ASC_NF_ANYCAST | ASC_NF_ANON_PROXY | ASC_NF_HOSTING | ASC_NF_TOR)

enum asc_src_class asc_classify(const struct asc_grader *g, const struct asc_addr *a,
                                unsigned ev, uint8_t ttl, struct asc_geo *geo)
{
    memset(geo, 0, sizeof(*geo));
    geo->src_cc = geo->src_asn = geo->src_name = geo->src_flags = ASC_SRC_NONE;
    if (g && g->enr)
        asc_enrich_lookup(g->enr, a, geo);
    if (ev & ASC_EV_REFLECTED)
        return ASC_CL_REFLECTOR;
    if (geo->flags & RELAY_FLAGS)
        return ASC_CL_RELAY;
    if (ev & ASC_EV_ANSWERED)
        return ASC_CL_VERIFIED;
    /* Private-use sources are what a LAN capture sees; only other
     * special-purpose space (reserved, documentation, ...) counts as a
     * bogon source. */
    bool private_src = geo->flags & ASC_NF_PRIVATE;
    if ((geo->flags & ASC_NF_BOGON) && !private_src)
        return ASC_CL_SPOOF_BOGON;
    if ((geo->flags & ASC_NF_UNROUTED) && !private_src)
        return ASC_CL_SPOOF_BOGON;
    int hc = asc_hoptab_check(g ? g->hops : NULL, a, ttl);
    if (hc == 0)
        return ASC_CL_SPOOF_TTL;
    if (hc == 1)
        return ASC_CL_HOPS_OK;
    return ASC_CL_ONEWAY;
}

/* Thresholds of the verdict; docs/grades.md explains them. */
#define SPOOF_MIN_SOURCES 100
#define SPOOF_MAX_PKTS_PER_SOURCE 3.0
#define SPOOF_MIN_ONEWAY_SHARE 0.9
#define SPOOF_MIN_SPREAD 0.5

bool asc_spoof_verdict(uint64_t n, uint64_t pkts, uint64_t n_oneway, unsigned n_slash8)
{
    if (n < SPOOF_MIN_SOURCES || (double)pkts > SPOOF_MAX_PKTS_PER_SOURCE * (double)n)
        return false;
    if ((double)n_oneway < SPOOF_MIN_ONEWAY_SHARE * (double)n)
        return false;
    if (n_slash8 == 0)
        return true;
    /* Distinct /8s expected from n uniform draws over 256. */
    double expect = 256.0 * (1.0 - pow(1.0 - 1.0 / 256.0, (double)n));
    return n_slash8 >= SPOOF_MIN_SPREAD * expect;
}

enum asc_grade asc_class_grade(enum asc_src_class c, bool spoofed_verdict)
{
    switch (c) {
    case ASC_CL_REFLECTOR: return ASC_GRADE_REFLECTOR;
    case ASC_CL_RELAY: return ASC_GRADE_RELAY;
    case ASC_CL_VERIFIED: return ASC_GRADE_VERIFIED;
    case ASC_CL_SPOOF_BOGON:
    case ASC_CL_SPOOF_TTL: return ASC_GRADE_SPOOFED;
    case ASC_CL_HOPS_OK: return ASC_GRADE_CONSISTENT;
    case ASC_CL_ONEWAY:
    case ASC_CL__COUNT: break;
    }
    return spoofed_verdict ? ASC_GRADE_SPOOFED : ASC_GRADE_CONSISTENT;
}
