/*
 * routed.c - routed address space per AS and per country (enrich.h,
 * asc_enrich_routed_space), the denominator of density statistics such as
 * "malicious hosts per routed /24" (HostExploit-style rankings).
 *
 * Part of the enrichment stage, computed once at setup from one backend's
 * walk(): every announced prefix with its ASN and country. The libloc walk
 * is flattened, so overlapping prefixes never count twice. IPv4 is summed
 * in /24 equivalents (2^(24-plen), so a /25 is 0.5), IPv6 in /48
 * equivalents; doubles hold these sums exactly (powers of two well under
 * 2^53).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/enrich_int.h"

struct as_row {
    uint32_t asn;             /* 0: empty slot */
    struct asc_routed_count c;
};

struct asc_routed_space {
    const struct asc_db_info *src;
    struct as_row *rows;
    size_t cap, used;
    struct asc_routed_count cc[26 * 26];
    struct asc_routed_count total;
};

static size_t row_slot(const struct asc_routed_space *rs, uint32_t asn)
{
    size_t i = (asn * 2654435761u) & (rs->cap - 1);
    while (rs->rows[i].asn && rs->rows[i].asn != asn)
        i = (i + 1) & (rs->cap - 1);
    return i;
}

static void rows_grow(struct asc_routed_space *rs)
{
    struct as_row *old = rs->rows;
    size_t ocap = rs->cap;
    rs->cap = ocap ? ocap * 2 : 4096;
    rs->rows = asc_xcalloc(rs->cap, sizeof(*rs->rows));
    for (size_t i = 0; i < ocap; i++)
        if (old[i].asn)
            rs->rows[row_slot(rs, old[i].asn)] = old[i];
    free(old);
}

static void add(struct asc_routed_count *c, bool v4, double n)
{
    if (v4)
        c->v4_24 += n;
    else
        c->v6_48 += n;
    c->prefixes++;
}

static int cc_index(const char *cc)
{
    if (!cc || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z')
        return -1;
    return (cc[0] - 'A') * 26 + (cc[1] - 'A');
}

static void on_prefix(void *ctx, const struct asc_addr *net, unsigned plen,
                      const struct asc_geo_part *g)
{
    struct asc_routed_space *rs = ctx;
    bool v4 = net->family == ASC_AF_INET;
    double n = ldexp(1.0, (v4 ? 24 : 48) - (int)plen);
    if (!g->asn)
        return; /* not announced: not routed space */
    add(&rs->total, v4, n);
    if ((rs->used + 1) * 2 > rs->cap)
        rows_grow(rs);
    size_t i = row_slot(rs, g->asn);
    if (!rs->rows[i].asn) {
        rs->rows[i].asn = g->asn;
        rs->used++;
    }
    add(&rs->rows[i].c, v4, n);
    int k = cc_index(g->cc);
    if (k >= 0)
        add(&rs->cc[k], v4, n);
}

int asc_enrich_routed_space(struct asc_enricher *e, struct asc_routed_space **out,
                            struct asc_err *err)
{
    const struct asc_geo_backend *b = asc_enrich_walk_backend(e);
    *out = NULL;
    if (!b)
        return asc_err_set(err, ASC_ENOENT,
                           "no database that lists announced networks with their AS");
    struct asc_routed_space *rs = asc_xcalloc(1, sizeof(*rs));
    rs->src = &b->info;
    rows_grow(rs);
    int rc = b->walk(b->state, on_prefix, rs);
    if (rc) {
        asc_routed_space_free(rs);
        return asc_err_set(err, rc, "%s: walking the networks failed: %s", b->info.path,
                           asc_strerror(rc));
    }
    *out = rs;
    return 0;
}

void asc_routed_space_free(struct asc_routed_space *rs)
{
    if (!rs)
        return;
    free(rs->rows);
    free(rs);
}

struct asc_routed_count asc_routed_by_asn(const struct asc_routed_space *rs, uint32_t asn)
{
    struct asc_routed_count zero = {0};
    if (!asn)
        return zero;
    size_t i = row_slot(rs, asn);
    return rs->rows[i].asn ? rs->rows[i].c : zero;
}

struct asc_routed_count asc_routed_by_cc(const struct asc_routed_space *rs, const char *cc)
{
    struct asc_routed_count zero = {0};
    int k = cc_index(cc);
    return k >= 0 && cc[2] == 0 ? rs->cc[k] : zero;
}

struct asc_routed_count asc_routed_total(const struct asc_routed_space *rs)
{
    return rs->total;
}

const struct asc_db_info *asc_routed_source(const struct asc_routed_space *rs)
{
    return rs->src;
}

size_t asc_routed_n_asns(const struct asc_routed_space *rs)
{
    return rs->used;
}
