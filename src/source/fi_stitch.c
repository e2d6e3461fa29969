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
 * Waiting records sit in slots of a slab; a slot a record leaves is the
 * next one taken (a free list, last in first out), so the usual request
 * that waits for the very next record's reply stays in cache; a slot is
 * three whole cache lines. Their arrival order is a ring of small
 * (arrival, slot, hash) entries: a new record goes at
 * the tail, expiry and eviction read from the head, in sequence; a record
 * that leaves on a match leaves a hole there until the head passes it.
 * When the ring is full of records and holes it is copied without the
 * holes, into a larger one up to 5/4 of the cap. An open-addressing index
 * of (hash, slot) pairs finds the candidates for a key while reading a
 * cache line or two, and touches a slot only when its hash matches. It is
 * sized to the records waiting (at most a quarter full, half at the cap),
 * not to the cap, so that a few thousand waiting records keep it in cache.
 * When several waiting records match, the latest arrival wins.
 */
#include <stdlib.h>
#include <string.h>

#include "source/fi_internal.h"

#define NIL UINT32_MAX
#define PREFETCH_AHEAD 6 /* expiry: index slots read this many records ahead */

/* A waiting record, in its slab slot: three cache lines, on their lines.
 * Its f.seq is its arrival number (the latest match wins) until it leaves,
 * when fi_emit numbers it; its hash is in its ring entry. */
struct sent {
    _Alignas(64) uint32_t pos; /* its ring entry; while the slot is free, the next free slot */
    struct asc_flow f;         /* (whole lines: a larger asc_flow pads the slot) */
};

/* Arrival order: slot NIL is a hole left by a match. The record's hash
 * is kept here (in what would be padding), not in its slot, so that
 * expiry finds the index slot to load ahead without reading the record. */
struct oent {
    asc_time arrival;
    uint32_t slot, hash;
};

struct islot {
    uint32_t hash, idx; /* idx: slab slot, NIL: empty */
};

struct fi_stitch {
    struct sent *slab;    /* scap slots, from the first cache line of slab_mem */
    void *slab_mem;       /* as allocated (realloc: large blocks grow in place or by remapping) */
    size_t scap, snext;   /* slots allocated (at most cap), and handed out */
    uint32_t free_head;   /* free slots, chained through pos */
    size_t cap;           /* live records at most */
    struct oent *ring;
    size_t rcap, rmax;    /* ring entries now, and at most */
    size_t head, used, n; /* first entry, entries in use (live + holes), live */
    struct islot *index;
    size_t nb;     /* index slots now, a power of two */
    size_t nb_max; /* and at most: >= 2 cap */
    uint64_t seq;
};

struct fi_stitch *fi_stitch_new(size_t cap)
{
    struct fi_stitch *s = asc_xcalloc(1, sizeof(*s));
    s->cap = cap > (NIL - 1) / 2 ? (NIL - 1) / 2 : cap;
    s->nb_max = 64; /* the index holds live records only: at most cap */
    while (s->nb_max < 2 * s->cap && s->nb_max < (1u << 25))
        s->nb_max <<= 1;
    if (s->cap > s->nb_max / 2)
        s->cap = s->nb_max / 2;
    s->nb = s->nb_max < 1024 ? s->nb_max : 1024;
    s->rmax = s->cap + s->cap / 4 + 1;
    s->free_head = NIL;
    return s;
}

void fi_stitch_free(struct fi_stitch *s)
{
    if (!s)
        return;
    free(s->slab_mem);
    free(s->ring);
    asc_table_free(s->index, s->nb, sizeof(*s->index));
    free(s);
}

size_t fi_stitch_mem(const struct fi_stitch *s)
{
    return sizeof(*s) + s->scap * sizeof(*s->slab) + s->rcap * sizeof(*s->ring) +
           (s->index ? s->nb * sizeof(*s->index) : 0);
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

/* Ring index of the k-th entry in use. */
static size_t ring_at(const struct fi_stitch *s, size_t k)
{
    size_t i = s->head + k;
    return i >= s->rcap ? i - s->rcap : i;
}

/* Take slot i (hash h, ring entry pos) out: out of the index, a hole in
 * the ring (holes at the head are dropped), the slot free. Its record
 * stays readable until the next slot is taken. */
static void unlink_at(struct fi_stitch *s, uint32_t i, uint32_t h, uint32_t pos)
{
    index_del(s, h, i);
    s->ring[pos].slot = NIL;
    s->slab[i].pos = s->free_head;
    s->free_head = i;
    s->n--;
    while (s->used && s->ring[s->head].slot == NIL) {
        s->head = s->head + 1 == s->rcap ? 0 : s->head + 1;
        s->used--;
    }
}

/* Take slot i out (a record matched). */
static void unlink_entry(struct fi_stitch *s, uint32_t i)
{
    uint32_t pos = s->slab[i].pos;
    unlink_at(s, i, s->ring[pos].hash, pos);
}

/* A free slot (n < cap: there is one within cap slots). */
static uint32_t slab_get(struct fi_stitch *s)
{
    uint32_t i = s->free_head;
    if (i != NIL) {
        s->free_head = s->slab[i].pos;
        return i;
    }
    if (s->snext == s->scap) { /* grow, keeping the slots on cache lines */
        size_t ns = s->scap ? 2 * s->scap : 1024;
        ns = ns < s->cap ? ns : s->cap;
        size_t off = s->slab_mem ? (size_t)((char *)s->slab - (char *)s->slab_mem) : 0;
        char *m = asc_xrealloc(s->slab_mem, ns * sizeof(*s->slab) + 63, 1);
        size_t noff = (size_t)(-(uintptr_t)m & 63);
        if (noff != off && s->snext) /* the block moved to another offset from a line */
            memmove(m + noff, m + off, s->snext * sizeof(*s->slab));
        s->slab_mem = m;
        s->slab = (struct sent *)(void *)(m + noff);
        s->scap = ns;
    }
    return (uint32_t)s->snext++;
}

/* Index every waiting record again (the index grew). */
static void reindex(struct fi_stitch *s)
{
    memset(s->index, 0xff, s->nb * sizeof(*s->index));
    for (size_t k = 0; k < s->used; k++) {
        const struct oent *o = &s->ring[ring_at(s, k)];
        if (o->slot != NIL)
            index_put(s, o->hash, o->slot);
    }
}

/* The ring is full of records and holes: copy the records, in order and
 * without the holes, to a new ring twice as large (up to rmax; at rmax the
 * same size, which has room since n <= cap < rmax). */
static void ring_full(struct fi_stitch *s)
{
    size_t nr = s->rcap ? 2 * s->rcap : 1024;
    if (nr > s->rmax)
        nr = s->rmax;
    struct oent *r = asc_xcalloc(nr, sizeof(*r));
    size_t w = 0;
    for (size_t k = 0; k < s->used; k++) {
        struct oent o = s->ring[ring_at(s, k)];
        if (o.slot == NIL)
            continue;
        s->slab[o.slot].pos = (uint32_t)w;
        r[w++] = o;
    }
    free(s->ring);
    s->ring = r;
    s->rcap = nr;
    s->head = 0;
    s->used = w;
}

/* Double the index while n + 1 records would fill more than a quarter of
 * it (the cap's index, nb_max, is at most half full). */
static void index_fit(struct fi_stitch *s)
{
    size_t nb = s->nb;
    while (nb < s->nb_max && 4 * (s->n + 1) > nb)
        nb <<= 1;
    if (nb == s->nb)
        return;
    asc_table_free(s->index, s->nb, sizeof(*s->index));
    s->nb = nb;
    s->index = asc_table_alloc(nb, sizeof(*s->index));
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

/* A slot for a new record, its ring entry written; when cap records wait,
 * the oldest leaves one-way first. */
static uint32_t take_slot(struct asc_fi *fi, struct fi_stitch *s, uint32_t h)
{
    if (s->n >= s->cap && s->n) {
        const struct oent *o = &s->ring[s->head]; /* the head is never a hole */
        uint32_t old = o->slot;
        unlink_at(s, old, o->hash, (uint32_t)s->head);
        fi_cnt(fi, ASC_FI_STITCH_EVICTED);
        emit_oneway(fi, &s->slab[old].f);
    }
    if (s->used == s->rcap)
        ring_full(s);
    uint32_t i = slab_get(s);
    size_t pos = ring_at(s, s->used++);
    s->ring[pos] = (struct oent){fi->now, i, h};
    s->slab[i].pos = (uint32_t)pos;
    return i;
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
        const struct sent *e = &s->slab[i];
        if (!reversed(&e->f.key, &f->key) || f->first > e->f.last + fi->cf.stitch_slack ||
            e->f.first > f->last + fi->cf.stitch_slack)
            continue;
        if (best == NIL || e->f.seq > s->slab[best].f.seq)
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
        unlink_entry(s, m); /* its record stays readable: no slot is taken below */
        merge_emit(fi, &s->slab[m].f, f);
        return;
    }
    index_fit(s); /* before the new record is in the ring: reindex must not see it */
    uint32_t i = take_slot(fi, s, h);
    struct sent *e = &s->slab[i];
    e->f = *f;
    e->f.seq = s->seq++;
    index_put(s, h, i);
    s->n++;
}

/* Start loading the record of the k-th ring entry in use, unless a hole. */
static void prefetch_slot(const struct fi_stitch *s, size_t k)
{
    if (k >= s->used)
        return;
    uint32_t i = s->ring[ring_at(s, k)].slot;
    if (i == NIL)
        return;
    const char *e = (const char *)&s->slab[i];
    for (size_t o = 0; o < sizeof(struct sent); o += 64)
        __builtin_prefetch(e + o);
}

/* Records leave from the head, in arrival order. Their records are read
 * ahead of need, and the index slot of a record a few places behind them:
 * both would otherwise be a cache miss per record. */
void fi_stitch_expire(struct asc_fi *fi, asc_time now, bool all)
{
    struct fi_stitch *s = fi->stitch;
    while (s->n) {
        const struct oent *o = &s->ring[s->head];
        if (!all && now - o->arrival <= fi->cf.stitch_window) {
            for (size_t k = 1; k < 2 * PREFETCH_AHEAD; k++) /* for the next call */
                prefetch_slot(s, k);
            break;
        }
        prefetch_slot(s, 2 * PREFETCH_AHEAD);
        if (s->used > PREFETCH_AHEAD) {
            const struct oent *a = &s->ring[ring_at(s, PREFETCH_AHEAD)];
            if (a->slot != NIL)
                __builtin_prefetch(&s->index[a->hash & (s->nb - 1)]);
        }
        uint32_t i = o->slot; /* the ring has its hash and place: the record is read once, to emit */
        unlink_at(s, i, o->hash, (uint32_t)s->head);
        emit_oneway(fi, &s->slab[i].f);
    }
}
