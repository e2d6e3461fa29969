/*
 * flood_tick.c - the flood detector's once-a-second work: close each
 * destination's bin, test it against the floor, the source minimum and
 * the CUSUM change point over the EWMA baseline, open or extend incidents,
 * and emit the incidents that went quiet (or all of them at the end).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/flood_int.h"

/* Fold `gap` empty seconds and then the bin x into the baseline. */
static void baseline_update(struct dstv *e, double x, double alpha, int64_t gap)
{
    if (gap > 0) {
        double keep = pow(1.0 - alpha, (double)(gap > 1000 ? 1000 : gap));
        e->mu *= keep;
        e->sigma *= keep;
    }
    double dev = fabs(x - e->mu);
    e->mu += alpha * (x - e->mu);
    e->sigma += alpha * (dev - e->sigma);
}

/* CUSUM (Page 1954) on the bin's excess over the baseline, with a drift
 * and a decision level scaled to the floor and the baseline's spread. */
static bool change_point(struct dstv *e, double x, double floor)
{
    double k = fmax(e->sigma, floor / 4) / 2;
    double h = fmax(4 * e->sigma, floor / 2);
    e->cusum = fmax(0, e->cusum + x - e->mu - k);
    return e->cusum > h;
}

static void open_incident(struct flood *d, struct dstv *e)
{
    struct open_inc *o = asc_xcalloc(1, sizeof(*o));
    o->start = e->bin_first;
    o->end = e->bin_last;
    o->src = e->cand;
    e->cand = NULL;
    if (!o->src) {
        o->src = asc_srcset_new((size_t)d->prm.max_sources);
        for (unsigned i = 0; i < e->n_pend; i++)
            asc_srcset_add(o->src, d->g, &e->pend[i].a, e->pend[i].pkts, e->pend[i].bytes,
                           e->pend[i].ttl, e->pend[i].ev);
    }
    o->pkts = e->bin_pkts;
    o->bytes = e->bin_bytes;
    o->sampling = e->sampling;
    e->inc = o;
    if (d->ev)
        d->ev->open(d->ev->ctx, flood_ev_key(&e->dst, e->vec), o->start);
}

/* Close the bin of one entry at the end of its second. */
void flood_close_bin(struct flood *d, struct dstv *e)
{
    double x = (double)e->bin_pkts;
    double floor = flood_vec_floor(&d->prm, e->vec);
    int64_t gap = e->base_sec == INT64_MIN ? 0 : e->sec - e->base_sec - 1;
    if (gap > 0)
        e->cusum = fmax(0, e->cusum - (double)gap * floor / 8);
    uint64_t nsrc = e->inc ? asc_srcset_count(e->inc->src)
                   : e->cand ? asc_srcset_count(e->cand) : e->n_pend;
    bool enough_src = !flood_vec_needs_sources(e->vec) || nsrc >= d->prm.min_sources ||
                      x >= 10 * floor;
    bool cp = change_point(e, x, floor);
    bool alarm = x >= floor && enough_src && (cp || e->inc);
    bool sustain = e->inc && x >= floor / 2;
    if (alarm || sustain) {
        if (!e->inc)
            open_incident(d, e);
        struct open_inc *o = e->inc;
        o->last_alarm_sec = e->sec;
        o->alarm_secs++;
        if (x > o->peak_pps)
            o->peak_pps = x;
        if (8.0 * (double)e->bin_bytes > o->peak_bps)
            o->peak_bps = 8.0 * (double)e->bin_bytes;
    } else {
        baseline_update(e, x, d->prm.alpha, gap);
        e->base_sec = e->sec;
    }
    if (alarm || sustain)
        e->base_sec = e->sec;
    /* A bin at half the floor or more keeps its sources for the next
     * one, so an attack that ramps up is counted from its first second. */
    if (e->inc || x < floor / 2) {
        asc_srcset_free(e->cand);
        e->cand = NULL;
    }
    e->bin_pkts = e->bin_bytes = 0;
    e->n_pend = 0;
}

static double severity(const struct asc_incident *inc, double floor)
{
    double s = 3 + 2 * log10(fmax(inc->peak_pps / fmax(floor, 1), 1));
    if (inc->n_sources >= 1000)
        s += 1;
    return fmin(10, round(s * 10) / 10);
}

static void fill_ports(const struct open_inc *o, struct asc_incident *inc)
{
    size_t idx[ASC_INC_PORTS], n = 0;
    uint64_t total = 0;
    for (size_t j = 0; j < ASC_INC_PORTS && o->port_pkts[j]; j++) {
        idx[n++] = j;
        total += o->port_pkts[j];
    }
    for (size_t a = 1; a < n; a++)      /* insertion sort: most packets, then port */
        for (size_t b = a; b > 0; b--) {
            const size_t x = idx[b - 1], y = idx[b];
            if (o->port_pkts[y] > o->port_pkts[x] ||
                (o->port_pkts[y] == o->port_pkts[x] && o->port[y] < o->port[x])) {
                idx[b - 1] = y;
                idx[b] = x;
            }
        }
    for (size_t j = 0; j < n; j++)
        inc->ports[j] = o->port[idx[j]];
    inc->n_ports = n;
    if (n && o->port_pkts[idx[0]] * 10 >= total * 9)
        inc->victim_port = o->port[idx[0]];
}

static void emit_one(struct flood *d, const struct dstv *e, struct asc_emitter *out)
{
    const struct open_inc *o = e->inc;
    struct asc_incident inc = {0};
    char summary[224], a[ASC_ADDR_STRLEN];
    inc.type = ASC_INC_FLOOD;
    inc.proto = flood_vec_proto(e->vec);
    inc.vector = flood_vec_name(e->vec);
    inc.detector = "flood";
    inc.detector_version = FLOOD_VERSION;
    inc.victim = e->dst;
    inc.n_victims = 1;
    inc.start = o->start;
    inc.end = o->end;
    inc.pkts = o->pkts;
    inc.bytes = o->bytes;
    inc.peak_pps = o->peak_pps;
    inc.peak_bps = o->peak_bps;
    double secs = fmax(1.0, (double)(o->end - o->start) / ASC_NS_PER_SEC);
    inc.mean_pps = (double)o->pkts / secs;
    inc.mean_bps = 8.0 * (double)o->bytes / secs;
    fill_ports(o, &inc);
    asc_srcset_finish(o->src, d->g, &inc);
    if (inc.n_sources_estimated)
        d->src_overflow++;
    for (size_t i = 0; i < o->n_cid; i++)
        asc_community_id(&o->cid_keys[i], 0, inc.cids[i], sizeof(inc.cids[i]));
    inc.n_cids = o->n_cid;
    struct asc_inc_param prm[ASC_ARRAY_LEN(d->params) + 2];
    char note[64] = "";
    memcpy(prm, d->params, d->n_params * sizeof(prm[0]));
    inc.params = prm;
    inc.n_params = d->n_params;
    inc.evidence_key = d->ev ? flood_ev_key(&e->dst, e->vec) : 0;
    if (d->is_rec) {
        /* Built from flow records: the sampling in force and the lateness
         * allowed, and a note in the summary (docs/detectors/flood.md). */
        prm[inc.n_params++] = (struct asc_inc_param){"sampling", o->sampling ? o->sampling : 1};
        prm[inc.n_params++] = (struct asc_inc_param){"lateness", d->prm.lateness};
        if (o->sampling > 1)
            snprintf(note, sizeof(note), "; flow records sampled 1:%u, counts scaled",
                     (unsigned)o->sampling);
        else
            snprintf(note, sizeof(note), "; flow records");
    }
    inc.severity = severity(&inc, flood_vec_floor(&d->prm, e->vec));
    snprintf(summary, sizeof(summary), "%s flood on %s from %llu%s sources, peak %.0f pkt/s%s",
             inc.vector, asc_addr_str(&e->dst, a, sizeof(a)),
             (unsigned long long)inc.n_sources, inc.n_sources_estimated ? " (est.)" : "",
             inc.peak_pps, note);
    inc.summary = summary;
    out->emit(out->ctx, &inc);
}

static int cmp_entry(const void *pa, const void *pb)
{
    const struct dstv *a = *(const struct dstv *const *)pa, *b = *(const struct dstv *const *)pb;
    if (a->inc->start != b->inc->start)
        return a->inc->start < b->inc->start ? -1 : 1;
    int c = asc_addr_cmp(&a->dst, &b->dst);
    return c ? c : (int)a->vec - (int)b->vec;
}

/* Whether entry i still needs a tick: an open bin, an incident, candidates. */
static bool entry_live(const struct flood *d, size_t i)
{
    const struct dstv *e = &d->t[i];
    return d->tags[i] && (e->bin_pkts || e->inc || e->cand);
}

/* Only the live entries (flood_int.h) are visited, in table order as a
 * walk of the whole table would: the others have no bin to close and no
 * incident. */
void flood_tick_table(struct flood *d, int64_t now_sec, bool final, struct asc_emitter *out)
{
    size_t n_close = 0, cap = 0;
    struct dstv **closing = NULL;
    for (size_t i = flood_live_next(d, 0); i != SIZE_MAX; i = flood_live_next(d, i + 1)) {
        if (!d->tags[i]) {   /* freed since it was marked */
            flood_live_clear(d, i);
            continue;
        }
        struct dstv *e = &d->t[i];
        if (e->bin_pkts && e->sec < now_sec)
            flood_close_bin(d, e);
        if (e->inc && (final || now_sec - 1 - e->inc->last_alarm_sec >= (int64_t)d->prm.quiet)) {
            if (n_close == cap) {
                cap = cap ? 2 * cap : 64;
                closing = asc_xrealloc(closing, cap, sizeof(*closing));
            }
            closing[n_close++] = e;
        } else if (!entry_live(d, i)) {
            flood_live_clear(d, i);
        }
    }
    if (!n_close)
        return;
    qsort(closing, n_close, sizeof(*closing), cmp_entry);
    for (size_t i = 0; i < n_close; i++) {
        flood_emit_inc(d, closing[i], out);
        size_t k = (size_t)(closing[i] - d->t);
        if (!entry_live(d, k))
            flood_live_clear(d, k);
    }
    free(closing);
}

void flood_emit_inc(struct flood *d, struct dstv *e, struct asc_emitter *out)
{
    emit_one(d, e, out);
    asc_srcset_free(e->inc->src);
    free(e->inc);
    e->inc = NULL;
}

void flood_on_tick(void *state, asc_time now, bool final, struct asc_emitter *out)
{
    struct flood *d = state;
    flood_tick_table(d, now / ASC_NS_PER_SEC, final, out);
    if (d->rx)
        flood_rec_tick(d, final, out);
}
