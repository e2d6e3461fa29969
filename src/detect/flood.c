/*
 * flood.c - the flood detector: volumetric attacks on one destination,
 * direct (SYN, ACK, RST, UDP, ICMP, fragments) and reflected
 * (amplification by source port, TCP SYN-ACK reflection).
 *
 * Per packet (innermost IP layer) it counts packets and bytes per
 * (destination, vector) in 1 s bins of data time. Each closed bin goes
 * through a static floor, a minimum number of sources and a CUSUM change
 * point over an EWMA baseline of that destination's earlier bins; a bin
 * that passes opens (or extends) an incident. The incident ends after
 * `quiet` seconds below half the floor, or at the end of input.
 * Sources are kept in a bounded srcset (src/attrib) and graded: the
 * senders of unsolicited responses of a reflection vector are
 * `reflector`; a source that completed a handshake is `verified`.
 * Flow-export and Zeek records are counted by flood_rec.c in a table of
 * their own, on the records' clock.
 * Algorithm, defaults and false positives: docs/detectors/flood.md.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/hll.h"
#include "detect/flood_int.h"

/* ---- settings ---------------------------------------------------------- */

static void read_params(struct flood *d, struct asc_conf *cf)
{
    struct flood_params *p = &d->prm;
    p->syn_pps = asc_conf_num(cf, "flood", "syn_pps", 100);
    p->tcp_pps = asc_conf_num(cf, "flood", "tcp_pps", 1000);
    p->udp_pps = asc_conf_num(cf, "flood", "udp_pps", 2000);
    p->amp_pps = asc_conf_num(cf, "flood", "amp_pps", 40);
    p->icmp_pps = asc_conf_num(cf, "flood", "icmp_pps", 500);
    p->frag_pps = asc_conf_num(cf, "flood", "frag_pps", 1000);
    p->min_sources = asc_conf_num(cf, "flood", "min_sources", 5);
    p->quiet = asc_conf_num(cf, "flood", "quiet", 10);
    p->alpha = asc_conf_num(cf, "flood", "alpha", 0.1);
    p->max_dst = asc_conf_num(cf, "flood", "max_dst", 65536);
    p->max_sources = asc_conf_num(cf, "flood", "max_sources", 65536);
    p->lateness = asc_conf_num(cf, "flood", "lateness", 60);
    p->max_pending = asc_conf_num(cf, "flood", "max_pending", 262144);
    static const char *const names[] = {"syn_pps", "amp_pps", "udp_pps", "icmp_pps",
                                        "min_sources", "quiet", "alpha", "max_sources"};
    const double vals[] = {p->syn_pps, p->amp_pps, p->udp_pps, p->icmp_pps,
                           p->min_sources, p->quiet, p->alpha, p->max_sources};
    for (size_t i = 0; i < ASC_ARRAY_LEN(names); i++)
        d->params[i] = (struct asc_inc_param){names[i], vals[i]};
    d->n_params = ASC_ARRAY_LEN(names);
}

static int flood_init(const struct asc_det_env *env, void **state, struct asc_err *err)
{
    struct flood *d = asc_xcalloc(1, sizeof(*d));
    read_params(d, env ? env->conf : NULL);
    if (d->prm.max_dst < WAYS || d->prm.max_dst > (1 << 26) || d->prm.quiet < 1 ||
        d->prm.alpha <= 0 || d->prm.alpha > 1 || d->prm.max_sources < 1 ||
        d->prm.lateness < 0 || d->prm.lateness > 3600 || d->prm.max_pending < 1024 ||
        d->prm.max_pending > (1 << 26)) {
        free(d);
        return asc_err_set(err, ASC_EINVAL,
                           "flood: max_dst, quiet, alpha, max_sources, lateness or max_pending "
                           "out of range");
    }
    d->g = env ? env->grader : NULL;
    d->ev = env ? env->evidence : NULL;
    size_t n = WAYS;
    while (n < (size_t)d->prm.max_dst)
        n <<= 1;
    d->nsets = n / WAYS;
    flood_table_new(d);
    d->memo = asc_xcalloc(FRAG_MEMO, sizeof(*d->memo));
    *state = d;
    return 0;
}

static void inc_free(struct open_inc *o)
{
    if (!o)
        return;
    asc_srcset_free(o->src);
    free(o);
}

void flood_destroy(struct flood *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nsets * WAYS; i++) {
        if (!d->tags[i])    /* never used (a tag is never cleared): nothing to free, and
                             * reading it would map its page for nothing */
            continue;
        asc_srcset_free(d->t[i].cand);
        inc_free(d->t[i].inc);
    }
    free(d->t);
    free(d->tags);
    free(d->live);
    free(d->live_sum);
    free(d->memo);
    flood_rec_free(d);
    free(d);
}

static void flood_fini(void *state)
{
    flood_destroy(state);
}

/* ---- destination table ------------------------------------------------- */

static size_t live_words(const struct flood *d)
{
    return (d->nsets * WAYS + 63) / 64;
}

void flood_table_new(struct flood *d)
{
    size_t n = d->nsets * WAYS;
    d->t = asc_xcalloc(n, sizeof(*d->t));
    d->tags = asc_xcalloc(n, sizeof(*d->tags));
    d->live = asc_xcalloc(live_words(d), sizeof(*d->live));
    d->live_sum = asc_xcalloc((live_words(d) + 63) / 64, sizeof(*d->live_sum));
}

static void live_set(struct flood *d, size_t i)
{
    d->live[i >> 6] |= 1ull << (i & 63);
    d->live_sum[i >> 12] |= 1ull << (i >> 6 & 63);
}

void flood_live_clear(struct flood *d, size_t i)
{
    d->live[i >> 6] &= ~(1ull << (i & 63));
    if (!d->live[i >> 6])
        d->live_sum[i >> 12] &= ~(1ull << (i >> 6 & 63));
}

size_t flood_live_next(const struct flood *d, size_t i)
{
    size_t nw = live_words(d), w = i >> 6;
    if (w >= nw)
        return SIZE_MAX;
    uint64_t bits = d->live[w] & (~0ull << (i & 63));
    if (bits)
        return w << 6 | (size_t)__builtin_ctzll(bits);
    /* The next word with a bit, through the summary. */
    for (w++; w < nw; w = (w | 63) + 1) {
        uint64_t sum = d->live_sum[w >> 6] & (~0ull << (w & 63));
        for (; sum; sum &= sum - 1) {
            size_t v = (w & ~(size_t)63) | (size_t)__builtin_ctzll(sum);
            if (d->live[v])
                return v << 6 | (size_t)__builtin_ctzll(d->live[v]);
        }
    }
    return SIZE_MAX;
}

uint64_t flood_dv_hash(const struct asc_addr *a, unsigned vec)
{
    return asc_addr_hash(a) ^ (uint64_t)(vec + 1) * 0x9e3779b97f4a7c15ull;
}

uint64_t flood_ev_key(const struct asc_addr *dst, unsigned vec)
{
    return (flood_dv_hash(dst, vec) ^ 0x666c6f6f64ull) | 1;     /* "flood" */
}

static bool dv_match(const struct dstv *e, const struct asc_addr *dst, unsigned vec)
{
    return e->used && e->vec == vec && e->dst.family == dst->family &&
           !memcmp(e->dst.b, dst->b, 16);
}

/* Each way's tag (its hash, 0 when unused) sits in a dense array: a
 * lookup reads one cache line of tags and only the entry that matches. */
static size_t dv_base(const struct flood *d, uint64_t h)
{
    return (size_t)((h >> 17) & (d->nsets - 1)) * WAYS;   /* nsets: a power of two */
}

static uint64_t dv_tag(uint64_t h)
{
    return h | 1;
}

struct dstv *flood_dv_find(struct flood *d, const struct asc_addr *dst, unsigned vec)
{
    uint64_t h = flood_dv_hash(dst, vec), tag = dv_tag(h);
    size_t base = dv_base(d, h);
    for (int w = 0; w < WAYS; w++)
        if (d->tags[base + w] == tag && dv_match(&d->t[base + w], dst, vec))
            return &d->t[base + w];
    return NULL;
}

/* The entry of (dst, vec); a free or the quietest idle entry of its set
 * when new; NULL when every way holds a candidate or an incident. */
struct dstv *flood_dv_get(struct flood *d, const struct asc_addr *dst, unsigned vec)
{
    uint64_t h = flood_dv_hash(dst, vec), tag = dv_tag(h);
    size_t base = dv_base(d, h);
    for (int w = 0; w < WAYS; w++)
        if (d->tags[base + w] == tag && dv_match(&d->t[base + w], dst, vec))
            return &d->t[base + w];
    struct dstv *set = &d->t[base];
    struct dstv *victim = NULL;
    for (int w = 0; w < WAYS && !victim; w++)
        if (!d->tags[base + w])
            victim = &set[w];
    if (!victim)
        for (int w = 0; w < WAYS; w++) {
            struct dstv *e = &set[w];
            if (!e->inc && !e->cand && (!victim || e->mu < victim->mu))
                victim = e;
        }
    if (!victim)
        return NULL;
    if (d->tags[victim - d->t])  /* not victim->used: a first touch that only reads maps
                                  * the zero page, and the write after it costs a TLB
                                  * flush on every CPU of the process */
        d->evicted++;
    memset(victim, 0, sizeof(*victim));
    victim->used = 1;
    victim->dst = *dst;
    victim->vec = (uint8_t)vec;
    victim->sec = INT64_MIN;
    victim->base_sec = INT64_MIN;
    d->tags[victim - d->t] = tag;
    return victim;
}

static size_t memo_idx(const struct asc_addr *s, const struct asc_addr *t, uint32_t id)
{
    return (size_t)((asc_addr_hash(s) ^ asc_addr_hash(t) * 31 ^ id) % FRAG_MEMO);
}

/* The vector of a packet; fragments after the first take the vector of
 * their first fragment when it was seen. */
static unsigned packet_vector(struct flood *d, const struct asc_ipl *l, const struct asc_flow *f,
                              unsigned *ev)
{
    if (l->frag == ASC_FRAG_LATER) {
        const struct frag_memo *m = &d->memo[memo_idx(&l->src, &l->dst, l->frag_id)];
        if (m->id == l->frag_id && asc_addr_eq(&m->src, &l->src) &&
            asc_addr_eq(&m->dst, &l->dst)) {
            *ev = flood_vec_reflective(m->vec) ? ASC_EV_REFLECTED : 0;
            return m->vec;
        }
        return FV_FRAG;
    }
    unsigned vec = flood_vec_classify(l, f, ev);
    if (l->frag == ASC_FRAG_FIRST) {
        struct frag_memo *m = &d->memo[memo_idx(&l->src, &l->dst, l->frag_id)];
        *m = (struct frag_memo){l->src, l->dst, l->frag_id, (uint8_t)vec};
    }
    return vec;
}

static void note_port(struct open_inc *o, uint16_t port, uint64_t n)
{
    size_t j, min = 0;
    for (j = 0; j < ASC_INC_PORTS && o->port_pkts[j]; j++)
        if (o->port[j] == port) {
            o->port_pkts[j] += n;
            return;
        }
    if (j < ASC_INC_PORTS) {
        o->port[j] = port;
        o->port_pkts[j] = n;
        return;
    }
    for (j = 1; j < ASC_INC_PORTS; j++)
        if (o->port_pkts[j] < o->port_pkts[min])
            min = j;
    o->port[min] = port;    /* Space-Saving: take over the smallest counter */
    o->port_pkts[min] += n;
}

static void note_cid(struct open_inc *o, const struct asc_flow_key *k)
{
    if (!k || o->n_cid >= ASC_INC_CIDS)
        return;
    for (size_t i = 0; i < o->n_cid; i++)
        if (!memcmp(&o->cid_keys[i], k, sizeof(*k)))
            return;
    o->cid_keys[o->n_cid++] = *k;
}

/* Count a packet (or a record's share of one second) in the bin of e. */
void flood_account(struct flood *d, struct dstv *e, const struct flood_add *a)
{
    int64_t sec = a->sec;
    live_set(d, (size_t)(e - d->t));
    if (sec != e->sec) {
        /* Ticks close every bin before the next second's packets; only a
         * packet older than the clock lands here with a bin still open,
         * and then it joins that bin. */
        if (e->bin_pkts && sec < e->sec)
            sec = e->sec;
        e->sec = sec;
        e->bin_first = a->t0;
        e->bin_last = a->t1;
        e->bin_pkts = e->bin_bytes = 0;
        e->n_pend = 0;
    }
    e->bin_pkts += a->pkts;
    e->bin_bytes += a->bytes;
    if (a->t0 < e->bin_first)
        e->bin_first = a->t0;
    if (a->t1 > e->bin_last)
        e->bin_last = a->t1;
    if (a->sampling > e->sampling)
        e->sampling = a->sampling;
    struct asc_srcset *ss = e->inc ? e->inc->src : e->cand;
    if (!ss && e->n_pend < PENDING) {
        e->pend[e->n_pend++] = (struct pend){*a->src, a->ttl, a->ev, (uint32_t)a->pkts, a->bytes};
    } else if (!ss) {
        ss = e->cand = asc_srcset_new((size_t)d->prm.max_sources);
        for (unsigned i = 0; i < e->n_pend; i++)
            asc_srcset_add(ss, d->g, &e->pend[i].a, e->pend[i].pkts, e->pend[i].bytes,
                           e->pend[i].ttl, e->pend[i].ev);
    }
    if (ss)
        asc_srcset_add(ss, d->g, a->src, a->pkts, a->bytes, a->ttl, a->ev);
    if (e->inc) {
        struct open_inc *o = e->inc;
        o->pkts += a->pkts;
        o->bytes += a->bytes;
        if (a->t1 > o->end)
            o->end = a->t1;
        if (a->t0 < o->start)
            o->start = a->t0;
        if (e->sampling > o->sampling)
            o->sampling = e->sampling;
        if (a->has_port)
            note_port(o, a->port, a->pkts);
        note_cid(o, a->key);
    }
}

static void flood_on_pkt(void *state, const struct asc_pkt *p, const struct asc_flow *f)
{
    struct flood *d = state;
    if (p->n_ipl == 0)
        return;
    const struct asc_ipl *l = &p->ipl[p->n_ipl - 1];
    unsigned ev = 0;
    unsigned vec = packet_vector(d, l, f, &ev);
    if (vec == FV_NONE)
        return;
    if (vec == FV_RST) {
        /* Reflectors reset the connections the victim never answered:
         * their RSTs belong to the reflection. */
        struct dstv *r = flood_dv_find(d, &l->dst, FV_SYNACK);
        struct asc_srcset *rs = r ? (r->inc ? r->inc->src : r->cand) : NULL;
        if (rs && asc_srcset_has(rs, &l->src)) {
            vec = FV_SYNACK;
            ev |= ASC_EV_REFLECTED;
        }
    }
    struct dstv *e = flood_dv_get(d, &l->dst, vec);
    if (!e) {
        d->dropped++;
        return;
    }
    struct flood_add a = {.sec = p->ts / ASC_NS_PER_SEC, .t0 = p->ts, .t1 = p->ts, .src = &l->src,
                          .pkts = 1, .bytes = l->ip_len, .ttl = l->ttl, .ev = (uint8_t)ev,
                          .has_port = l->l4_ok, .port = l->dport, .key = f ? &f->key : NULL};
    flood_account(d, e, &a);
    if (d->ev)
        d->ev->note(d->ev->ctx, flood_ev_key(&e->dst, e->vec));
}

/* Packets flood_on_pkt would count (detector.h: reading thread). */
static bool flood_pkt_wanted(const void *state, const struct asc_pkt *p, const struct asc_flow *f)
{
    (void)state;
    return p->n_ipl && flood_vec_possible(&p->ipl[p->n_ipl - 1], f);
}

/* A flow that ended answered verifies its originator as a source of a
 * flood on its responder. */
static void flood_on_flow_end(void *state, const struct asc_flow *f)
{
    struct flood *d = state;
    if (f->src_kind != ASC_SRC_PCAP) {
        flood_rec_put(d, f);    /* export and Zeek records: flood_rec.c */
        return;
    }
    if (!asc_flow_verifies_orig(f))
        return;
    unsigned vec = f->key.proto == 6 ? FV_SYN : f->key.proto == 17 ? FV_UDP : FV_ICMP;
    struct dstv *e = flood_dv_find(d, &f->key.resp, vec);
    if (e && e->inc)
        asc_srcset_mark(e->inc->src, &f->key.orig, ASC_EV_ANSWERED);
}

static size_t flood_stats(const void *state, struct asc_det_stat *out)
{
    const struct flood *d = state;
    out[0] = (struct asc_det_stat){"dst_capacity", d->nsets * WAYS, false};
    out[1] = (struct asc_det_stat){"dst_evicted", d->evicted, false};
    out[2] = (struct asc_det_stat){"dropped_pkts", d->dropped, true};
    out[3] = (struct asc_det_stat){"max_sources", (uint64_t)d->prm.max_sources, false};
    out[4] = (struct asc_det_stat){"incidents_past_max_sources", d->src_overflow, true};
    return 5;
}

const struct asc_detector_ops asc_detector_flood = {
    .abi = ASC_DETECTOR_ABI,
    .name = "flood",
    .version = FLOOD_VERSION,
    .wants = ASC_WANT_PKT | ASC_WANT_FLOW_END | ASC_WANT_TICK,
    .init = flood_init,
    .on_pkt = flood_on_pkt,
    .pkt_wanted = flood_pkt_wanted,
    .on_flow_end = flood_on_flow_end,
    .on_tick = flood_on_tick,
    .fini = flood_fini,
    .stats = flood_stats,
};
