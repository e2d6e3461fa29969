/*
 * stats.c - the statistics collector (stats.h): takes frames and incidents
 * from the pipeline during the run, keeps bounded grouped counters and
 * compact copies, and builds the tables at the end (tab_*.c).
 *
 * Also parses --home / --home-net, which say what "inside" means for the
 * controller tables.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

/* ---- home ---------------------------------------------------------------- */

static int next_item(const char **p, char *buf, size_t len)
{
    const char *s = *p, *e = strchr(s, ',');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    if (n == 0 || n >= len)
        return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    *p = e ? e + 1 : s + n;
    return 0;
}

int asc_home_parse_cc(struct asc_home *h, const char *arg, struct asc_err *err)
{
    const char *p = arg;
    char b[8];
    while (*p) {
        if (next_item(&p, b, sizeof(b)) != 0 || strlen(b) != 2 || b[0] < 'A' || b[0] > 'Z' ||
            b[1] < 'A' || b[1] > 'Z')
            return asc_err_set(err, ASC_EINVAL,
                               "--home wants country codes like CN,US (upper case), not '%s'",
                               arg);
        if (h->n_cc >= ASC_HOME_MAX)
            return asc_err_set(err, ASC_EINVAL, "--home: at most %d countries", ASC_HOME_MAX);
        memcpy(h->cc[h->n_cc++], b, 3);
    }
    return 0;
}

int asc_home_parse_net(struct asc_home *h, const char *arg, struct asc_err *err)
{
    const char *p = arg;
    char b[80];
    while (*p) {
        if (next_item(&p, b, sizeof(b)) != 0)
            return asc_err_set(err, ASC_EINVAL, "--home-net wants CIDR[,CIDR...], not '%s'", arg);
        char *slash = strchr(b, '/');
        struct asc_addr a;
        long plen = -1;
        if (slash) {
            char *end;
            *slash = 0;
            plen = strtol(slash + 1, &end, 10);
            if (end == slash + 1 || *end)
                plen = -2;
        }
        if (asc_addr_parse(b, &a) != 0 || plen < -1 ||
            plen > (a.family == ASC_AF_INET ? 32 : 128))
            return asc_err_set(err, ASC_EINVAL, "--home-net: bad network '%s'", b);
        if (h->n_net >= ASC_HOME_MAX)
            return asc_err_set(err, ASC_EINVAL, "--home-net: at most %d networks",
                               ASC_HOME_MAX);
        h->net[h->n_net] = a;
        h->plen[h->n_net++] = (uint8_t)(plen < 0 ? (a.family == ASC_AF_INET ? 32 : 128) : plen);
    }
    return 0;
}

bool asc_home_defined(const struct asc_home *h)
{
    return h && (h->n_cc || h->n_net);
}

static bool in_net(const struct asc_addr *a, const struct asc_addr *net, unsigned plen)
{
    if (a->family != net->family)
        return false;
    unsigned full = plen / 8, rest = plen % 8;
    if (memcmp(a->b, net->b, full) != 0)
        return false;
    if (!rest)
        return true;
    uint8_t m = (uint8_t)(0xff << (8 - rest));
    return (a->b[full] & m) == (net->b[full] & m);
}

bool asc_home_inside(const struct asc_home *h, const struct asc_addr *a, const char *cc)
{
    if (!asc_home_defined(h))
        return true;
    for (size_t i = 0; i < h->n_cc; i++)
        if (cc && cc[0] && !strcmp(cc, h->cc[i]))
            return true;
    for (size_t i = 0; i < h->n_net; i++)
        if (in_net(a, &h->net[i], h->plen[i]))
            return true;
    return false;
}

/* ---- grouped counters -------------------------------------------------- */

size_t st_cc_index(const char *cc)
{
    if (!cc || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z' || cc[2])
        return 0;
    return 1 + (size_t)(cc[0] - 'A') * 26 + (size_t)(cc[1] - 'A');
}

void st_cc_code(size_t i, char out[3])
{
    out[0] = out[1] = out[2] = 0;
    if (i == 0 || i >= ST_NCC)
        return;
    out[0] = (char)('A' + (i - 1) / 26);
    out[1] = (char)('A' + (i - 1) % 26);
}

static size_t asn_slot(const struct st_asn *t, size_t mask, uint32_t asn)
{
    size_t i = ((asn + 1) * 2654435761u) & mask;
    while (t[i].asn != 0 && t[i].asn != asn + 1)
        i = (i + 1) & mask;
    return i;
}

/* The entry of an AS (stored key: asn + 1, so AS 0 "unknown" has one too). */
static struct st_grp *asn_get(struct asc_stats *st, uint32_t asn, const char *name)
{
    if (asn == UINT32_MAX)
        asn = 0;
    if ((st->asn_n + 1) * 2 > st->asn_mask + 1) {
        size_t nmask = st->asn_mask ? st->asn_mask * 2 + 1 : 255;
        struct st_asn *nt = asc_xcalloc(nmask + 1, sizeof(*nt));
        for (size_t i = 0; st->asn && i <= st->asn_mask; i++)
            if (st->asn[i].asn)
                nt[asn_slot(nt, nmask, st->asn[i].asn - 1)] = st->asn[i];
        free(st->asn);
        st->asn = nt;
        st->asn_mask = nmask;
    }
    struct st_asn *e = &st->asn[asn_slot(st->asn, st->asn_mask, asn)];
    if (!e->asn) {
        e->asn = asn + 1;
        st->asn_n++;
    }
    if (!e->name && name && name[0])
        e->name = asc_xstrdup(name);
    return &e->g;
}

static int cmp_asn(const void *pa, const void *pb)
{
    const struct st_asn *a = *(const struct st_asn *const *)pa;
    const struct st_asn *b = *(const struct st_asn *const *)pb;
    return a->asn < b->asn ? -1 : a->asn > b->asn;
}

struct st_asn **st_asn_list(const struct asc_stats *st, size_t *n)
{
    struct st_asn **v = asc_xcalloc(st->asn_n ? st->asn_n : 1, sizeof(*v));
    size_t k = 0;
    for (size_t i = 0; st->asn && i <= st->asn_mask; i++)
        if (st->asn[i].asn)
            v[k++] = &st->asn[i];
    qsort(v, k, sizeof(*v), cmp_asn);
    *n = k;
    return v;
}

bool st_is_attack(uint8_t type)
{
    return type == ASC_INC_SCAN || type == ASC_INC_BRUTEFORCE || type == ASC_INC_FLOOD;
}

/* ---- collector --------------------------------------------------------- */

struct asc_stats *asc_stats_new(const struct asc_stats_conf *cf)
{
    struct asc_stats *st = asc_xcalloc(1, sizeof(*st));
    st->cf = *cf;
    return st;
}

void asc_stats_free(struct asc_stats *st)
{
    if (!st)
        return;
    for (size_t i = 0; st->asn && i <= st->asn_mask; i++)
        free(st->asn[i].name);
    free(st->asn);
    free(st->inc);
    for (size_t i = 0; i < st->n_intel; i++)
        free(st->intel[i].hosts);
    free(st->intel);
    for (int i = 0; i < ASC_TAB__COUNT; i++)
        tab_free(&st->tab[i]);
    free(st);
}

/* The width ladder: 10 ms, then x5, x2, x5, x2, ... (each divides the next). */
static void timeline_grow(struct asc_stats *st)
{
    int64_t f = (st->ladder % 2 == 0) ? 5 : 2;
    int64_t nbase = st->base / f;
    uint64_t p[ASC_STATS_MAX_BINS] = {0}, b[ASC_STATS_MAX_BINS] = {0};
    size_t n = 0;
    for (size_t k = 0; k < st->n_bins; k++) {
        size_t j = (size_t)((st->base + (int64_t)k) / f - nbase);
        p[j] += st->bin_pkts[k];
        b[j] += st->bin_bytes[k];
        n = j + 1;
    }
    memcpy(st->bin_pkts, p, sizeof(p));
    memcpy(st->bin_bytes, b, sizeof(b));
    st->n_bins = n;
    st->base = nbase;
    st->width *= f;
    st->ladder++;
    st->cur_lo = st->cur_hi = 0;    /* bins moved: forget the last one */
}

void asc_stats_frame(struct asc_stats *st, asc_time ts, uint64_t wirelen)
{
    if (ts < 0)
        ts = 0;
    if (ts >= st->cur_lo && ts < st->cur_hi) {     /* most frames: the bin of the last */
        st->bin_pkts[st->cur]++;
        st->bin_bytes[st->cur] += wirelen;
        return;
    }
    if (!st->started) {
        st->started = true;
        st->width = 10 * 1000 * 1000;
        st->base = ts / st->width;
    }
    int64_t idx = ts / st->width - st->base;
    if (idx < 0)
        idx = 0;
    while (idx >= ASC_STATS_MAX_BINS) {
        timeline_grow(st);
        idx = ts / st->width - st->base;
    }
    st->bin_pkts[idx]++;
    st->bin_bytes[idx] += wirelen;
    if ((size_t)idx + 1 > st->n_bins)
        st->n_bins = (size_t)idx + 1;
    if (ts / st->width - st->base == idx) {         /* not a clamped early frame */
        st->cur = (size_t)idx;
        st->cur_lo = (st->base + idx) * st->width;
        st->cur_hi = st->cur_lo + st->width;
    }
}

static bool is_probe(const struct asc_incident *inc)
{
    return inc->type == ASC_INC_SCAN && inc->victim_port != 0;
}

static void add_groups(struct asc_stats *st, const struct asc_incident *inc)
{
    bool att = st_is_attack(inc->type);
    bool intr = inc->type == ASC_INC_BRUTEFORCE || is_probe(inc);
    if (!att && !intr)
        return;
    for (int pass = 0; pass < 2; pass++) {
        size_t n = pass ? inc->n_by_asn : inc->n_by_cc;
        const struct asc_inc_group *gv = pass ? inc->by_asn : inc->by_cc;
        for (size_t i = 0; gv && i < n; i++) {
            struct st_grp *g = pass ? asn_get(st, gv[i].asn, gv[i].as_name)
                                    : &st->cc[st_cc_index(gv[i].cc)];
            uint64_t tot = 0;
            for (int k = 0; k < ASC_GRADE__COUNT; k++) {
                tot += gv[i].pkts[k];
                if (att) {
                    g->att_pkts[k] += gv[i].pkts[k];
                    g->att_src[k] += gv[i].sources[k];
                }
                if (intr)
                    g->intr_src[k] += gv[i].sources[k];
            }
            if (inc->type == ASC_INC_BRUTEFORCE)
                g->bf_att += tot;
            else if (intr)
                g->probe_att += tot;
        }
    }
}

static void keep_incident(struct asc_stats *st, const struct asc_incident *inc)
{
    if (st->n_inc >= ASC_STATS_MAX_INC) {
        st->inc_dropped++;
        return;
    }
    if (st->n_inc == st->cap_inc) {
        st->cap_inc = st->cap_inc ? st->cap_inc * 2 : 64;
        st->inc = asc_xrealloc(st->inc, st->cap_inc, sizeof(*st->inc));
    }
    struct st_inc *c = &st->inc[st->n_inc++];
    memset(c, 0, sizeof(*c));
    c->type = inc->type;
    c->proto = inc->proto;
    snprintf(c->vector, sizeof(c->vector), "%s", inc->vector ? inc->vector : "");
    c->victim = inc->victim;
    c->n_victims = inc->n_victims;
    c->victim_port = inc->victim_port;
    c->n_ports = ASC_MIN(inc->n_ports, (size_t)ASC_INC_PORTS);
    memcpy(c->ports, inc->ports, c->n_ports * sizeof(c->ports[0]));
    c->start = inc->start;
    c->end = inc->end;
    c->pkts = inc->pkts;
    c->bytes = inc->bytes;
    c->n_sources = inc->n_sources;
    c->peak_pps = inc->peak_pps;
    c->severity = inc->severity;
    memcpy(c->grade_count, inc->grade_count, sizeof(c->grade_count));
}

static bool has_c2(const struct asc_incident *inc)
{
    if (inc->vector && !strcmp(inc->vector, "c2"))
        return true;
    for (size_t i = 0; i < inc->intel->n_lists && i < ASC_INTEL_LISTS; i++)
        if (inc->intel->lists[i].category && !strcmp(inc->intel->lists[i].category, "c2"))
            return true;
    return false;
}

static void keep_intel(struct asc_stats *st, const struct asc_incident *inc)
{
    if (!inc->intel)
        return;
    if (st->n_intel >= ASC_STATS_MAX_INC) {
        st->intel_dropped++;
        return;
    }
    if (st->n_intel == st->cap_intel) {
        st->cap_intel = st->cap_intel ? st->cap_intel * 2 : 16;
        st->intel = asc_xrealloc(st->intel, st->cap_intel, sizeof(*st->intel));
    }
    struct st_intel *e = &st->intel[st->n_intel++];
    memset(e, 0, sizeof(*e));
    e->ind = inc->intel->indicator;
    if (inc->n_top) {
        memcpy(e->cc, inc->top[0].cc, sizeof(e->cc));
        e->cc[2] = 0;
        e->asn = inc->top[0].asn;
        e->grade = inc->top[0].grade;
    } else if (st->cf.enr) {
        struct asc_geo g;
        asc_enrich_lookup(st->cf.enr, &e->ind, &g);
        memcpy(e->cc, g.cc, sizeof(e->cc));
        e->asn = g.asn;
        e->grade = ASC_GRADE_CONSISTENT;
    }
    e->c2 = has_c2(inc);
    e->n_hosts = ASC_MIN(inc->intel->n_hosts, (size_t)ASC_INTEL_HOSTS);
    e->hosts = asc_xcalloc(e->n_hosts ? e->n_hosts : 1, sizeof(*e->hosts));
    for (size_t i = 0; i < e->n_hosts; i++)
        e->hosts[i] = inc->intel->hosts[i].addr;
}

void asc_stats_incident(struct asc_stats *st, const struct asc_incident *inc)
{
    if (st->finished)
        return;
    add_groups(st, inc);
    keep_incident(st, inc);
    if (inc->type == ASC_INC_INTEL)
        keep_intel(st, inc);
}

const struct asc_table *asc_stats_finish(struct asc_stats *st, asc_time first, asc_time last)
{
    if (st->finished)
        return st->tab;
    st->finished = true;
    st->first = first;
    st->last = last;
    st_build_attack(st);
    st_build_intel(st);
    st_build_misc(st);
    return st->tab;
}

const struct asc_table *asc_stats_tables(const struct asc_stats *st)
{
    return st->finished ? st->tab : NULL;
}

double asc_shrink(double k, double n, double m, double strength)
{
    if (n + strength <= 0)
        return 0;
    return (k + strength * m) / (n + strength);
}
