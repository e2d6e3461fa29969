/*
 * backscatter.c - the backscatter detector (Moore, Voelker, Savage 2001):
 * a host H that sends SYN-ACKs or RSTs to many addresses that never sent
 * to it, or ICMP errors quoting packets "from" addresses that never sent
 * them, is answering a spoofed attack elsewhere. H (for ICMP errors: the
 * destination of the quoted packet) is the *victim* of that attack; the
 * receivers are the addresses the attacker forged.
 *
 * Per packet (innermost IP layer). Every packet that is not a response
 * of that kind marks its (source, destination) pair in a Bloom filter
 * (two generations, rotated every `memory` seconds, so memory is fixed);
 * a SYN-ACK or RST from H to X is unsolicited when (X, H) was never
 * marked, an ICMP error to X quoting X -> V when (X, V) was never marked.
 * Per victim it counts packets and distinct receivers (bounded set) and
 * emits when the victim has been quiet for `quiet` seconds (or at the end
 * of input) if it answered at least `min_dsts` distinct addresses.
 *
 * The flood detector looks at the opposite direction: unsolicited
 * SYN-ACKs from many reflectors to one victim (SYN-ACK reflection, many
 * -> one). Backscatter is one -> many; the scan detector never counts
 * these packets (its probes must carry a SYN, a stealth probe, UDP or an
 * echo request from the originator). docs/detectors/backscatter.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib/srcset.h"
#include "core/conf.h"
#include "detect/detector.h"
#include "detect/scan_util.h"

#define BS_VERSION "1.0"
#define WAYS 8
#define NPORT 8
#define BLOOM_BITS (1u << 22)
#define SWEEP_EVERY 60

enum { BK_SYNACK = 0, BK_RST, BK_ICMP, BK__COUNT };

struct bvic {
    struct asc_addr victim;
    uint8_t used;
    asc_time first, last;
    uint64_t pkts, bytes, kind[BK__COUNT];
    struct scan_set rcv;               /* distinct receivers (forged sources) */
    uint16_t port[NPORT];              /* attacked ports, Space-Saving */
    uint64_t port_n[NPORT];
    struct asc_srcset *senders;        /* who sent the responses */
    uint8_t ev_open;                   /* its evidence extract was opened */
};

struct bs_params {
    double min_dsts, min_pkts, quiet, memory, max_victims, max_receivers, max_slots;
};

struct backscatter {
    const struct asc_grader *g;
    struct bs_params prm;
    struct asc_inc_param params[4];
    uint8_t *bloom[2];                 /* current, previous generation */
    int64_t gen;                       /* generation of bloom[0] (gen_of) */
    struct bvic *t;
    size_t nsets;
    int64_t last_sweep;
    uint64_t dropped, budget;
    struct scan_set_lim rcv_lim;       /* max_receivers, budget */
    const struct asc_evidence_hook *ev;   /* NULL unless extracts are written */
};

static int bs_init(const struct asc_det_env *env, void **state, struct asc_err *err)
{
    struct asc_conf *cf = env ? env->conf : NULL;
    struct backscatter *d = asc_xcalloc(1, sizeof(*d));
    struct bs_params *p = &d->prm;
    p->min_dsts = asc_conf_num(cf, "backscatter", "min_dsts", 10);
    p->min_pkts = asc_conf_num(cf, "backscatter", "min_pkts", 10);
    p->quiet = asc_conf_num(cf, "backscatter", "quiet", 3600);
    p->memory = asc_conf_num(cf, "backscatter", "memory", 3600);
    p->max_victims = asc_conf_num(cf, "backscatter", "max_victims", 4096);
    p->max_receivers = asc_conf_num(cf, "backscatter", "max_receivers", 65536);
    p->max_slots = asc_conf_num(cf, "backscatter", "max_slots", 1 << 22);
    if (p->min_dsts < 1 || p->quiet < 1 || p->memory < 1 || p->max_victims < WAYS ||
        p->max_victims > (1 << 24) || p->max_receivers < 16 || p->max_receivers > (1 << 24) ||
        p->max_slots < 1024) {
        free(d);
        return asc_err_set(err, ASC_EINVAL, "backscatter: a threshold or cap is out of range");
    }
    d->params[0] = (struct asc_inc_param){"min_dsts", p->min_dsts};
    d->params[1] = (struct asc_inc_param){"min_pkts", p->min_pkts};
    d->params[2] = (struct asc_inc_param){"quiet", p->quiet};
    d->params[3] = (struct asc_inc_param){"memory", p->memory};
    d->g = env ? env->grader : NULL;
    d->ev = env ? env->evidence : NULL;
    size_t n = WAYS;
    while (n < (size_t)p->max_victims)
        n <<= 1;
    d->nsets = n / WAYS;
    d->t = asc_xcalloc(n, sizeof(*d->t));
    d->bloom[0] = asc_xcalloc(BLOOM_BITS / 8, 1);
    d->bloom[1] = asc_xcalloc(BLOOM_BITS / 8, 1);
    d->gen = INT64_MIN;
    d->last_sweep = INT64_MIN;
    d->budget = (uint64_t)p->max_slots;
    d->rcv_lim = (struct scan_set_lim){(uint32_t)p->max_receivers, &d->budget, 0};
    *state = d;
    return 0;
}

static void vic_clear(struct backscatter *d, struct bvic *e)
{
    scan_set_fini(&e->rcv, &d->rcv_lim);
    asc_srcset_free(e->senders);
    memset(e, 0, sizeof(*e));
}

static void bs_fini(void *state)
{
    struct backscatter *d = state;
    if (!d)
        return;
    for (size_t i = 0; i < d->nsets * WAYS; i++)
        vic_clear(d, &d->t[i]);
    free(d->t);
    free(d->bloom[0]);
    free(d->bloom[1]);
    free(d);
}

/* ---- who talked to whom ------------------------------------------------- */

static uint64_t pair_hash(const struct asc_addr *from, const struct asc_addr *to)
{
    return scan_mix(scan_hash_addr(from) * 31 ^ scan_hash_addr(to));
}

static void pair_mark(struct backscatter *d, const struct asc_addr *from,
                      const struct asc_addr *to)
{
    uint64_t h = pair_hash(from, to);
    for (int k = 0; k < 3; k++) {
        uint32_t bit = (uint32_t)(h >> (k * 21)) & (BLOOM_BITS - 1);
        d->bloom[0][bit >> 3] |= (uint8_t)(1u << (bit & 7));
    }
}

static bool pair_seen(const struct backscatter *d, const struct asc_addr *from,
                      const struct asc_addr *to)
{
    uint64_t h = pair_hash(from, to);
    for (int g = 0; g < 2; g++) {
        int k;
        for (k = 0; k < 3; k++) {
            uint32_t bit = (uint32_t)(h >> (k * 21)) & (BLOOM_BITS - 1);
            if (!(d->bloom[g][bit >> 3] & (1u << (bit & 7))))
                break;
        }
        if (k == 3)
            return true;
    }
    return false;
}

/* Generations are aligned to multiples of `memory` seconds of data time,
 * so which one a packet falls in depends on its time alone (and the
 * reading thread can tell without the detector's state). */
static int64_t gen_of(const struct bs_params *prm, asc_time ts)
{
    int64_t m = (int64_t)prm->memory, sec = ts / ASC_NS_PER_SEC;
    if (ts < 0 && ts % ASC_NS_PER_SEC)
        sec--;
    return sec >= 0 ? sec / m : -((-sec + m - 1) / m);
}

/* Enter the generation of ts: the previous one is kept, older forgotten. */
static void rotate(struct backscatter *d, asc_time ts)
{
    int64_t g = gen_of(&d->prm, ts);
    if (d->gen == INT64_MIN || g <= d->gen) {
        if (d->gen == INT64_MIN)
            d->gen = g;
        return;
    }
    uint8_t *old = d->bloom[1];
    memset(old, 0, BLOOM_BITS / 8);
    if (g == d->gen + 1) {
        d->bloom[1] = d->bloom[0];
        d->bloom[0] = old;
    } else {
        memset(d->bloom[0], 0, BLOOM_BITS / 8);
    }
    d->gen = g;
}

/* ---- victims ------------------------------------------------------------ */

static struct bvic *vic_get(struct backscatter *d, const struct asc_addr *v)
{
    struct bvic *set = &d->t[((scan_hash_addr(v) >> 17) & (d->nsets - 1)) * WAYS];
    struct bvic *victim = NULL;
    for (int w = 0; w < WAYS; w++) {
        struct bvic *e = &set[w];
        if (e->used && asc_addr_eq(&e->victim, v))
            return e;
        if (!e->used) {
            if (!victim || victim->used)
                victim = e;
        } else if (e->rcv.n < d->prm.min_dsts && (!victim || (victim->used && e->last < victim->last)))
            victim = e;     /* evict the idlest entry that could not report yet */
    }
    if (!victim)
        return NULL;
    vic_clear(d, victim);
    victim->used = 1;
    victim->victim = *v;
    scan_set_init(&victim->rcv);
    victim->senders = asc_srcset_new(64);
    return victim;
}

static void note_port(struct bvic *e, uint16_t port)
{
    size_t j, min = 0;
    for (j = 0; j < NPORT && e->port_n[j]; j++)
        if (e->port[j] == port) {
            e->port_n[j]++;
            return;
        }
    if (j < NPORT) {
        e->port[j] = port;
        e->port_n[j] = 1;
        return;
    }
    for (j = 1; j < NPORT; j++)
        if (e->port_n[j] < e->port_n[min])
            min = j;
    e->port[min] = port;
    e->port_n[min]++;
}

static bool icmp_error(const struct asc_ipl *l)
{
    if (l->proto == 1)
        return l->icmp_type == 3 || l->icmp_type == 4 || l->icmp_type == 11 ||
               l->icmp_type == 12;
    return l->proto == 58 && l->icmp_type >= 1 && l->icmp_type <= 4;
}

/* The evidence key of a victim's entry (detector.h). */
static uint64_t ev_key(const struct asc_addr *victim)
{
    return (scan_mix(scan_hash_addr(victim)) ^ 0x6273637472ull) | 1;
}

/* Evidence: the packet just counted belongs to the victim's extract,
 * which opens, with the look-back from the entry's first packet, once the
 * entry meets the thresholds of an incident. */
static void note_evidence(struct backscatter *d, struct bvic *e)
{
    uint64_t key = ev_key(&e->victim);
    d->ev->note(d->ev->ctx, key);
    if (!e->ev_open && e->rcv.n >= d->prm.min_dsts && e->pkts >= d->prm.min_pkts) {
        e->ev_open = 1;
        d->ev->open(d->ev->ctx, key, e->first);
    }
}

static void account(struct backscatter *d, const struct asc_ipl *l, const struct asc_addr *victim,
                    uint16_t port, unsigned kind, asc_time ts)
{
    struct bvic *e = vic_get(d, victim);
    if (!e) {
        d->dropped++;
        return;
    }
    if (!e->pkts || ts < e->first)
        e->first = ts;
    if (ts > e->last)
        e->last = ts;
    e->pkts++;
    e->bytes += l->ip_len;
    e->kind[kind]++;
    scan_set_add(&e->rcv, scan_hash_addr(&l->dst), &d->rcv_lim);
    note_port(e, port);
    asc_srcset_add(e->senders, d->g, &l->src, 1, l->ip_len, l->ttl, ASC_EV_REFLECTED);
    if (d->ev)
        note_evidence(d, e);
}

/* Whether an earlier packet of the same direction of this flow, in this
 * packet's generation, already marked the pair: most packets, whose
 * hashing and Bloom writes are then spared. (A direction whose earlier
 * packets were all RSTs, which mark nothing, is the rare exception.) */
static bool marked_by_flow(const struct bs_params *prm, const struct asc_pkt *p,
                           const struct asc_ipl *l, const struct asc_flow *f)
{
    if (!f || p->n_ipl != 1 || gen_of(prm, f->first) != gen_of(prm, p->ts))
        return false;
    int sd = asc_addr_eq(&l->src, &f->key.orig) ? 0 : 1;
    return f->dir[sd].pkts > 1;
}

/* The TCP segments that can be backscatter: a SYN-ACK, or a RST without SYN. */
static void tcp_kind(const struct asc_ipl *l, bool *synack, bool *rst)
{
    *synack = (l->tcp_flags & (ASC_TH_SYN | ASC_TH_ACK)) == (ASC_TH_SYN | ASC_TH_ACK);
    *rst = (l->tcp_flags & ASC_TH_RST) && !(l->tcp_flags & ASC_TH_SYN);
}

static void bs_on_pkt(void *state, const struct asc_pkt *p, const struct asc_flow *f)
{
    struct backscatter *d = state;
    if (p->n_ipl == 0)
        return;
    const struct asc_ipl *l = &p->ipl[p->n_ipl - 1];
    rotate(d, p->ts);
    if (l->proto == 6 && l->l4_ok) {
        bool synack, rst;
        tcp_kind(l, &synack, &rst);
        if ((synack || rst) && !pair_seen(d, &l->dst, &l->src))
            account(d, l, &l->src, l->sport, synack ? BK_SYNACK : BK_RST, p->ts);
        if (!rst && !marked_by_flow(&d->prm, p, l, f))   /* a SYN-ACK solicits the RST that answers it */
            pair_mark(d, &l->src, &l->dst);
        return;
    }
    if (icmp_error(l)) {
        const struct asc_quoted *q = &l->quoted;
        if (q->valid && asc_addr_eq(&q->src, &l->dst) && !pair_seen(d, &q->src, &q->dst))
            account(d, l, &q->dst, q->dport, BK_ICMP, p->ts);
        return;
    }
    if (!marked_by_flow(&d->prm, p, l, f))
        pair_mark(d, &l->src, &l->dst);
}

/* Packets bs_on_pkt acts on: responses it may count and packets that
 * mark a pair (detector.h: reading thread; reads only d->prm). Skipping
 * the others is safe because generations follow data time alone. */
static bool bs_pkt_wanted(const void *state, const struct asc_pkt *p, const struct asc_flow *f)
{
    const struct backscatter *d = state;
    if (p->n_ipl == 0)
        return false;
    const struct asc_ipl *l = &p->ipl[p->n_ipl - 1];
    if (l->proto == 6 && l->l4_ok) {
        bool synack, rst;
        tcp_kind(l, &synack, &rst);
        if (synack || rst)
            return true;
        return !marked_by_flow(&d->prm, p, l, f);
    }
    if (icmp_error(l))
        return true;
    return !marked_by_flow(&d->prm, p, l, f);
}

/* ---- incidents ---------------------------------------------------------- */

static const char *vector_of(const struct bvic *e)
{
    if (e->kind[BK_SYNACK] >= e->kind[BK_RST] && e->kind[BK_SYNACK] >= e->kind[BK_ICMP])
        return "tcp.synack";
    return e->kind[BK_RST] >= e->kind[BK_ICMP] ? "tcp.rst" : "icmp.error";
}

static void emit_one(struct backscatter *d, const struct bvic *e, struct asc_emitter *out)
{
    struct asc_incident inc = {0};
    char summary[200], a[ASC_ADDR_STRLEN];
    inc.type = ASC_INC_BACKSCATTER;
    inc.vector = vector_of(e);
    inc.proto = inc.vector[0] == 't' ? 6 : 0;
    inc.detector = "backscatter";
    inc.detector_version = BS_VERSION;
    inc.victim = e->victim;
    inc.n_victims = 1;
    size_t idx[NPORT], n = 0;
    for (size_t j = 0; j < NPORT && e->port_n[j]; j++)
        idx[n++] = j;
    for (size_t x = 1; x < n; x++)
        for (size_t y = x; y > 0 && (e->port_n[idx[y]] > e->port_n[idx[y - 1]] ||
                                     (e->port_n[idx[y]] == e->port_n[idx[y - 1]] &&
                                      e->port[idx[y]] < e->port[idx[y - 1]]));
             y--) {
            size_t t = idx[y];
            idx[y] = idx[y - 1];
            idx[y - 1] = t;
        }
    for (size_t j = 0; j < n; j++)
        inc.ports[j] = e->port[idx[j]];
    inc.n_ports = n;
    if (n && e->port_n[idx[0]] * 10 >= e->pkts * 9)
        inc.victim_port = e->port[idx[0]];
    inc.start = e->first;
    inc.end = e->last;
    inc.pkts = e->pkts;
    inc.bytes = e->bytes;
    inc.flows = e->rcv.n;       /* distinct forged addresses answered */
    double secs = fmax(1.0, (double)(e->last - e->first) / ASC_NS_PER_SEC);
    inc.mean_pps = (double)e->pkts / secs;
    inc.mean_bps = 8.0 * (double)e->bytes / secs;
    asc_srcset_finish(e->senders, d->g, &inc);
    inc.params = d->params;
    inc.n_params = ASC_ARRAY_LEN(d->params);
    inc.evidence_key = d->ev ? ev_key(&e->victim) : 0;
    inc.severity = fmin(10, round((2 + log10(fmax(1.0, (double)e->rcv.n))) * 10) / 10);
    snprintf(summary, sizeof(summary),
             "%s answered %u spoofed addresses (%s): victim of a spoofed attack elsewhere",
             asc_addr_str(&e->victim, a, sizeof(a)), e->rcv.n, inc.vector);
    inc.summary = summary;
    out->emit(out->ctx, &inc);
}

static int cmp_vic(const void *pa, const void *pb)
{
    const struct bvic *a = *(const struct bvic *const *)pa, *b = *(const struct bvic *const *)pb;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    return asc_addr_cmp(&a->victim, &b->victim);
}

static void bs_on_tick(void *state, asc_time now, bool final, struct asc_emitter *out)
{
    struct backscatter *d = state;
    int64_t sec = now / ASC_NS_PER_SEC;
    if (!final && d->last_sweep != INT64_MIN && sec - d->last_sweep < SWEEP_EVERY)
        return;
    d->last_sweep = sec;
    asc_time quiet = (asc_time)(d->prm.quiet * 1e9);
    size_t n = d->nsets * WAYS, n_out = 0;
    struct bvic **closing = NULL;
    for (size_t i = 0; i < n; i++) {
        struct bvic *e = &d->t[i];
        if (!e->used || !(final || now - e->last > quiet))
            continue;
        if (e->rcv.n >= d->prm.min_dsts && e->pkts >= d->prm.min_pkts) {
            if (!closing)
                closing = asc_xcalloc(n, sizeof(*closing));
            closing[n_out++] = e;
        } else {
            vic_clear(d, e);
        }
    }
    if (!n_out)
        return;
    qsort(closing, n_out, sizeof(*closing), cmp_vic);
    for (size_t i = 0; i < n_out; i++) {
        emit_one(d, closing[i], out);
        vic_clear(d, closing[i]);
    }
    free(closing);
}

static size_t bs_stats(const void *state, struct asc_det_stat *out)
{
    const struct backscatter *d = state;
    out[0] = (struct asc_det_stat){"victim_capacity", d->nsets * WAYS, false};
    out[1] = (struct asc_det_stat){"dropped_pkts", d->dropped, true};
    return 2;
}

const struct asc_detector_ops asc_detector_backscatter = {
    .abi = ASC_DETECTOR_ABI,
    .name = "backscatter",
    .version = BS_VERSION,
    .wants = ASC_WANT_PKT | ASC_WANT_TICK,
    .init = bs_init,
    .on_pkt = bs_on_pkt,
    .pkt_wanted = bs_pkt_wanted,
    .on_tick = bs_on_tick,
    .fini = bs_fini,
    .stats = bs_stats,
};
