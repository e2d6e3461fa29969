/*
 * flood_rec.c - the flood detector on flow records from exports (NetFlow,
 * IPFIX, sFlow) and Zeek logs, which reach it through on_flow_end.
 *
 * A record says "P packets, B bytes from first to last": its packets are
 * spread evenly over the 1 s bins of [first, last] and classified once
 * from the record (protocol, TCP flags union, source port: flood_vec.c).
 * Records arrive after the fact and out of order (an exporter sends a
 * flow when it ends or at its active timeout), so they run on their own
 * clock: the newest `last` seen. Each second waits until that clock is
 * `lateness` seconds past it; then it is counted and its bins closed
 * exactly as the packet path's (flood_tick.c), in a table of its own
 * (d->rx). A share older than the oldest open second joins that second
 * (counted late). Waiting shares are capped by `max_pending`; beyond it
 * the oldest second is released early. Incidents are emitted at the
 * pipeline's ticks. Documented in docs/detectors/flood.md.
 *
 * Cost per record is O(1), whatever its length: a record's shares are a
 * step function (base + 1 packets in its first `rem` seconds, base in
 * the rest), so it is kept once and enters the per-second ring only as up
 * to three rate changes of its slot: at its first second, where the
 * extra packet stops, and after its last. A slot sums the rates of the
 * (destination, vector) pairs that hash to it, in one of six slot arrays,
 * one per floor (flood_vec_floor), so its rate bounds each pair's from
 * above. When a second is released the changes due are applied. A bin
 * below a quarter of its floor, on an entry with no incident or
 * candidate sources, could neither alarm nor keep sources (its baseline
 * sees an empty second): it is skipped without touching the destination
 * table. So only slots at a quarter of their floor, and those of entries
 * holding an incident or candidates, have their records' shares looked
 * at (each slot lists its records); those shares are summed per pair
 * exactly, and the shares of pairs that matter are counted in arrival
 * order (non-RST first, then RSTs), as if every share had been kept per
 * second.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/flood_int.h"

struct frec {                   /* one sender of one record, while it has shares */
    struct asc_flow_key key;
    asc_time first, last;
    uint64_t pkts, bytes;       /* of this vector (all, or one SYN) */
    uint64_t base;              /* packets in each second of its span ... */
    int64_t s0, s_last;         /* ... from s0 to s_last */
    uint32_t rem;               /* ... plus one in the first rem seconds */
    uint64_t tag;               /* flood_dv_hash(victim, vec) | 1 */
    uint32_t slot;              /* its slot (index into the slot arrays) */
    uint32_t sampling;
    uint8_t sd, vec, ev, ttl;
};

enum { EV_START, EV_MID, EV_END };

struct fev {                    /* a rate change of one slot, due at a second */
    uint32_t slot;
    uint32_t kind;
    int64_t delta;
};

struct frec_bucket {
    struct fev *v;
    size_t n, cap;
};

struct lent {                   /* a record in its slot's list */
    int64_t s0, s_last;         /* its span, so that a scan reads no pool entry */
    uint32_t seq;               /* pool sequence number */
};

struct slot_list {              /* the records of one slot, by arrival */
    struct lent *e;
    uint32_t n, cap;
};

struct slot_st {
    uint64_t rate;              /* packets of its records in the second released */
    uint32_t above_at;          /* 1 + index in above[], 0 = under a quarter floor */
    uint32_t mark;              /* epoch it was picked in */
};

struct hot_ent {
    uint32_t slot, alt;         /* its slot; alt: of the RST pair of a SYN-ACK entry */
};

#define SLOT_BITS 14
#define N_CLASS 6               /* floors: syn, tcp, udp, amp, icmp, frag */
#define N_SLOTS ((size_t)N_CLASS << SLOT_BITS)

#define PARK_MAX 4096

struct frec_ring {
    struct frec_bucket *b;
    size_t nb;                  /* power of two >= lateness + 3 */
    bool started;
    int64_t next, hi;           /* oldest open second; newest second seen */
    size_t pending;             /* shares not yet counted */
    size_t active;              /* records with a share in the second released */
    struct frec *pool;          /* records with shares, a FIFO by arrival */
    uint32_t pool_head, pool_tail;
    size_t pool_cap;            /* power of two */
    uint32_t *pool_slot;        /* the slot of each pool entry, for scans */
    struct slot_st *st;         /* per slot: rate, place in above[], mark */
    struct slot_list *list;     /* per slot: its records, while listed */
    uint64_t *listed, *build;   /* bitmaps of slots: listed; to list now */
    const struct flood_params *prm;
    double floor4[N_CLASS];     /* a quarter of each class's (lowest) floor */
    uint32_t *above;            /* slots at or past a quarter of their floor */
    size_t n_above, cap_above;
    uint32_t *picked;           /* slots whose records are looked at in this second */
    size_t n_picked, cap_picked;
    uint64_t *col;              /* (arrival offset << 32 | packets) of looked-at shares */
    size_t n_col, cap_col;
    uint64_t *agg_tag, *agg_pkts; /* scratch: their packets per (dst, vec) */
    size_t agg_cap;
    struct dstv **touched;      /* entries filled in the second being released */
    size_t n_touched, cap_touched;
    struct dstv *parked;        /* incidents that went quiet, for the next tick */
    size_t n_parked;
    uint64_t *hot;              /* tags of entries holding an incident or candidates */
    size_t hot_cap, hot_n;
    struct hot_ent *hot_list;   /* the same tags, in a list */
    uint32_t epoch;             /* seconds looked at, for mark[] */
    uint64_t late, forced, dropped;
};


/* Room for one more element in an array of `cap` (doubling). */
static void *grow(void *p, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return p;
    *cap = *cap ? 2 * *cap : 64;
    return asc_xrealloc(p, *cap, size);
}

/* ---- open-addressing sets keyed by the table's hash (| 1, never 0) ---- */

static size_t home(uint64_t tag, size_t cap)
{
    return (size_t)(tag >> 7) & (cap - 1);
}

static uint64_t *slot(uint64_t *tab, size_t cap, uint64_t tag)
{
    size_t i = home(tag, cap);
    while (tab[i] && tab[i] != tag)
        i = (i + 1) & (cap - 1);
    return &tab[i];
}

static uint32_t slot_of(uint64_t tag, unsigned vec);

static uint64_t rst_tag(const struct asc_addr *dst)
{
    return flood_dv_hash(dst, FV_RST) | 1;
}

static void hot_add(struct frec_ring *r, const struct dstv *e, uint64_t tag)
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
        r->hot_list = asc_xrealloc(r->hot_list, r->hot_cap / 2, sizeof(*r->hot_list));
    }
    uint64_t *p = slot(r->hot, r->hot_cap, tag);
    if (!*p) {
        *p = tag;
        r->hot_list[r->hot_n++] = (struct hot_ent){
            .slot = slot_of(tag, e->vec),
            .alt = e->vec == FV_SYNACK ? slot_of(rst_tag(&e->dst), FV_RST) : UINT32_MAX};
    }
}

/* After a tick: only entries still holding an incident or candidates, in
 * table order. Those are live (flood_int.h), and the tick just cleared the
 * live bits of entries that hold neither nor an open bin. */
static void hot_rebuild(struct flood *rx, struct frec_ring *r)
{
    if (r->hot_n)
        memset(r->hot, 0, r->hot_cap * sizeof(*r->hot));
    r->hot_n = 0;
    for (size_t i = flood_live_next(rx, 0); i != SIZE_MAX; i = flood_live_next(rx, i + 1))
        if (rx->tags[i] && (rx->t[i].inc || rx->t[i].cand))
            hot_add(r, &rx->t[i], rx->tags[i]);
}

/* ---- the record pool ---- */

static struct frec *pool_get(const struct frec_ring *r, uint32_t seq)
{
    return &r->pool[seq & (r->pool_cap - 1)];
}

static uint32_t pool_push(struct frec_ring *r, const struct frec *rec)
{
    if ((size_t)(r->pool_tail - r->pool_head) == r->pool_cap) {
        size_t ocap = r->pool_cap, ncap = ocap ? 2 * ocap : 1024;
        struct frec *np = asc_xcalloc(ncap, sizeof(*np));
        uint32_t *ns = asc_xcalloc(ncap, sizeof(*ns));
        for (uint32_t q = r->pool_head; q != r->pool_tail; q++) {
            np[q & (ncap - 1)] = r->pool[q & (ocap - 1)];
            ns[q & (ncap - 1)] = r->pool_slot[q & (ocap - 1)];
        }
        free(r->pool);
        free(r->pool_slot);
        r->pool = np;
        r->pool_slot = ns;
        r->pool_cap = ncap;
    }
    r->pool_slot[r->pool_tail & (r->pool_cap - 1)] = rec->slot;
    *pool_get(r, r->pool_tail) = *rec;
    return r->pool_tail++;
}

static const struct asc_addr *rec_dst(const struct frec *rec)
{
    return rec->sd ? &rec->key.orig : &rec->key.resp;
}

/* ---- slots: rates of the (destination, vector) pairs hashing to them ---- */

/* The slot array of a vector: one per distinct floor of flood_vec_floor. */
static unsigned floor_class(unsigned vec)
{
    switch (vec) {
    case FV_SYN: return 0;
    case FV_ACK: case FV_RST: return 1;
    case FV_UDP: return 2;
    case FV_ICMP: return 4;
    case FV_FRAG: return 5;
    default: return 3;          /* SYN-ACK and the amplification services */
    }
}

static uint32_t slot_of(uint64_t tag, unsigned vec)
{
    return (uint32_t)(floor_class(vec) << SLOT_BITS | ((tag >> 17) & ((1u << SLOT_BITS) - 1)));
}

/* Keep above[] in step with a slot's rate. */
static void above_update(struct frec_ring *r, uint32_t s)
{
    struct slot_st *t = &r->st[s];
    bool up = t->rate && (double)t->rate >= r->floor4[s >> SLOT_BITS];
    if (up && !t->above_at) {
        r->above = grow(r->above, r->n_above, &r->cap_above, sizeof(*r->above));
        r->above[r->n_above++] = s;
        t->above_at = (uint32_t)r->n_above;
    } else if (!up && t->above_at) {
        uint32_t last = r->above[--r->n_above];
        r->above[t->above_at - 1] = last;
        r->st[last].above_at = t->above_at;
        t->above_at = 0;
    }
}

static bool bit(const uint64_t *map, uint32_t s)
{
    return map[s >> 6] >> (s & 63) & 1;
}

static void bit_set(uint64_t *map, uint32_t s, bool on)
{
    if (on)
        map[s >> 6] |= 1ull << (s & 63);
    else
        map[s >> 6] &= ~(1ull << (s & 63));
}

static void add_event(struct frec_ring *r, int64_t sec, uint32_t s, uint32_t kind, int64_t delta)
{
    struct frec_bucket *b = &r->b[(uint64_t)sec & (r->nb - 1)];
    b->v = grow(b->v, b->n, &b->cap, sizeof(*b->v));
    b->v[b->n++] = (struct fev){.slot = s, .kind = kind, .delta = delta};
}

/* Apply the rate changes due at `sec`. */
static void apply_events(struct frec_ring *r, int64_t sec)
{
    struct frec_bucket *b = &r->b[(uint64_t)sec & (r->nb - 1)];
    for (size_t i = 0; i < b->n; i++) {
        if (i + 8 < b->n)
            __builtin_prefetch(&r->st[b->v[i + 8].slot]);
        const struct fev *v = &b->v[i];
        struct slot_st *t = &r->st[v->slot];
        t->rate = (uint64_t)((int64_t)t->rate + v->delta);
        if (v->kind == EV_START)
            r->active++;
        else if (v->kind == EV_END)
            r->active--;
        if (t->above_at || (double)t->rate >= r->floor4[v->slot >> SLOT_BITS])
            above_update(r, v->slot);
        if (!t->rate && bit(r->listed, v->slot)) {
            /* Its records wait for their first second, or are over: the
             * pool still has the former if the slot is looked at again. */
            bit_set(r->listed, v->slot, false);
            r->list[v->slot].n = 0;
        }
    }
    b->n = 0;
}

/* Add a record to a listed slot's list; records over before `now` leave
 * it when the list is full. A record whose last second is not over is
 * still in the pool (the pool's head stops at it). */
static void list_add(struct frec_ring *r, uint32_t s, uint32_t seq, int64_t now)
{
    struct slot_list *l = &r->list[s];
    if (l->n == l->cap) {
        uint32_t k = 0;
        for (uint32_t j = 0; j < l->n; j++)
            if (l->e[j].s_last >= now)
                l->e[k++] = l->e[j];
        l->n = k;
        if (2 * l->n >= l->cap) {
            l->cap = l->cap ? 2 * l->cap : 4;
            l->e = asc_xrealloc(l->e, l->cap, sizeof(*l->e));
        }
    }
    const struct frec *rec = pool_get(r, seq);
    l->e[l->n++] = (struct lent){.s0 = rec->s0, .s_last = rec->s_last, .seq = seq};
}

static void pick(struct frec_ring *r, uint32_t s)
{
    if (!r->st[s].rate || r->st[s].mark == r->epoch)
        return;
    r->st[s].mark = r->epoch;
    r->picked = grow(r->picked, r->n_picked, &r->cap_picked, sizeof(*r->picked));
    r->picked[r->n_picked++] = s;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t cap32(uint64_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : v;
}

/* Gather the shares of `sec` of one slot's records into col[], dropping
 * the records that are over from its list. */
static void gather(struct frec_ring *r, uint32_t s, int64_t sec)
{
    struct slot_list *l = &r->list[s];
    uint32_t k = 0;
    for (uint32_t j = 0; j < l->n; j++) {
        const struct lent *le = &l->e[j];
        if (le->s_last < sec)
            continue;
        l->e[k++] = *le;
        if (le->s0 > sec)
            continue;
        const struct frec *rec = pool_get(r, le->seq);
        uint64_t share = cap32(rec->base + (uint64_t)(sec - rec->s0 < (int64_t)rec->rem));
        r->col = grow(r->col, r->n_col, &r->cap_col, sizeof(*r->col));
        r->col[r->n_col++] = (uint64_t)(uint32_t)(le->seq - r->pool_head) << 32 | share;
    }
    l->n = k;
}

/* Gather the picked slots from `from` on, first listing those not listed:
 * one pass over the pool, in arrival order, for all of them. */
static void gather_from(struct frec_ring *r, size_t from, int64_t sec)
{
    bool build = false;
    for (size_t i = from; i < r->n_picked; i++)
        if (!bit(r->listed, r->picked[i])) {
            bit_set(r->build, r->picked[i], true);
            build = true;
        }
    if (build) {
        for (uint32_t q = r->pool_head; q != r->pool_tail; q++) {
            uint32_t s = r->pool_slot[q & (r->pool_cap - 1)];
            if (bit(r->build, s) && pool_get(r, q)->s_last >= sec)
                list_add(r, s, q, sec);
        }
        for (size_t i = from; i < r->n_picked; i++)
            if (bit(r->build, r->picked[i])) {
                bit_set(r->build, r->picked[i], false);
                bit_set(r->listed, r->picked[i], true);
            }
    }
    for (size_t i = from; i < r->n_picked; i++)
        gather(r, r->picked[i], sec);
}

static const struct frec *col_rec(const struct frec_ring *r, uint64_t c)
{
    return pool_get(r, r->pool_head + (uint32_t)(c >> 32));
}

/* Sum the gathered shares per (destination, vector). */
static void agg_fill(struct frec_ring *r)
{
    size_t need = 64;
    while (need < 2 * r->n_col)
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
    for (size_t i = 0; i < r->n_col; i++) {
        uint64_t tag = col_rec(r, r->col[i])->tag;
        uint64_t *p = slot(r->agg_tag, r->agg_cap, tag);
        if (!*p) {
            *p = tag;
            r->agg_pkts[p - r->agg_tag] = 0;
        }
        r->agg_pkts[p - r->agg_tag] += (uint32_t)r->col[i];
    }
}

static bool hot_has(const struct frec_ring *r, uint64_t tag)
{
    return r->hot_n && *slot(r->hot, r->hot_cap, tag) == tag;
}

/* Whether a pair's bin can matter: it holds an incident or candidates, or
 * a quarter of its floor (its slot was looked at whenever it could). */
static bool bin_matters(const struct frec_ring *r, uint64_t tag, unsigned vec)
{
    if (hot_has(r, tag))
        return true;
    uint64_t *p = slot(r->agg_tag, r->agg_cap, tag);
    return *p == tag && 4.0 * (double)r->agg_pkts[p - r->agg_tag] >= flood_vec_floor(r->prm, vec);
}

/* RSTs also through the SYN-ACK reflection they may join. */
static bool share_matters(const struct frec_ring *r, const struct frec *rec)
{
    if (bin_matters(r, rec->tag, rec->vec))
        return true;
    return rec->vec == FV_RST &&
           bin_matters(r, flood_dv_hash(rec_dst(rec), FV_SYNACK) | 1, FV_SYNACK);
}

/* The shares of `sec` whose bins matter, in arrival order, into col[]:
 * slots at a quarter of their floor or of entries holding an incident or
 * candidates are looked at, then RST slots of the destinations of the
 * SYN-ACK records among them, then each share is decided by its pair. */
static void collect(struct frec_ring *r, int64_t sec)
{
    r->n_col = 0;
    if (!r->n_above && !r->hot_n)
        return;
    r->n_picked = 0;
    if (!++r->epoch)
        r->epoch = 1;
    for (size_t i = 0; i < r->n_above; i++)
        pick(r, r->above[i]);
    for (size_t i = 0; i < r->hot_n; i++) {
        pick(r, r->hot_list[i].slot);
        if (r->hot_list[i].alt != UINT32_MAX)
            pick(r, r->hot_list[i].alt);
    }
    gather_from(r, 0, sec);
    size_t n0 = r->n_picked;
    for (size_t i = 0; i < r->n_col; i++) {
        const struct frec *rec = col_rec(r, r->col[i]);
        if (rec->vec == FV_SYNACK)
            pick(r, slot_of(rst_tag(rec_dst(rec)), FV_RST));
    }
    gather_from(r, n0, sec);
    if (r->n_picked > 1)
        qsort(r->col, r->n_col, sizeof(*r->col), cmp_u64);
    agg_fill(r);
    size_t k = 0;
    for (size_t i = 0; i < r->n_col; i++)
        if (share_matters(r, col_rec(r, r->col[i])))
            r->col[k++] = r->col[i];
    r->n_col = k;
}

static struct flood *rx_new(const struct flood *d)
{
    struct flood *rx = asc_xcalloc(1, sizeof(*rx));
    rx->g = d->g;
    rx->prm = d->prm;
    memcpy(rx->params, d->params, sizeof(rx->params));
    rx->n_params = d->n_params;
    rx->nsets = d->nsets;
    flood_table_new(rx);
    rx->is_rec = true;
    return rx;
}

static struct frec_ring *ring_new(const struct flood *rx)
{
    struct frec_ring *r = asc_xcalloc(1, sizeof(*r));
    r->nb = 4;
    while ((double)r->nb < rx->prm.lateness + 3)
        r->nb <<= 1;
    r->b = asc_xcalloc(r->nb, sizeof(*r->b));
    r->prm = &rx->prm;
    r->st = asc_xcalloc(N_SLOTS, sizeof(*r->st));
    r->list = asc_xcalloc(N_SLOTS, sizeof(*r->list));
    r->listed = asc_xcalloc(N_SLOTS / 64, sizeof(*r->listed));
    r->build = asc_xcalloc(N_SLOTS / 64, sizeof(*r->build));
    /* A slot's threshold: the lowest quarter floor of the vectors in it. */
    for (unsigned c = 0; c < N_CLASS; c++)
        r->floor4[c] = -1;
    for (unsigned vec = FV_SYN; vec < 256; vec++) {
        double f = flood_vec_floor(&rx->prm, vec) / 4, *c = &r->floor4[floor_class(vec)];
        if (*c < 0 || f < *c)
            *c = f;
    }
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
    r->touched = grow(r->touched, r->n_touched, &r->cap_touched, sizeof(*r->touched));
    r->touched[r->n_touched++] = e;
}

static asc_time clamp(asc_time t, asc_time lo, asc_time hi)
{
    return t < lo ? lo : t > hi ? hi : t;
}

static void release_share(struct flood *rx, struct frec_ring *r, const struct frec *rec,
                          uint64_t pkts, int64_t sec)
{
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
        rx->dropped += pkts;
        return;
    }
    maybe_park(rx, r, e, sec);
    if (!e->bin_pkts)
        touch(r, e);
    asc_time lo = sec * ASC_NS_PER_SEC, hi = lo + ASC_NS_PER_SEC - 1;
    asc_time t0 = clamp(rec->first, lo, hi);
    uint64_t bytes = pkts == rec->pkts ? rec->bytes
                     : (uint64_t)((double)rec->bytes * pkts / (double)rec->pkts);
    struct flood_add a = {.sec = sec, .t0 = t0, .t1 = clamp(rec->last, t0, hi), .src = src,
                          .pkts = pkts, .bytes = bytes, .ttl = rec->ttl, .ev = (uint8_t)ev,
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
    apply_events(r, sec);
    r->pending -= r->active;
    collect(r, sec);
    /* RSTs last: whether a RST's sender is a SYN-ACK reflector of its
     * target must not depend on the order records arrived in. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < r->n_col; i++) {
            const struct frec *rec = col_rec(r, r->col[i]);
            if ((rec->vec == FV_RST) == (pass == 1))
                release_share(d->rx, r, rec, (uint32_t)r->col[i], sec);
        }
    for (size_t i = 0; i < r->n_touched; i++) {
        struct dstv *e = r->touched[i];
        if (e->used && e->bin_pkts && e->sec <= sec)
            flood_close_bin(d->rx, e);
        if (e->inc || e->cand)
            hot_add(r, e, d->rx->tags[e - d->rx->t]);
    }
    r->n_touched = 0;
    r->next = sec + 1;
    while (r->pool_head != r->pool_tail && pool_get(r, r->pool_head)->s_last < r->next)
        r->pool_head++;
}

/* Release every second before `upto`; empty stretches are skipped (their
 * rate changes, the ends of records already counted, still applied). */
static void release_before(struct flood *d, int64_t upto)
{
    struct frec_ring *r = d->ring;
    while (r->next < upto) {
        if (!r->pending) {
            for (int64_t s = r->next; s < upto && s <= r->hi + 1; s++)
                apply_events(r, s);
            r->next = upto;
            return;
        }
        release_one(d);
    }
}


/* Spread the packets of one sender of a record over the open seconds of
 * its span: equal shares, the remainder to the earliest seconds. */
static void put_shares(struct flood *d, struct frec *rec, uint64_t tag)
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
    rec->s0 = s0;
    rec->s_last = s0 + n - 1;
    rec->base = base;
    rec->rem = (uint32_t)rem;
    rec->tag = tag;
    rec->slot = slot_of(tag, rec->vec);
    uint32_t seq = pool_push(r, rec);
    if (bit(r->listed, rec->slot))
        list_add(r, rec->slot, seq, r->next);
    r->pending += (size_t)n;
    /* Shares: base + 1 in [s0, s0 + rem), base in [s0 + rem, s0 + n). */
    int64_t hi_share = (int64_t)cap32(base + (rem > 0)), lo_share = (int64_t)cap32(base);
    add_event(r, s0, rec->slot, EV_START, hi_share);
    if (rem && (int64_t)rem < n)
        add_event(r, s0 + (int64_t)rem, rec->slot, EV_MID, lo_share - hi_share);
    add_event(r, s0 + n, rec->slot, EV_END, -((int64_t)rem >= n ? hi_share : lo_share));
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
            d->ring = ring_new(d->rx);
        }
        const struct asc_flow_dir *fd = &f->dir[sd];
        struct frec rec = {.key = f->key, .first = f->first, .last = f->last,
                           .sampling = f->sampling ? f->sampling : 1, .sd = (uint8_t)sd,
                           .vec = (uint8_t)vec, .ev = (uint8_t)ev, .ttl = fd->ttl_min,
                           .pkts = pkts,
                           .bytes = pkts == fd->pkts ? fd->ip_bytes
                                    : (uint64_t)((double)fd->ip_bytes * (double)pkts / fd->pkts)};
        put_shares(d, &rec, flood_dv_hash(rec_dst(&rec), vec) | 1);
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
        for (size_t i = 0; i < N_SLOTS; i++)
            free(r->list[i].e);
        free(r->b);
        free(r->pool);
        free(r->pool_slot);
        free(r->st);
        free(r->list);
        free(r->listed);
        free(r->build);
        free(r->agg_tag);
        free(r->agg_pkts);
        free(r->above);
        free(r->picked);
        free(r->col);
        free(r->hot);
        free(r->hot_list);
        free(r->touched);
        free(r->parked);
        free(r);
    }
    flood_destroy(d->rx);
}
