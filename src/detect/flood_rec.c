/*
 * flood_rec.c - the flood detector on flow records from exports (NetFlow,
 * IPFIX, sFlow) and Zeek logs, which reach it through on_flow_end.
 *
 * A record says "P packets, B bytes from first to last": its packets are
 * spread evenly over the 1 s bins of [first, last] and classified once
 * from the record (protocol, TCP flags union, source port: flood_vec.c).
 * Records arrive after the fact and out of order (an exporter sends a
 * flow when it ends or at its active timeout), so they run on their own
 * clock: the newest `last` seen. Each second's shares wait in a ring
 * until that clock is `lateness` seconds past it; then the second is
 * counted and its bins closed exactly as the packet path's (flood_tick.c),
 * in a table of its own (d->rx). A share older than the oldest open
 * second joins that second (counted late). Waiting shares are capped by
 * `max_pending`; beyond it the oldest second is released early. Incidents
 * are emitted at the pipeline's ticks. Before a second is counted its
 * shares are summed per (destination, vector) in a small scratch table:
 * a bin below a quarter of its floor, on an entry with no incident or
 * candidate sources, is skipped (it could neither alarm nor keep sources;
 * its baseline sees an empty second), so the destination table is only
 * touched for bins that matter. Documented in docs/detectors/flood.md.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/flood_int.h"

struct frec {                   /* one sender of one record, while it has shares */
    struct asc_flow_key key;
    asc_time first, last;
    uint64_t pkts, bytes;       /* of this vector (all, or one SYN) */
    uint64_t tag;               /* flood_dv_hash(victim, vec) | 1 */
    int64_t s_last;             /* its last second with a share */
    uint32_t sampling;
    uint8_t sd, vec, ev, ttl;
};

struct fshare {                 /* a record's packets in one second */
    uint64_t tag;
    uint32_t rec;               /* sequence number in the record pool */
    uint32_t pkts;
    uint8_t vec;
};

struct frec_bucket {
    struct fshare *v;
    size_t n, cap;
};

#define PARK_MAX 4096

struct frec_ring {
    struct frec_bucket *b;
    size_t nb;                  /* power of two > lateness + 1 */
    bool started;
    int64_t next, hi;           /* oldest open second; newest second seen */
    size_t pending;
    struct frec *pool;          /* records with shares, a FIFO by arrival */
    uint32_t pool_head, pool_tail;
    size_t pool_cap;            /* power of two */
    struct dstv **touched;      /* entries filled in the second being released */
    size_t n_touched, cap_touched;
    struct dstv *parked;        /* incidents that went quiet, for the next tick */
    size_t n_parked;
    uint64_t *agg_tag, *agg_pkts; /* scratch: packets per (dst, vec) of one second */
    size_t agg_cap;
    uint64_t *hot;              /* tags of entries holding an incident or candidates */
    size_t hot_cap, hot_n;
    uint64_t late, forced, dropped, skipped;
};

/* ---- open-addressing sets keyed by the table's hash (| 1, never 0) ---- */

static uint64_t *slot(uint64_t *tab, size_t cap, uint64_t tag)
{
    size_t i = (size_t)(tag >> 7) & (cap - 1);
    while (tab[i] && tab[i] != tag)
        i = (i + 1) & (cap - 1);
    return &tab[i];
}

static void hot_add(struct frec_ring *r, uint64_t tag)
{
    if (2 * (r->hot_n + 1) > r->hot_cap) {
        size_t ocap = r->hot_cap;
        uint64_t *old = r->hot;
        r->hot_cap = ocap ? 2 * ocap : 1024;
        r->hot = asc_xcalloc(r->hot_cap, sizeof(*r->hot));
        for (size_t i = 0; i < ocap; i++)
            if (old[i])
                *slot(r->hot, r->hot_cap, old[i]) = old[i];
        free(old);
    }
    uint64_t *p = slot(r->hot, r->hot_cap, tag);
    if (!*p) {
        *p = tag;
        r->hot_n++;
    }
}

static bool hot_has(const struct frec_ring *r, uint64_t tag)
{
    return r->hot_n && *slot(r->hot, r->hot_cap, tag) == tag;
}

/* After a tick: only entries still holding an incident or candidates. */
static void hot_rebuild(struct flood *rx, struct frec_ring *r)
{
    if (r->hot_n)
        memset(r->hot, 0, r->hot_cap * sizeof(*r->hot));
    r->hot_n = 0;
    for (size_t i = 0; i < rx->nsets * WAYS; i++)
        if (rx->tags[i] && (rx->t[i].inc || rx->t[i].cand))
            hot_add(r, rx->tags[i]);
}

static struct frec *pool_get(const struct frec_ring *r, uint32_t seq)
{
    return &r->pool[seq & (r->pool_cap - 1)];
}

static uint32_t pool_push(struct frec_ring *r, const struct frec *rec)
{
    if ((size_t)(r->pool_tail - r->pool_head) == r->pool_cap) {
        size_t ocap = r->pool_cap, ncap = ocap ? 2 * ocap : 1024;
        struct frec *np = asc_xcalloc(ncap, sizeof(*np));
        for (uint32_t q = r->pool_head; q != r->pool_tail; q++)
            np[q & (ncap - 1)] = r->pool[q & (ocap - 1)];
        free(r->pool);
        r->pool = np;
        r->pool_cap = ncap;
    }
    *pool_get(r, r->pool_tail) = *rec;
    return r->pool_tail++;
}

static const struct asc_addr *rec_dst(const struct frec *rec)
{
    return rec->sd ? &rec->key.orig : &rec->key.resp;
}

/* Sum the packets of one second's shares per (destination, vector). */
static void agg_fill(struct frec_ring *r, const struct frec_bucket *b)
{
    size_t need = 64;
    while (need < 2 * b->n)
        need <<= 1;
    if (need > r->agg_cap) {
        free(r->agg_tag);
        free(r->agg_pkts);
        r->agg_cap = need;
        r->agg_tag = asc_xcalloc(need, sizeof(*r->agg_tag));
        r->agg_pkts = asc_xcalloc(need, sizeof(*r->agg_pkts));
    } else {
        memset(r->agg_tag, 0, r->agg_cap * sizeof(*r->agg_tag));
    }
    for (size_t i = 0; i < b->n; i++) {
        uint64_t *p = slot(r->agg_tag, r->agg_cap, b->v[i].tag);
        if (!*p) {
            *p = b->v[i].tag;
            r->agg_pkts[p - r->agg_tag] = 0;
        }
        r->agg_pkts[p - r->agg_tag] += b->v[i].pkts;
    }
}

static bool bin_matters(const struct flood *rx, const struct frec_ring *r, uint64_t tag,
                        unsigned vec)
{
    if (hot_has(r, tag))
        return true;
    uint64_t *p = slot(r->agg_tag, r->agg_cap, tag);
    return *p == tag && 4.0 * (double)r->agg_pkts[p - r->agg_tag] >= flood_vec_floor(&rx->prm, vec);
}

/* Whether a share's bin can matter: RSTs also through the SYN-ACK
 * reflection they may join. */
static bool share_matters(const struct flood *rx, const struct frec_ring *r,
                          const struct fshare *s)
{
    if (bin_matters(rx, r, s->tag, s->vec))
        return true;
    if (s->vec != FV_RST)
        return false;
    uint64_t sa = flood_dv_hash(rec_dst(pool_get(r, s->rec)), FV_SYNACK) | 1;
    return bin_matters(rx, r, sa, FV_SYNACK);
}

static struct flood *rx_new(const struct flood *d)
{
    struct flood *rx = asc_xcalloc(1, sizeof(*rx));
    rx->g = d->g;
    rx->prm = d->prm;
    memcpy(rx->params, d->params, sizeof(rx->params));
    rx->n_params = d->n_params;
    rx->nsets = d->nsets;
    rx->t = asc_xcalloc(d->nsets * WAYS, sizeof(*rx->t));
    rx->tags = asc_xcalloc(d->nsets * WAYS, sizeof(*rx->tags));
    rx->is_rec = true;
    return rx;
}

static struct frec_ring *ring_new(double lateness)
{
    struct frec_ring *r = asc_xcalloc(1, sizeof(*r));
    r->nb = 4;
    while ((double)r->nb < lateness + 2)
        r->nb <<= 1;
    r->b = asc_xcalloc(r->nb, sizeof(*r->b));
    r->parked = asc_xcalloc(PARK_MAX, sizeof(*r->parked));
    return r;
}

/* An incident whose entry was quiet for `quiet` seconds ends before the
 * entry counts again; it is emitted at the next tick. */
static void maybe_park(struct flood *rx, struct frec_ring *r, struct dstv *e, int64_t sec)
{
    if (!e->inc || sec - 1 - e->inc->last_alarm_sec < (int64_t)rx->prm.quiet ||
        r->n_parked >= PARK_MAX)
        return;
    r->parked[r->n_parked++] = *e;
    e->inc = NULL;
}

static void touch(struct frec_ring *r, struct dstv *e)
{
    if (r->n_touched == r->cap_touched) {
        r->cap_touched = r->cap_touched ? 2 * r->cap_touched : 256;
        r->touched = asc_xrealloc(r->touched, r->cap_touched, sizeof(*r->touched));
    }
    r->touched[r->n_touched++] = e;
}

static asc_time clamp(asc_time t, asc_time lo, asc_time hi)
{
    return t < lo ? lo : t > hi ? hi : t;
}

static void release_share(struct flood *rx, struct frec_ring *r, const struct fshare *s, int64_t sec)
{
    const struct frec *rec = pool_get(r, s->rec);
    const struct asc_addr *dst = rec_dst(rec);
    const struct asc_addr *src = rec->sd ? &rec->key.resp : &rec->key.orig;
    unsigned vec = rec->vec, ev = rec->ev;
    if (vec == FV_RST) {
        /* RSTs from the reflectors of a SYN-ACK reflection belong to it. */
        struct dstv *sa = flood_dv_find(rx, dst, FV_SYNACK);
        struct asc_srcset *ss = sa ? (sa->inc ? sa->inc->src : sa->cand) : NULL;
        if (ss && asc_srcset_has(ss, src)) {
            vec = FV_SYNACK;
            ev |= ASC_EV_REFLECTED;
        }
    }
    struct dstv *e = flood_dv_get(rx, dst, vec);
    if (!e) {
        r->dropped++;
        rx->dropped += s->pkts;
        return;
    }
    maybe_park(rx, r, e, sec);
    if (!e->bin_pkts)
        touch(r, e);
    asc_time lo = sec * ASC_NS_PER_SEC, hi = lo + ASC_NS_PER_SEC - 1;
    asc_time t0 = clamp(rec->first, lo, hi);
    uint64_t bytes = s->pkts == rec->pkts ? rec->bytes
                     : (uint64_t)((double)rec->bytes * s->pkts / (double)rec->pkts);
    struct flood_add a = {.sec = sec, .t0 = t0, .t1 = clamp(rec->last, t0, hi), .src = src,
                          .pkts = s->pkts, .bytes = bytes, .ttl = rec->ttl, .ev = (uint8_t)ev,
                          .has_port = true,
                          .port = rec->sd ? rec->key.orig_port : rec->key.resp_port,
                          .key = &rec->key, .sampling = rec->sampling};
    flood_account(rx, e, &a);
}

/* Count the oldest open second and close its bins. */
static void release_one(struct flood *d)
{
    struct frec_ring *r = d->ring;
    int64_t sec = r->next;
    struct frec_bucket *b = &r->b[(uint64_t)sec & (r->nb - 1)];
    agg_fill(r, b);
    /* RSTs last: whether a RST's sender is a SYN-ACK reflector of its
     * target must not depend on the order records arrived in. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < b->n; i++) {
            if ((b->v[i].vec == FV_RST) != (pass == 1))
                continue;
            if (share_matters(d->rx, r, &b->v[i]))
                release_share(d->rx, r, &b->v[i], sec);
            else
                r->skipped++;
        }
    r->pending -= b->n;
    b->n = 0;
    for (size_t i = 0; i < r->n_touched; i++) {
        struct dstv *e = r->touched[i];
        if (e->used && e->bin_pkts && e->sec <= sec)
            flood_close_bin(d->rx, e);
        if (e->inc || e->cand)
            hot_add(r, d->rx->tags[e - d->rx->t]);
    }
    r->n_touched = 0;
    r->next = sec + 1;
    while (r->pool_head != r->pool_tail && pool_get(r, r->pool_head)->s_last < r->next)
        r->pool_head++;
}

/* Release every second before `upto`; empty stretches are skipped. */
static void release_before(struct flood *d, int64_t upto)
{
    struct frec_ring *r = d->ring;
    while (r->next < upto) {
        if (!r->pending) {
            r->next = upto;
            return;
        }
        release_one(d);
    }
}

static void push(struct frec_ring *r, int64_t sec, const struct fshare *s)
{
    struct frec_bucket *b = &r->b[(uint64_t)sec & (r->nb - 1)];
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        b->v = asc_xrealloc(b->v, b->cap, sizeof(*b->v));
    }
    b->v[b->n++] = *s;
    r->pending++;
}

/* Spread the packets of one sender of a record over the open seconds of
 * its span: equal shares, the remainder to the earliest seconds. */
static void put_shares(struct flood *d, struct frec *rec)
{
    struct frec_ring *r = d->ring;
    int64_t first = rec->first / ASC_NS_PER_SEC, last = rec->last / ASC_NS_PER_SEC;
    int64_t lat = (int64_t)d->prm.lateness;
    if (!r->started) {
        r->started = true;
        r->next = last - lat;
        r->hi = last;
    }
    if (last > r->hi) {
        r->hi = last;
        release_before(d, last - lat);
    }
    if (first < r->next)
        r->late++;
    int64_t s0 = first < r->next ? r->next : first;
    int64_t n = (last < s0 ? s0 : last) - s0 + 1;
    while ((r->pending + (size_t)n > (size_t)d->prm.max_pending ||
            (size_t)(r->pool_tail - r->pool_head) >= (size_t)d->prm.max_pending) &&
           r->next <= r->hi) {
        release_one(d);
        r->forced++;
        if (s0 < r->next) {
            n -= r->next - s0;
            s0 = r->next;
            if (n < 1)
                n = 1;
        }
    }
    uint64_t base = rec->pkts / (uint64_t)n, rem = rec->pkts % (uint64_t)n;
    if (!base)
        n = (int64_t)rem;       /* fewer packets than seconds: one each, earliest first */
    if (s0 + n - 1 > r->hi)
        r->hi = s0 + n - 1;
    rec->s_last = s0 + n - 1;
    struct fshare sh = {.tag = rec->tag, .rec = pool_push(r, rec), .vec = rec->vec};
    for (int64_t i = 0; i < n; i++) {
        uint64_t share = base + ((uint64_t)i < rem);
        sh.pkts = share > UINT32_MAX ? UINT32_MAX : (uint32_t)share;
        push(r, s0 + i, &sh);
    }
}

void flood_rec_put(struct flood *d, const struct asc_flow *f)
{
    for (int sd = 0; sd < 2; sd++) {
        uint64_t pkts;
        unsigned ev;
        unsigned vec = flood_vec_record(f, sd, &pkts, &ev);
        if (vec == FV_NONE || !pkts)
            continue;
        if (!d->rx) {
            d->rx = rx_new(d);
            d->ring = ring_new(d->prm.lateness);
        }
        const struct asc_flow_dir *fd = &f->dir[sd];
        struct frec rec = {.key = f->key, .first = f->first, .last = f->last,
                           .sampling = f->sampling ? f->sampling : 1, .sd = (uint8_t)sd,
                           .vec = (uint8_t)vec, .ev = (uint8_t)ev, .ttl = fd->ttl_min,
                           .pkts = pkts,
                           .bytes = pkts == fd->pkts ? fd->ip_bytes
                                    : (uint64_t)((double)fd->ip_bytes * (double)pkts / fd->pkts)};
        rec.tag = flood_dv_hash(rec_dst(&rec), vec) | 1;
        put_shares(d, &rec);
    }
}

void flood_rec_tick(struct flood *d, bool final, struct asc_emitter *out)
{
    struct frec_ring *r = d->ring;
    if (final && r->started)
        release_before(d, r->hi + 1);
    for (size_t i = 0; i < r->n_parked; i++)
        flood_emit_inc(d->rx, &r->parked[i], out);
    r->n_parked = 0;
    flood_tick_table(d->rx, r->next, final, out);
    hot_rebuild(d->rx, r);
}

void flood_rec_free(struct flood *d)
{
    struct frec_ring *r = d->ring;
    if (r) {
        for (size_t i = 0; i < r->nb; i++)
            free(r->b[i].v);
        for (size_t i = 0; i < r->n_parked; i++) {
            asc_srcset_free(r->parked[i].inc->src);
            free(r->parked[i].inc);
        }
        free(r->b);
        free(r->pool);
        free(r->agg_tag);
        free(r->agg_pkts);
        free(r->hot);
        free(r->touched);
        free(r->parked);
        free(r);
    }
    flood_destroy(d->rx);
}
