/*
 * tab_hosting.c - known-bad hosting by country and by AS: the distinct
 * listed addresses that traffic touched (intel incidents, any category),
 * raw counts, density per routed /24 and the density shrunk toward the
 * global mean (empirical Bayes, beta-binomial style), with both rankings.
 *
 * The shrunk density of a group with k listed IPv4 addresses in n routed
 * /24s is (k + S*m) / (n + S): m, the prior mean, is the density over the
 * whole routed space (listed IPv4 addresses seen / routed /24s in the
 * database); S = PRIOR_24S routed /24s is the prior's strength. A small AS
 * with one listed host stays near m; a large one keeps its own rate.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

#define PRIOR_24S 1024.0

struct bad {
    struct asc_addr addr;
    char cc[3];
    uint32_t asn;
    uint8_t grade;
};

static int cmp_bad_addr(const void *pa, const void *pb)
{
    const struct bad *a = pa, *b = pb;
    return asc_addr_cmp(&a->addr, &b->addr);
}

static int cmp_bad_cc(const void *pa, const void *pb)
{
    const struct bad *a = pa, *b = pb;
    int c = strcmp(a->cc, b->cc);
    return c ? c : asc_addr_cmp(&a->addr, &b->addr);
}

static int cmp_bad_asn(const void *pa, const void *pb)
{
    const struct bad *a = pa, *b = pb;
    if (a->asn != b->asn)
        return a->asn < b->asn ? -1 : 1;
    return asc_addr_cmp(&a->addr, &b->addr);
}

static void cols(struct asc_table *t, bool by_asn)
{
    if (by_asn) {
        tab_col(t, "asn", "AS", ASC_COL_ASN);
        tab_col(t, "as_name", "AS name", ASC_COL_STRING);
    } else {
        tab_col(t, "cc", "Country", ASC_COL_CC);
    }
    tab_col(t, "listed", "Listed hosts", ASC_COL_INT);
    tab_col(t, "listed_v4", "Listed IPv4 hosts", ASC_COL_INT);
    tab_col(t, "routed_24s", "Routed /24s", ASC_COL_FLOAT);
    tab_col(t, "density", "Listed per routed /24", ASC_COL_FLOAT);
    tab_col(t, "shrunk_density", "Shrunk density", ASC_COL_FLOAT);
    tab_col(t, "rank_raw", "Rank (raw density)", ASC_COL_INT);
    tab_col(t, "rank_shrunk", "Rank (shrunk)", ASC_COL_INT);
    tab_grade_cols(t, ASC_ALL_GRADES);
}

static void note(struct asc_table *t, double m, bool have_rs)
{
    tab_note(t, "Distinct listed addresses (intel incidents of any category) that traffic "
                "touched, by the country / AS of the listed address. density: listed IPv4 "
                "addresses per routed IPv4 /24 of the group (IPv6 addresses count in listed "
                "only); shrunk_density: (listed_v4 + S*m) / (routed_24s + S) with the prior "
                "mean m = listed IPv4 addresses / all routed /24s and strength S = %.0f /24s "
                "(thresholds prior_mean, prior_24s), so a small AS with one listed host does "
                "not top the list. rank_raw / rank_shrunk: 1 = highest density (ties by key). "
                "Rows: rank_shrunk. Grade columns: listed addresses per grade.",
             PRIOR_24S);
    if (!have_rs)
        tab_note(t, "No database with routed space was available: routed_24s is 0, density "
                    "0 and the shrunk density the prior mean.");
    tab_th(t, "prior_24s", PRIOR_24S);
    tab_th(t, "prior_mean", m);
}

/* Ranks by column col (descending, ties by the key, column 0) into column
 * rcol; the rows stay in that order. */
static void rank_by(struct asc_table *t, int col, int rcol)
{
    int spec[2] = {-(col + 1), 1};
    tab_sort(t, spec, 2);
    for (size_t r = 0; r < t->n_rows; r++)
        t->cells[r * ASC_TAB_COLS + rcol].u = r + 1;
}

static void finish_group(union asc_cell *r, size_t at, const struct asc_routed_count *rc,
                         double m)
{
    r[at + 2].d = rc->v4_24;
    r[at + 3].d = rc->v4_24 > 0 ? (double)r[at + 1].u / rc->v4_24 : 0;
    r[at + 4].d = asc_shrink((double)r[at + 1].u, rc->v4_24, m, PRIOR_24S);
}

static void build(struct asc_stats *st, struct asc_table *t, struct bad *v, size_t n,
                  bool by_asn, const struct asc_routed_space *rs, double m)
{
    qsort(v, n, sizeof(*v), by_asn ? cmp_bad_asn : cmp_bad_cc);
    size_t at = by_asn ? 2 : 1;
    for (size_t i = 0; i < n;) {
        union asc_cell *r = tab_row(t);
        size_t j = i;
        for (; j < n && (by_asn ? v[j].asn == v[i].asn : !strcmp(v[j].cc, v[i].cc)); j++) {
            r[at].u++;
            r[at + 1].u += v[j].addr.family == ASC_AF_INET;
            r[at + 7 + v[j].grade % ASC_GRADE__COUNT].u++;
        }
        struct asc_routed_count rc = {0};
        if (by_asn) {
            struct asc_geo g = {0};
            if (st->cf.enr)
                asc_enrich_lookup(st->cf.enr, &v[i].addr, &g);
            r[0].u = v[i].asn;
            r[1].s = tab_str(g.asn == v[i].asn ? g.as_name : NULL);
            if (rs && v[i].asn)
                rc = asc_routed_by_asn(rs, v[i].asn);
        } else {
            r[0].s = tab_str(v[i].cc);
            if (rs && v[i].cc[0])
                rc = asc_routed_by_cc(rs, v[i].cc);
        }
        finish_group(r, at, &rc, m);
        i = j;
    }
    rank_by(t, (int)at + 3, (int)at + 5);
    rank_by(t, (int)at + 4, (int)at + 6);
}

void st_build_hosting(struct asc_stats *st)
{
    struct asc_table *tc = &st->tab[ASC_TAB_BAD_CC], *ta = &st->tab[ASC_TAB_BAD_ASN];
    tab_init(tc, "known_bad_hosting_by_country", "Known-bad hosting by country",
             "where listed hosts are registered, not who runs them", "table",
             "distinct listed addresses contacted", ASC_ALL_GRADES);
    tab_init(ta, "known_bad_hosting_by_asn", "Known-bad hosting by AS",
             "where listed hosts are registered, not who runs them", "table",
             "distinct listed addresses contacted", ASC_ALL_GRADES);
    cols(tc, false);
    cols(ta, true);
    struct bad *v = asc_xcalloc(st->n_intel + 1, sizeof(*v));
    size_t n = 0, n4 = 0;
    for (size_t i = 0; i < st->n_intel; i++) {
        const struct st_intel *e = &st->intel[i];
        v[n] = (struct bad){.addr = e->ind, .asn = e->asn, .grade = e->grade};
        memcpy(v[n++].cc, e->cc, 3);
    }
    qsort(v, n, sizeof(*v), cmp_bad_addr);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!k || asc_addr_cmp(&v[i].addr, &v[k - 1].addr) != 0) {
            v[k++] = v[i];
            n4 += v[i].addr.family == ASC_AF_INET;
        }
    n = k;
    struct asc_routed_space *rs = NULL;
    if (n && st->cf.enr) {
        struct asc_err err = {0};
        if (asc_enrich_routed_space(st->cf.enr, &rs, &err) != 0)
            rs = NULL;
    }
    double total = rs ? asc_routed_total(rs).v4_24 : 0;
    double m = total > 0 ? (double)n4 / total : 0;
    note(tc, m, rs != NULL || !n);
    note(ta, m, rs != NULL || !n);
    build(st, tc, v, n, false, rs, m);
    build(st, ta, v, n, true, rs, m);
    asc_routed_space_free(rs);
    free(v);
}
