/*
 * intel.c - the known-bad contact detector: flows that touch an address
 * held by an intel list (src/enrich/intel.h: feodo, DROP, Tor exits, ...)
 * become one incident per listed address.
 *
 * Works on flow records (on_flow_end), after enrichment: each end of a
 * flow is matched against the loaded lists (one LPM probe per end, no geo
 * lookup). A listed end is an *indicator*; the other end is a *host*. Per
 * indicator the detector keeps the lists that hold it, who initiated
 * (outbound: the host opened the flow to the indicator; inbound: the
 * indicator opened it), packets, bytes, flows, first and last seen, the
 * first ASC_INTEL_HOSTS hosts exactly (pkts, bytes, first, last) and the
 * distinct count of the rest (HyperLogLog), the service ports and a few
 * Community IDs. When both ends are listed, each is an indicator and the
 * other its host.
 *
 * Incidents are emitted at the final tick only, sorted by first seen,
 * then indicator: the contract with the statistics (docs/schema/
 * analyze.md) is one incident per listed address, which an early emit
 * on a quiet indicator would break. Bounded: at most max_indicators are
 * tracked (later ones are dropped and counted in the incidents' params).
 * The indicator is the incident's only source and is graded like any
 * source (a Tor or proxy list makes it a relay). Special-purpose addresses
 * (private, reserved, multicast, documentation: src/enrich/special.h) are
 * never indicators unless intel.special=1: reputation lists such as
 * FireHOL level 1 hold the bogon ranges on purpose (for filtering), and
 * every LAN host would otherwise be "known bad". docs/detectors/intel.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib/srcset.h"
#include "core/conf.h"
#include "core/hll.h"
#include "detect/detector.h"
#include "enrich/enrich.h"
#include "enrich/intel.h"
#include "enrich/special.h"

#define INTEL_VERSION "1.0"
#define N_PORTS 8

struct ihost {
    struct asc_addr addr;
    uint64_t pkts, bytes;
    asc_time first, last;
};

struct iport {
    uint16_t port;
    uint64_t flows;
};

struct indicator {
    struct asc_addr addr;
    uint64_t lists;               /* bitmap of intel lists holding it */
    uint8_t dir;                  /* ASC_INTEL_* bits */
    uint8_t proto;                /* IP protocol of its flows, 0 when mixed */
    uint8_t ttl;                  /* TTL of its packets (last seen), 0 unknown */
    bool answered;                /* it sent traffic back at least once */
    asc_time first, last;
    uint64_t pkts, bytes, flows;
    size_t n_hosts, cap_hosts;
    struct ihost *hosts;          /* the first ASC_INTEL_HOSTS, exact */
    struct asc_hll *other;        /* distinct hosts beyond those; NULL until needed */
    uint64_t other_flows;
    struct iport ports[N_PORTS];  /* flows per responder port, first N_PORTS ports */
    uint64_t port_other;
    size_t n_cid;
    struct asc_flow_key cid[ASC_INC_CIDS];
};

struct intel_det {
    const struct asc_grader *g;
    const struct asc_intel *in;   /* borrowed from the enricher; NULL: nothing to do */
    double max_indicators;
    bool special;                 /* special-purpose addresses may be indicators */
    struct indicator **slot;      /* open addressing by address hash */
    size_t cap, n;
    uint64_t dropped;             /* indicators not tracked (table full) */
};

static int intel_init(const struct asc_det_env *env, void **state, struct asc_err *err)
{
    struct asc_conf *cf = env ? env->conf : NULL;
    struct intel_det *d = asc_xcalloc(1, sizeof(*d));
    d->max_indicators = asc_conf_num(cf, "intel", "max_indicators", 4096);
    if (!(d->max_indicators >= 1 && d->max_indicators <= (1 << 22))) {
        free(d);
        return asc_err_set(err, ASC_EINVAL, "intel: max_indicators is out of range (1..4194304)");
    }
    d->special = asc_conf_num(cf, "intel", "special", 0) != 0;
    d->g = env ? env->grader : NULL;
    struct asc_enricher *enr = d->g ? d->g->enr : NULL;
    const struct asc_intel *in = enr ? asc_enrich_intel(enr) : NULL;
    if (in && asc_intel_n_lists(in) > 0)
        d->in = in;
    d->cap = 16;
    while (d->cap < (size_t)d->max_indicators * 2)
        d->cap <<= 1;
    *state = d;
    return 0;
}

static void ind_free(struct indicator *x)
{
    if (!x)
        return;
    free(x->hosts);
    free(x->other);
    free(x);
}

static void intel_fini(void *state)
{
    struct intel_det *d = state;
    if (!d)
        return;
    for (size_t i = 0; d->slot && i < d->cap; i++)
        ind_free(d->slot[i]);
    free(d->slot);
    free(d);
}

/* The indicator for a, created when there is room; NULL when the table is
 * full (counted). The slot array is allocated at the first hit. */
static struct indicator *ind_get(struct intel_det *d, const struct asc_addr *a)
{
    if (!d->slot)
        d->slot = asc_xcalloc(d->cap, sizeof(*d->slot));
    size_t i = asc_addr_hash(a) & (d->cap - 1);
    for (; d->slot[i]; i = (i + 1) & (d->cap - 1))
        if (asc_addr_eq(&d->slot[i]->addr, a))
            return d->slot[i];
    if (d->n >= (size_t)d->max_indicators) {
        d->dropped++;
        return NULL;
    }
    struct indicator *x = asc_xcalloc(1, sizeof(*x));
    x->addr = *a;
    d->slot[i] = x;
    d->n++;
    return x;
}

static void add_host(struct indicator *x, const struct asc_addr *h, const struct asc_flow *f,
                     uint64_t pkts, uint64_t bytes)
{
    for (size_t i = 0; i < x->n_hosts; i++) {
        struct ihost *e = &x->hosts[i];
        if (asc_addr_cmp(&e->addr, h))
            continue;
        e->pkts += pkts;
        e->bytes += bytes;
        e->first = ASC_MIN(e->first, f->first);
        e->last = ASC_MAX(e->last, f->last);
        return;
    }
    if (x->n_hosts < ASC_INTEL_HOSTS) {
        if (x->n_hosts == x->cap_hosts) {
            x->cap_hosts = x->cap_hosts ? x->cap_hosts * 2 : 4;
            x->hosts = asc_xrealloc(x->hosts, x->cap_hosts, sizeof(*x->hosts));
        }
        x->hosts[x->n_hosts++] = (struct ihost){*h, pkts, bytes, f->first, f->last};
        return;
    }
    if (!x->other) {
        x->other = asc_xmalloc(sizeof(*x->other));
        asc_hll_clear(x->other);
    }
    asc_hll_add(x->other, asc_addr_hash(h));
    x->other_flows++;
}

static void add_port(struct indicator *x, uint16_t port)
{
    for (size_t i = 0; i < N_PORTS; i++) {
        if (x->ports[i].flows && x->ports[i].port != port)
            continue;
        x->ports[i].port = port;
        x->ports[i].flows++;
        return;
    }
    x->port_other++;
}

/* One flow seen from the indicator at end `side` (0 orig, 1 resp). */
static void account(struct intel_det *d, const struct asc_flow *f, int side, uint64_t lists)
{
    const struct asc_addr *ia = side ? &f->key.resp : &f->key.orig;
    const struct asc_addr *ha = side ? &f->key.orig : &f->key.resp;
    struct indicator *x = ind_get(d, ia);
    if (!x)
        return;
    uint64_t pkts = (uint64_t)f->dir[0].pkts + f->dir[1].pkts;
    uint64_t bytes = f->dir[0].ip_bytes + f->dir[1].ip_bytes;
    if (!x->flows) {
        x->first = f->first;
        x->last = f->last;
        x->proto = f->key.proto;
    }
    x->first = ASC_MIN(x->first, f->first);
    x->last = ASC_MAX(x->last, f->last);
    if (x->proto != f->key.proto)
        x->proto = 0;
    x->lists |= lists;
    x->dir |= side ? ASC_INTEL_OUTBOUND : ASC_INTEL_INBOUND;
    x->pkts += pkts;
    x->bytes += bytes;
    x->flows++;
    if (f->dir[side].pkts) {
        if (f->dir[side].ttl_max)
            x->ttl = f->dir[side].ttl_max;
        if (f->dir[!side].pkts)
            x->answered = true;
    }
    add_host(x, ha, f, pkts, bytes);
    add_port(x, f->key.resp_port);
    if (x->n_cid < ASC_INC_CIDS)
        x->cid[x->n_cid++] = f->key;
}

static void intel_on_flow_end(void *state, const struct asc_flow *f)
{
    struct intel_det *d = state;
    if (!d->in)
        return;
    uint64_t lo = asc_intel_match_addr(d->in, &f->key.orig);
    uint64_t lr = asc_intel_match_addr(d->in, &f->key.resp);
    if (!d->special) {
        if (lo && asc_special_flags(&f->key.orig))
            lo = 0;
        if (lr && asc_special_flags(&f->key.resp))
            lr = 0;
    }
    if (lr)
        account(d, f, 1, lr);
    if (lo)
        account(d, f, 0, lo);
}

/* ---- incidents ---------------------------------------------------------- */

/* The contract's vector: the list's category when it is one of the
 * published ones, else the nearest (attack sources count as scanners). */
static const char *vector_of(const char *cat)
{
    static const char *const known[] = {"c2",    "drop",    "tor",  "scanner", "phishing",
                                        "proxy", "malware", "spam", "other"};
    if (!cat)
        return "other";
    for (size_t i = 0; i < ASC_ARRAY_LEN(known); i++)
        if (!strcmp(cat, known[i]))
            return known[i];
    if (!strcmp(cat, "bruteforce") || !strcmp(cat, "attacks"))
        return "scanner";
    return "other";
}

/* Base severity per vector; docs/detectors/intel.md. */
static double base_severity(const char *vec)
{
    static const struct {
        const char *v;
        double s;
    } t[] = {{"c2", 7}, {"malware", 6}, {"phishing", 5}, {"drop", 5}, {"scanner", 3},
             {"spam", 3}, {"tor", 2},   {"proxy", 2},    {"other", 3}};
    for (size_t i = 0; i < ASC_ARRAY_LEN(t); i++)
        if (!strcmp(vec, t[i].v))
            return t[i].s;
    return 3;
}

static int cmp_host(const void *pa, const void *pb)
{
    const struct asc_intel_host *a = pa, *b = pb;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    return asc_addr_cmp(&a->addr, &b->addr);
}

static int cmp_port(const void *pa, const void *pb)
{
    const struct iport *a = pa, *b = pb;
    if (a->flows != b->flows)
        return a->flows > b->flows ? -1 : 1;
    return (int)a->port - (int)b->port;
}

static void fill_lists(const struct intel_det *d, const struct indicator *x,
                       struct asc_inc_intel *ii)
{
    for (size_t i = 0; i < 64 && ii->n_lists < ASC_INTEL_LISTS; i++) {
        if (!(x->lists >> i & 1))
            continue;
        const struct asc_intel_list *l = asc_intel_list(d->in, i);
        if (!l)
            continue;
        ii->lists[ii->n_lists++] = (struct asc_intel_list_ref){
            l->name ? l->name : "", l->category ? l->category : "", l->date ? l->date : ""};
    }
}

static void fill_ports(const struct indicator *x, struct asc_incident *inc)
{
    struct iport p[N_PORTS];
    size_t n = 0;
    for (size_t i = 0; i < N_PORTS; i++)
        if (x->ports[i].flows)
            p[n++] = x->ports[i];
    qsort(p, n, sizeof(p[0]), cmp_port);
    for (size_t i = 0; i < n && i < ASC_INC_PORTS; i++)
        inc->ports[inc->n_ports++] = p[i].port;
    if (n && (double)p[0].flows >= 0.9 * (double)x->flows)
        inc->victim_port = p[0].port;
}

static void emit_one(struct intel_det *d, const struct indicator *x, struct asc_emitter *out)
{
    struct asc_incident inc = {0};
    struct asc_inc_intel ii = {0};
    struct asc_inc_param params[3] = {{"max_indicators", d->max_indicators},
                                      {"special", d->special ? 1 : 0},
                                      {"indicators_dropped", (double)d->dropped}};
    char summary[200], a[ASC_ADDR_STRLEN];
    ii.indicator = x->addr;
    ii.direction = x->dir;
    fill_lists(d, x, &ii);
    for (size_t i = 0; i < x->n_hosts; i++)
        ii.hosts[i] = (struct asc_intel_host){x->hosts[i].addr, x->hosts[i].pkts,
                                              x->hosts[i].bytes, x->hosts[i].first,
                                              x->hosts[i].last};
    ii.n_hosts = x->n_hosts;
    qsort(ii.hosts, ii.n_hosts, sizeof(ii.hosts[0]), cmp_host);
    inc.type = ASC_INC_INTEL;
    inc.proto = x->proto;
    inc.vector = vector_of(ii.n_lists ? ii.lists[0].category : NULL);
    inc.detector = "intel";
    inc.detector_version = INTEL_VERSION;
    inc.n_victims = x->n_hosts + (x->other ? asc_hll_count(x->other) : 0);
    if (inc.n_victims == 1)
        inc.victim = ii.hosts[0].addr;
    fill_ports(x, &inc);
    inc.start = x->first;
    inc.end = x->last;
    inc.pkts = x->pkts;
    inc.bytes = x->bytes;
    inc.flows = x->flows;
    double secs = fmax(1.0, (double)(x->last - x->first) / ASC_NS_PER_SEC);
    inc.mean_pps = (double)x->pkts / secs;
    inc.mean_bps = 8.0 * (double)x->bytes / secs;
    struct asc_srcset *ss = asc_srcset_new(4);
    asc_srcset_add(ss, d->g, &x->addr, x->pkts, x->bytes, x->ttl,
                   x->answered ? ASC_EV_ANSWERED : ASC_EV_ONEWAY);
    asc_srcset_finish(ss, d->g, &inc);
    for (size_t i = 0; i < x->n_cid; i++)
        asc_community_id(&x->cid[i], 0, inc.cids[i], sizeof(inc.cids[i]));
    inc.n_cids = x->n_cid;
    inc.params = params;
    inc.n_params = ASC_ARRAY_LEN(params);
    /* outbound traffic the listed side answered is a live contact */
    double s = base_severity(inc.vector) + ((x->dir & ASC_INTEL_OUTBOUND) && x->answered ? 1 : 0) +
               fmin(2, log10((double)x->flows) / 2);
    inc.severity = fmin(10, round(s * 10) / 10);
    inc.intel = &ii;
    static const char *const dirs[] = {"", "outbound", "inbound", "both ways"};
    snprintf(summary, sizeof(summary), "%s on %s (%s%s%s): %llu host%s, %llu flow%s, %s",
             asc_addr_str(&x->addr, a, sizeof(a)), ii.n_lists ? ii.lists[0].name : "?",
             ii.n_lists ? ii.lists[0].category : "?",
             ii.n_lists && ii.lists[0].date[0] ? " " : "", ii.n_lists ? ii.lists[0].date : "",
             (unsigned long long)inc.n_victims, inc.n_victims == 1 ? "" : "s",
             (unsigned long long)x->flows, x->flows == 1 ? "" : "s", dirs[x->dir & 3]);
    inc.summary = summary;
    out->emit(out->ctx, &inc);
    asc_srcset_free(ss);
}

static int cmp_ind(const void *pa, const void *pb)
{
    const struct indicator *a = *(const struct indicator *const *)pa;
    const struct indicator *b = *(const struct indicator *const *)pb;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    return asc_addr_cmp(&a->addr, &b->addr);
}

static void intel_on_tick(void *state, asc_time now, bool final, struct asc_emitter *out)
{
    struct intel_det *d = state;
    (void)now;
    if (!final || !d->n)
        return;
    struct indicator **v = asc_xcalloc(d->n, sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < d->cap; i++)
        if (d->slot[i])
            v[n++] = d->slot[i];
    qsort(v, n, sizeof(*v), cmp_ind);
    for (size_t i = 0; i < n; i++)
        emit_one(d, v[i], out);
    free(v);
    for (size_t i = 0; i < d->cap; i++) {
        ind_free(d->slot[i]);
        d->slot[i] = NULL;
    }
    d->n = 0;
}

const struct asc_detector_ops asc_detector_intel = {
    .abi = ASC_DETECTOR_ABI,
    .name = "intel",
    .version = INTEL_VERSION,
    .wants = ASC_WANT_FLOW_END | ASC_WANT_TICK,
    .init = intel_init,
    .on_flow_end = intel_on_flow_end,
    .on_tick = intel_on_tick,
    .fini = intel_fini,
};
