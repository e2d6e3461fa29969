/*
 * fi_stitch.c - joins the two one-way export records of a connection into
 * one bidirectional flow record.
 *
 * Source stage, flow-record side (see flowin.h), just before records leave
 * for the detectors. NetFlow v5/v9, most IPFIX exporters and sFlow report
 * each direction separately; detectors and the evidence grades need to
 * know whether the other side answered. A one-way record waits here, keyed
 * by its 5-tuple (both directions hash alike), until a record with the
 * reversed key and an overlapping time range (within cf.stitch_slack)
 * arrives: the two leave as one flow marked ASC_FF_STITCHED. A record
 * whose window (cf.stitch_window of arrival time) closes, or that is
 * pushed out when cf.max_stitch records wait, leaves marked ASC_FF_ONEWAY.
 * Records leave in a deterministic order: on a match, or in arrival order.
 *
 * Waiting records sit in a ring in arrival order: a new record is written
 * at the tail, expiry and eviction read from the head, both in sequence (no
 * links to follow); a record that leaves on a match stays as a hole until
 * the head passes it. When the ring is full of records and holes, it grows
 * (up to 5/4 of the cap) or is packed in place. An open-addressing index of
 * (hash, ring slot) pairs, at most half full, finds the candidates for a
 * key while reading a cache line or two, and touches a ring entry only when
 * its hash matches. When several waiting records match, the latest arrival
 * wins.
 */
#include <stdlib.h>
#include <string.h>

#include "source/fi_internal.h"

#define NIL UINT32_MAX
#define PREFETCH_AHEAD 6 /* expiry: index slots read this many records ahead */

struct sent {
    asc_time arrival;
    uint64_t seq; /* arrival number: the latest match wins */
    uint32_t hash;
    bool live; /* false: a hole left by a match */
    struct asc_flow f;
};

struct islot {
    uint32_t hash, idx; /* idx: ring slot, NIL: empty */
};

struct fi_stitch {
    struct sent *ring;
    size_t cap;           /* live records at most */
    size_t rcap, rmax;    /* ring slots now, and at most */
    size_t head, used, n; /* first slot, slots in use (live + holes), live */
    struct islot *index;
    size_t nb; /* index slots, a power of two >= 2 cap */
    uint64_t seq;
};

struct fi_stitch *fi_stitch_new(size_t cap)
{
    struct fi_stitch *s = asc_xcalloc(1, sizeof(*s));
    s->cap = cap > (NIL - 1) / 2 ? (NIL - 1) / 2 : cap;
    s->nb = 64; /* the index holds live records only: at most cap */
    while (s->nb < 2 * s->cap && s->nb < (1u << 25))
        s->nb <<= 1;
    if (s->cap > s->nb / 2)
        s->cap = s->nb / 2;
    s->rmax = s->cap + s->cap / 4 + 1;
    return s;
}

void fi_stitch_free(struct fi_stitch *s)
{
    if (!s)
        return;
    free(s->ring);
    asc_table_free(s->index, s->nb, sizeof(*s->index));
    free(s);
}

size_t fi_stitch_mem(const struct fi_stitch *s)
{
    return sizeof(*s) + s->rcap * sizeof(*s->ring) + (s->index ? s->nb * sizeof(*s->index) : 0);
}

/* One endpoint: the address as two 64-bit words and the port, each
 * multiplied by an odd constant and folded. */
static inline uint64_t end_hash(const struct asc_addr *a, uint16_t port)
{
    uint64_t w0, w1;
    memcpy(&w0, a->b, 8);
    memcpy(&w1, a->b + 8, 8);
    uint64_t h = w0 * UINT64_C(0x9e3779b97f4a7c15) ^ w1 * UINT64_C(0xc2b2ae3d27d4eb4f) ^
                 ((uint64_t)port << 8 | a->family) * UINT64_C(0x165667b19e3779f9);
    return h ^ (h >> 29);
}

uint32_t fi_stitch_hash(const struct asc_flow_key *k)
{
    uint64_t h = end_hash(&k->orig, k->orig_port) + end_hash(&k->resp, k->resp_port);
    h ^= (uint64_t)k->proto << 48 ^ (uint64_t)k->vlan << 32 ^ k->tun_id;
    h *= UINT64_C(0xff51afd7ed558ccd);
    return (uint32_t)(h >> 32);
}

static bool reversed(const struct asc_flow_key *a, const struct asc_flow_key *b)
{
    return a->proto == b->proto && a->vlan == b->vlan && a->tun_id == b->tun_id &&
           a->orig_port == b->resp_port && a->resp_port == b->orig_port &&
           asc_addr_eq(&a->orig, &b->resp) && asc_addr_eq(&a->resp, &b->orig);
}

static void index_put(struct fi_stitch *s, uint32_t h, uint32_t i)
{
    size_t mask = s->nb - 1, p = h & mask;
    while (s->index[p].idx != NIL)
        p = (p + 1) & mask;
    s->index[p] = (struct islot){h, i};
}

/* Remove ring slot i (hash h) from the index; later entries of its probe
 * run shift back so that no lookup stops early at the hole. */
static void index_del(struct fi_stitch *s, uint32_t h, uint32_t i)
{
    size_t mask = s->nb - 1, p = h & mask;
    while (s->index[p].idx != i)
        p = (p + 1) & mask;
    for (size_t j = (p + 1) & mask; s->index[j].idx != NIL; j = (j + 1) & mask) {
        size_t home = s->index[j].hash & mask;
        /* j's entry may fill the hole at p unless its home lies in (p, j]. */
        bool stays = p <= j ? (home > p && home <= j) : (home > p || home <= j);
        if (stays)
            continue;
        s->index[p] = s->index[j];
        p = j;
    }
    s->index[p].idx = NIL;
}

/* Ring slot of the k-th slot in use. */
static size_t ring_at(const struct fi_stitch *s, size_t k)
{
    size_t i = s->head + k;
    return i >= s->rcap ? i - s->rcap : i;
}

/* Take ring slot i out: out of the index, a hole in the ring; holes at the
 * head are dropped. */
static void unlink_entry(struct fi_stitch *s, uint32_t i)
{
    struct sent *e = &s->ring[i];
    index_del(s, e->hash, i);
    e->live = false;
    s->n--;
    while (s->used && !s->ring[s->head].live) {
        s->head = s->head + 1 == s->rcap ? 0 : s->head + 1;
        s->used--;
    }
}

static void reindex(struct fi_stitch *s)
{
    memset(s->index, 0xff, s->nb * sizeof(*s->index));
    for (size_t k = 0; k < s->used; k++) {
        size_t i = ring_at(s, k);
        if (s->ring[i].live)
            index_put(s, s->ring[i].hash, (uint32_t)i);
    }
}

/* The ring is full: grow it (realloc, which moves large blocks without
 * copying, then the part that wrapped around to slots after the old end),
 * or at its largest drop the holes in place: each live record moves to a
 * slot at or before its own, so none is overwritten before it is read.
 * Either way the index is made again. */
static void ring_full(struct fi_stitch *s)
{
    size_t old = s->rcap;
    if (old < s->rmax) {
        size_t nr = old ? old * 2 : 1024;
        s->rcap = nr < s->rmax ? nr : s->rmax;
        s->ring = asc_xrealloc(s->ring, s->rcap, sizeof(*s->ring));
        /* The records that had wrapped to slots 0..wrap-1 go after the
         * old end, as many as fit; the rest move down to slot 0. */
        size_t wrap = s->head + s->used > old ? s->head + s->used - old : 0;
        size_t room = s->rcap - old, fit = wrap < room ? wrap : room;
        memcpy(s->ring + old, s->ring, fit * sizeof(*s->ring));
        if (wrap > fit)
            memmove(s->ring, s->ring + fit, (wrap - fit) * sizeof(*s->ring));
    } else {
        size_t w = 0;
        for (size_t k = 0; k < s->used; k++) {
            const struct sent *e = &s->ring[ring_at(s, k)];
            if (e->live && w++ != k)
                s->ring[ring_at(s, w - 1)] = *e;
        }
        s->used = w;
    }
    reindex(s);
}

static void emit_oneway(struct asc_fi *fi, struct asc_flow *f)
{
    f->flags |= ASC_FF_ONEWAY;
    fi_cnt(fi, ASC_FI_ONEWAY);
    fi_emit(fi, f);
}

/* Is a the originator of the pair (a, b)? Earlier start wins; on a tie the
 * side sending from the higher (ephemeral-looking) port. */
static bool is_orig(const struct asc_flow *a, const struct asc_flow *b)
{
    if (a->first != b->first)
        return a->first < b->first;
    if (a->key.proto == 1 || a->key.proto == 58)
        return a->key.orig_port == 8 || a->key.orig_port == 128;
    return a->key.orig_port >= a->key.resp_port;
}

static void merge_emit(struct asc_fi *fi, const struct asc_flow *a, const struct asc_flow *b)
{
    const struct asc_flow *o = is_orig(a, b) ? a : b, *r = o == a ? b : a;
    struct asc_flow m = *o;
    m.dir[1] = r->dir[0];
    m.first = ASC_MIN(o->first, r->first);
    m.last = ASC_MAX(o->last, r->last);
    if (r->sampling > m.sampling)
        m.sampling = r->sampling;
    m.sampled = o->sampled | r->sampled;
    m.flags = (uint8_t)((o->flags | r->flags) & ~ASC_FF_ONEWAY) | ASC_FF_STITCHED;
    fi_cnt(fi, ASC_FI_STITCHED);
    fi_emit(fi, &m);
}

static uint32_t take_slot(struct asc_fi *fi, struct fi_stitch *s)
{
    if (s->n >= s->cap && s->n) { /* full: the oldest leaves one-way */
        uint32_t old = (uint32_t)s->head;
        struct asc_flow f = s->ring[old].f;
        unlink_entry(s, old);
        fi_cnt(fi, ASC_FI_STITCH_EVICTED);
        emit_oneway(fi, &f);
    }
    if (s->used == s->rcap) /* no slot left: grow, or pack out the holes */
        ring_full(s);
    s->used++;
    return (uint32_t)ring_at(s, s->used - 1);
}

/* The waiting record that f completes: reversed key, overlapping time
 * (within the slack), the latest arrival of those; NIL if none. */
static uint32_t find_match(const struct asc_fi *fi, const struct fi_stitch *s, uint32_t h,
                           const struct asc_flow *f)
{
    size_t mask = s->nb - 1;
    uint32_t best = NIL;
    for (size_t p = h & mask; s->index[p].idx != NIL; p = (p + 1) & mask) {
        if (s->index[p].hash != h)
            continue;
        uint32_t i = s->index[p].idx;
        const struct sent *e = &s->ring[i];
        if (!reversed(&e->f.key, &f->key) || f->first > e->f.last + fi->cf.stitch_slack ||
            e->f.first > f->last + fi->cf.stitch_slack)
            continue;
        if (best == NIL || e->seq > s->ring[best].seq)
            best = i;
    }
    return best;
}

void fi_stitch_prefetch(struct asc_fi *fi, uint32_t h)
{
    const struct fi_stitch *s = fi->stitch;
    if (s && s->index)
        __builtin_prefetch(&s->index[h & (s->nb - 1)]);
}

void fi_stitch_put(struct asc_fi *fi, struct asc_flow *f, uint32_t h)
{
    struct fi_stitch *s = fi->stitch;
    if (!s->index) { /* made on the first record: captures of packets never need it */
        s->index = asc_table_alloc(s->nb, sizeof(*s->index));
        memset(s->index, 0xff, s->nb * sizeof(*s->index));
    }
    uint32_t m = find_match(fi, s, h, f);
    if (m != NIL) {
        struct asc_flow held = s->ring[m].f;
        unlink_entry(s, m);
        merge_emit(fi, &held, f);
        return;
    }
    uint32_t i = take_slot(fi, s);
    struct sent *e = &s->ring[i];
    e->arrival = fi->now;
    e->seq = s->seq++;
    e->hash = h;
    e->live = true;
    e->f = *f;
    index_put(s, h, i);
    s->n++;
}

/* Start loading the k-th ring slot in use (the whole entry). */
static void prefetch_slot(const struct fi_stitch *s, size_t k)
{
    if (k < s->used) {
        const char *e = (const char *)&s->ring[ring_at(s, k)];
        for (size_t o = 0; o < sizeof(struct sent); o += 64)
            __builtin_prefetch(e + o);
    }
}

/* Records leave from the head, in arrival order. The ring entries are read
 * ahead of need, and the index slot of a record a few places behind them:
 * both would otherwise be a cache miss per record. */
void fi_stitch_expire(struct asc_fi *fi, asc_time now, bool all)
{
    struct fi_stitch *s = fi->stitch;
    while (s->n) {
        struct sent *e = &s->ring[s->head];
        if (!all && now - e->arrival <= fi->cf.stitch_window) {
            for (size_t k = 1; k < 2 * PREFETCH_AHEAD; k++) /* for the next call */
                prefetch_slot(s, k);
            break;
        }
        prefetch_slot(s, 2 * PREFETCH_AHEAD);
        if (s->used > PREFETCH_AHEAD) {
            const struct sent *ahead = &s->ring[ring_at(s, PREFETCH_AHEAD)];
            __builtin_prefetch(&s->index[ahead->hash & (s->nb - 1)]);
        }
        struct asc_flow f = e->f;
        unlink_entry(s, (uint32_t)s->head);
        emit_oneway(fi, &f);
    }
}
