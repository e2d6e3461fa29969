/*
 * tab_intel.c - the tables built from known-bad contacts (intel incidents):
 * controllers and the hosts they control per controller country, the
 * controller-country x bot-country matrix; known-bad hosting is in
 * tab_hosting.c.
 *
 * Built at the end of the run from the collector's copies of intel
 * incidents (listed address, its country/AS/grade, the hosts on the other
 * side) and the enricher (hosts' countries, routed space per country/AS).
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

struct ctrl {
    struct asc_addr addr;
    char cc[3];
    uint32_t asn;
    uint8_t grade;
};

struct pair {
    char ccc[3], bcc[3];
    struct asc_addr host;
};

static int cmp_ctrl_cc(const void *pa, const void *pb)
{
    const struct ctrl *a = pa, *b = pb;
    int c = strcmp(a->cc, b->cc);
    return c ? c : asc_addr_cmp(&a->addr, &b->addr);
}

static int cmp_u32(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return a < b ? -1 : a > b;
}

static int cmp_pair_c(const void *pa, const void *pb)
{
    const struct pair *a = pa, *b = pb;
    int c = strcmp(a->ccc, b->ccc);
    return c ? c : asc_addr_cmp(&a->host, &b->host);
}

static int cmp_pair_m(const void *pa, const void *pb)
{
    const struct pair *a = pa, *b = pb;
    int c = strcmp(a->ccc, b->ccc);
    if (!c)
        c = strcmp(a->bcc, b->bcc);
    return c ? c : asc_addr_cmp(&a->host, &b->host);
}

static int cmp_pair_h(const void *pa, const void *pb)
{
    const struct pair *a = pa, *b = pb;
    return asc_addr_cmp(&a->host, &b->host);
}

static bool same_net(const struct asc_addr *a, const struct asc_addr *b)
{
    return a->family == b->family && !memcmp(a->b, b->b, a->family == ASC_AF_INET ? 3 : 6);
}

static void host_cc(struct asc_stats *st, const struct asc_addr *a, char out[3])
{
    out[0] = 0;
    if (!st->cf.enr)
        return;
    struct asc_geo g;
    asc_enrich_lookup(st->cf.enr, a, &g);
    memcpy(out, g.cc, 3);
    out[2] = 0;
}

/* Controllers outside home (distinct, sorted by country then address) and
 * the (controller country, bot country, host) pairs of hosts inside. */
static struct ctrl *collect(struct asc_stats *st, size_t *n_ctrl, struct pair **pairs,
                            size_t *n_pairs)
{
    struct ctrl *cv = asc_xcalloc(st->n_intel + 1, sizeof(*cv));
    size_t nc = 0, np = 0, cap = 16;
    struct pair *pv = asc_xcalloc(cap, sizeof(*pv));
    for (size_t i = 0; i < st->n_intel; i++) {
        const struct st_intel *e = &st->intel[i];
        if (!e->c2 || (asc_home_defined(st->cf.home) && asc_home_inside(st->cf.home, &e->ind,
                                                                        e->cc)))
            continue;
        cv[nc++] = (struct ctrl){.addr = e->ind, .asn = e->asn, .grade = e->grade};
        memcpy(cv[nc - 1].cc, e->cc, 3);
        for (size_t j = 0; j < e->n_hosts; j++) {
            char cc[3];
            host_cc(st, &e->hosts[j], cc);
            if (!asc_home_inside(st->cf.home, &e->hosts[j], cc))
                continue;
            if (np == cap) {
                cap *= 2;
                pv = asc_xrealloc(pv, cap, sizeof(*pv));
            }
            memcpy(pv[np].ccc, e->cc, 3);
            memcpy(pv[np].bcc, cc, 3);
            pv[np++].host = e->hosts[j];
        }
    }
    qsort(cv, nc, sizeof(*cv), cmp_ctrl_cc);
    size_t k = 0;   /* one entry per address (the same address never has two countries) */
    for (size_t i = 0; i < nc; i++)
        if (!k || asc_addr_cmp(&cv[i].addr, &cv[k - 1].addr) != 0)
            cv[k++] = cv[i];
    *n_ctrl = k;
    *pairs = pv;
    *n_pairs = np;
    return cv;
}

static size_t distinct_u32(uint32_t *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_u32);
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        d += !i || v[i] != v[i - 1];
    return d;
}

static void controllers_rows(struct asc_table *t, const struct ctrl *cv, size_t nc,
                             struct pair *pv, size_t np)
{
    qsort(pv, np, sizeof(*pv), cmp_pair_h);
    uint64_t all_hosts = 0;
    for (size_t i = 0; i < np; i++)
        all_hosts += !i || asc_addr_cmp(&pv[i].host, &pv[i - 1].host) != 0;
    qsort(pv, np, sizeof(*pv), cmp_pair_c);
    uint32_t *asns = asc_xcalloc(nc + 1, sizeof(*asns));
    size_t p = 0;
    for (size_t i = 0; i < nc;) {
        size_t j = i, na = 0;
        union asc_cell *r = tab_row(t);
        r[0].s = tab_str(cv[i].cc);
        for (; j < nc && !strcmp(cv[j].cc, cv[i].cc); j++) {
            r[1].u++;
            r[5].u += j == i || !same_net(&cv[j].addr, &cv[j - 1].addr);
            asns[na++] = cv[j].asn;
            r[7 + cv[j].grade % ASC_GRADE__COUNT].u++;
        }
        r[6].u = distinct_u32(asns, na);
        r[2].d = nc ? (double)r[1].u / (double)nc : 0;
        while (p < np && strcmp(pv[p].ccc, cv[i].cc) < 0)
            p++;
        for (size_t q = p; q < np && !strcmp(pv[q].ccc, cv[i].cc); q++)
            r[3].u += q == p || asc_addr_cmp(&pv[q].host, &pv[q - 1].host) != 0;
        r[4].d = all_hosts ? (double)r[3].u / (double)all_hosts : 0;
        i = j;
    }
    free(asns);
}

static void controllers(struct asc_stats *st)
{
    struct asc_table *t = &st->tab[ASC_TAB_CONTROLLERS_CC];
    struct asc_table *m = &st->tab[ASC_TAB_CONTROLLER_MATRIX];
    tab_init(t, "controllers_by_country", "Controllers and controlled hosts by controller country",
             "by server IP, not attribution", "table",
             "distinct controller addresses; distinct controlled hosts", ASC_ALL_GRADES);
    tab_init(m, "controller_matrix", "Controller country x controlled-host country", "",
             "matrix", "distinct controlled hosts", ASC_ALL_GRADES);
    const char *what =
        "A controller is the listed address of a known-bad contact (intel incident) with a "
        "list of category c2, outside home (its country not in --home and its address not in "
        "--home-net); the hosts it controls are the hosts on the other side of its flows "
        "(up to 64 per controller) that are inside home.";
    tab_note(t, "%s", what);
    tab_note(m, "%s", what);
    if (!asc_home_defined(st->cf.home)) {
        tab_note(t, "Neither --home nor --home-net was given: every controller counts as "
                    "outside and every host as inside.");
        tab_note(m, "Neither --home nor --home-net was given: every controller counts as "
                    "outside and every host as inside.");
    }
    tab_note(t, "controller_share: of all controllers; host_share: of all distinct controlled "
                "hosts (a host controlled from two countries counts in both rows, so host "
                "shares may sum above 1). slash24s: distinct /24s (IPv6: /48s) of the "
                "controllers; grade columns: controllers per grade. Rows: controllers "
                "descending, then hosts descending, then country code.");
    tab_note(m, "Rows: hosts descending, then controller country, then host country.");
    tab_col(t, "cc", "Controller country", ASC_COL_CC);
    tab_col(t, "controllers", "Controllers", ASC_COL_INT);
    tab_col(t, "controller_share", "Share of controllers", ASC_COL_SHARE);
    tab_col(t, "hosts", "Controlled hosts", ASC_COL_INT);
    tab_col(t, "host_share", "Share of controlled hosts", ASC_COL_SHARE);
    tab_col(t, "slash24s", "/24s", ASC_COL_INT);
    tab_col(t, "asns", "ASes", ASC_COL_INT);
    tab_grade_cols(t, ASC_ALL_GRADES);
    tab_col(m, "controller_cc", "Controller country", ASC_COL_CC);
    tab_col(m, "bot_cc", "Controlled-host country", ASC_COL_CC);
    tab_col(m, "hosts", "Controlled hosts", ASC_COL_INT);
    size_t nc, np;
    struct pair *pv;
    struct ctrl *cv = collect(st, &nc, &pv, &np);
    controllers_rows(t, cv, nc, pv, np);
    qsort(pv, np, sizeof(*pv), cmp_pair_m);
    union asc_cell *r = NULL;
    for (size_t i = 0; i < np; i++) {
        bool cell = i && !strcmp(pv[i].ccc, pv[i - 1].ccc) && !strcmp(pv[i].bcc, pv[i - 1].bcc);
        if (!cell) {
            r = tab_row(m);
            r[0].s = tab_str(pv[i].ccc);
            r[1].s = tab_str(pv[i].bcc);
        }
        r[2].u += !cell || asc_addr_cmp(&pv[i].host, &pv[i - 1].host) != 0;
    }
    free(cv);
    free(pv);
    static const int spec_t[] = {-2, -4, 1};
    static const int spec_m[] = {-3, 1, 2};
    tab_sort(t, spec_t, ASC_ARRAY_LEN(spec_t));
    tab_sort(m, spec_m, ASC_ARRAY_LEN(spec_m));
}

void st_build_intel(struct asc_stats *st)
{
    controllers(st);
    st_build_hosting(st);
}
