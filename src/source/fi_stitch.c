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
 */
#include <stdlib.h>
#include <string.h>

#include "source/fi_internal.h"

#define NIL UINT32_MAX

struct sent {
    struct asc_flow f;
    asc_time arrival;
    uint32_t hnext, qprev, qnext;
    uint32_t hash;
};

struct fi_stitch {
    struct sent *pool;
    size_t cap, alloc, n;
    uint32_t free_head, qhead, qtail;
    uint32_t *buckets;
    size_t nb;
};

struct fi_stitch *fi_stitch_new(size_t cap)
{
    struct fi_stitch *s = asc_xcalloc(1, sizeof(*s));
    s->cap = cap > (NIL - 1) ? (NIL - 1) : cap;
    s->nb = 64;
    while (s->nb < s->cap && s->nb < (1u << 24))
        s->nb <<= 1;
    s->buckets = asc_xmalloc(s->nb * sizeof(*s->buckets));
    memset(s->buckets, 0xff, s->nb * sizeof(*s->buckets));
    s->free_head = s->qhead = s->qtail = NIL;
    return s;
}

void fi_stitch_free(struct fi_stitch *s)
{
    if (!s)
        return;
    free(s->pool);
    free(s->buckets);
    free(s);
}

size_t fi_stitch_mem(const struct fi_stitch *s)
{
    return sizeof(*s) + s->alloc * sizeof(*s->pool) + s->nb * sizeof(*s->buckets);
}

static uint64_t end_hash(const struct asc_addr *a, uint16_t port)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325) ^ a->family;
    for (int i = 0; i < 16; i += 4)
        h = (h ^ asc_load_be32(a->b + i)) * UINT64_C(0x100000001b3);
    h = (h ^ port) * UINT64_C(0x9e3779b97f4a7c15);
    return h ^ (h >> 29);
}

/* The same value for a key and its reverse. */
static uint32_t sym_hash(const struct asc_flow_key *k)
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
           !asc_addr_cmp(&a->orig, &b->resp) && !asc_addr_cmp(&a->resp, &b->orig);
}

static void unlink_entry(struct fi_stitch *s, uint32_t i)
{
    struct sent *e = &s->pool[i];
    uint32_t *pp = &s->buckets[e->hash & (s->nb - 1)];
    while (*pp != i)
        pp = &s->pool[*pp].hnext;
    *pp = e->hnext;
    if (e->qprev != NIL)
        s->pool[e->qprev].qnext = e->qnext;
    else
        s->qhead = e->qnext;
    if (e->qnext != NIL)
        s->pool[e->qnext].qprev = e->qprev;
    else
        s->qtail = e->qprev;
    e->hnext = s->free_head;
    s->free_head = i;
    s->n--;
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
    if (s->n >= s->cap && s->qhead != NIL) {   /* full: the oldest leaves one-way */
        uint32_t old = s->qhead;
        struct asc_flow f = s->pool[old].f;
        unlink_entry(s, old);
        fi_cnt(fi, ASC_FI_STITCH_EVICTED);
        emit_oneway(fi, &f);
    }
    if (s->free_head == NIL) {
        size_t na = s->alloc ? s->alloc * 2 : 1024;
        if (na > s->cap)
            na = s->cap;
        s->pool = asc_xrealloc(s->pool, na, sizeof(*s->pool));
        for (size_t i = na; i-- > s->alloc;) {
            s->pool[i].hnext = s->free_head;
            s->free_head = (uint32_t)i;
        }
        s->alloc = na;
    }
    uint32_t i = s->free_head;
    s->free_head = s->pool[i].hnext;
    return i;
}

void fi_stitch_put(struct asc_fi *fi, struct asc_flow *f)
{
    struct fi_stitch *s = fi->stitch;
    uint32_t h = sym_hash(&f->key);
    for (uint32_t i = s->buckets[h & (s->nb - 1)]; i != NIL; i = s->pool[i].hnext) {
        struct sent *e = &s->pool[i];
        if (e->hash != h || !reversed(&e->f.key, &f->key))
            continue;
        if (f->first > e->f.last + fi->cf.stitch_slack ||
            e->f.first > f->last + fi->cf.stitch_slack)
            continue;
        struct asc_flow held = e->f;
        unlink_entry(s, i);
        merge_emit(fi, &held, f);
        return;
    }
    uint32_t i = take_slot(fi, s);
    struct sent *e = &s->pool[i];
    e->f = *f;
    e->arrival = fi->now;
    e->hash = h;
    uint32_t *b = &s->buckets[h & (s->nb - 1)];
    e->hnext = *b;
    *b = i;
    e->qnext = NIL;
    e->qprev = s->qtail;
    if (s->qtail != NIL)
        s->pool[s->qtail].qnext = i;
    else
        s->qhead = i;
    s->qtail = i;
    s->n++;
}

void fi_stitch_expire(struct asc_fi *fi, asc_time now, bool all)
{
    struct fi_stitch *s = fi->stitch;
    while (s->qhead != NIL) {
        struct sent *e = &s->pool[s->qhead];
        if (!all && now - e->arrival <= fi->cf.stitch_window)
            break;
        struct asc_flow f = e->f;
        unlink_entry(s, s->qhead);
        emit_oneway(fi, &f);
    }
}
