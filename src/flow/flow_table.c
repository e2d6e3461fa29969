/*
 * flow_table.c - the bidirectional flow table (see flow_table.h).
 *
 * Layout: flows live in slab chunks (no malloc per packet) and are found
 * through an open-chained hash on a direction-free key. Expiry uses a
 * hashed timer wheel of one-second slots driven by data time. Timers are
 * lazy: a packet only updates `last`; when a flow's slot comes due its real
 * deadline is recomputed and the flow is emitted or re-armed. A transition
 * that shortens the deadline (TCP close) re-arms the timer at once.
 *
 * Invariants: every live flow is in exactly one hash chain and one wheel
 * slot; live <= cap; emission order depends on the input only.
 */
#include "flow/flow_table.h"

#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"

#define WHEEL_SLOTS 4096u        /* one second each; a power of two */
#define CHUNK_FLOWS 8192u
#define FRAG_SLOTS 4096u
#define FRAG_TTL (30 * ASC_NS_PER_SEC)
#define DST_SLOTS 65536u

struct frag_ent {
    struct asc_addr src, dst;
    uint32_t id;
    uint8_t proto;
    uint16_t sport, dport;
    bool used;
    bool has_inner;           /* a tunnelled layer rode in the first fragment */
    struct asc_flow_key inner;/* its key as seen on the wire */
    asc_time ts;
};

struct asc_flow_table {
    struct asc_flow_conf cf;
    asc_flow_emit_fn emit;
    void *ctx;
    struct fnode **buckets;
    size_t nbuckets;            /* power of two */
    struct fnode *wheel[WHEEL_SLOTS];
    int64_t wheel_sec;          /* every slot <= wheel_sec has been processed */
    bool wheel_started;
    asc_time now;
    struct fnode **chunks;
    size_t nchunks;
    struct fnode *free_list;
    struct asc_flow_stats st;
    uint64_t seq;
    struct frag_ent *frags;
    struct asc_dst_count *dst;
};

void asc_flow_conf_default(struct asc_flow_conf *cf)
{
    cf->max_flows = 1000000;
    cf->tcp_idle = 300 * ASC_NS_PER_SEC;
    cf->tcp_init_idle = 60 * ASC_NS_PER_SEC;
    cf->tcp_closed_idle = 5 * ASC_NS_PER_SEC;
    cf->udp_idle = 60 * ASC_NS_PER_SEC;
    cf->icmp_idle = 60 * ASC_NS_PER_SEC;
    cf->other_idle = 60 * ASC_NS_PER_SEC;
    cf->active = 1800 * ASC_NS_PER_SEC;
}

/* ---------------------------------------------------------------- memory */

static struct fnode *node_alloc(struct asc_flow_table *t)
{
    if (!t->free_list) {
        struct fnode *c = calloc(CHUNK_FLOWS, sizeof(*c));
        if (!c)
            return NULL;
        t->chunks = asc_xrealloc(t->chunks, t->nchunks + 1, sizeof(*t->chunks));
        t->chunks[t->nchunks++] = c;
        for (size_t i = CHUNK_FLOWS; i-- > 0;) {
            c[i].hnext = t->free_list;
            t->free_list = &c[i];
        }
        t->st.mem_bytes += CHUNK_FLOWS * sizeof(*c);
    }
    struct fnode *n = t->free_list;
    t->free_list = n->hnext;
    memset(n, 0, sizeof(*n));
    return n;
}

static void node_release(struct asc_flow_table *t, struct fnode *n)
{
    n->hnext = t->free_list;
    t->free_list = n;
}

struct asc_flow_table *asc_flow_table_new(const struct asc_flow_conf *cf, asc_flow_emit_fn emit,
                                          void *ctx)
{
    if (!cf || cf->max_flows < 16 || !emit)
        return NULL;
    struct asc_flow_table *t = asc_xcalloc(1, sizeof(*t));
    t->cf = *cf;
    t->emit = emit;
    t->ctx = ctx;
    t->nbuckets = 1024;
    while (t->nbuckets < cf->max_flows && t->nbuckets < (1u << 24))
        t->nbuckets <<= 1;
    t->buckets = asc_xcalloc(t->nbuckets, sizeof(*t->buckets));
    t->frags = asc_xcalloc(FRAG_SLOTS, sizeof(*t->frags));
    t->dst = asc_xcalloc(DST_SLOTS, sizeof(*t->dst));
    t->st.mem_bytes = sizeof(*t) + t->nbuckets * sizeof(*t->buckets) +
                      FRAG_SLOTS * sizeof(*t->frags) + DST_SLOTS * sizeof(*t->dst);
    return t;
}

void asc_flow_table_free(struct asc_flow_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nchunks; i++)
        free(t->chunks[i]);
    free(t->chunks);
    free(t->buckets);
    free(t->frags);
    free(t->dst);
    free(t);
}

/* ---------------------------------------------------------------- timers */

static asc_time idle_for(const struct asc_flow_table *t, const struct fnode *n)
{
    switch (n->f.key.proto) {
    case 6:
        if (n->ep[0] >= EP_CLOSED && n->ep[1] >= EP_CLOSED)
            return t->cf.tcp_closed_idle;
        if (n->ep[0] == EP_RESET || n->ep[1] == EP_RESET)
            return t->cf.tcp_closed_idle;
        if (n->f.dir[1].pkts == 0 || n->f.dir[0].pkts == 0)
            return t->cf.tcp_init_idle;
        return t->cf.tcp_idle;
    case 17:
        return t->cf.udp_idle;
    case 1:
    case 58:
        return t->cf.icmp_idle;
    default:
        return t->cf.other_idle;
    }
}

static asc_time deadline_of(const struct asc_flow_table *t, const struct fnode *n)
{
    asc_time d = n->f.last + idle_for(t, n);
    if (t->cf.active > 0 && n->f.first + t->cf.active < d)
        d = n->f.first + t->cf.active;
    return d;
}

static int64_t sec_ceil(asc_time ns)
{
    int64_t s = ns / ASC_NS_PER_SEC;
    if (ns % ASC_NS_PER_SEC > 0)
        s++;
    return s;
}

static void timer_link(struct asc_flow_table *t, struct fnode *n)
{
    int64_t s = sec_ceil(deadline_of(t, n));
    if (s <= t->wheel_sec)
        s = t->wheel_sec + 1;
    n->tsec = s;
    struct fnode **slot = &t->wheel[(uint64_t)s & (WHEEL_SLOTS - 1)];
    n->tprev = NULL;
    n->tnext = *slot;
    if (*slot)
        (*slot)->tprev = n;
    *slot = n;
}

static void timer_unlink(struct asc_flow_table *t, struct fnode *n)
{
    if (n->tprev)
        n->tprev->tnext = n->tnext;
    else
        t->wheel[(uint64_t)n->tsec & (WHEEL_SLOTS - 1)] = n->tnext;
    if (n->tnext)
        n->tnext->tprev = n->tprev;
    n->tprev = n->tnext = NULL;
}

/* ---------------------------------------------------------------- hashing */

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

static uint64_t addr_hash(const struct asc_addr *a)
{
    uint64_t w0, w1;
    memcpy(&w0, a->b, 8);
    memcpy(&w1, a->b + 8, 8);
    return mix64(w0 ^ mix64(w1 ^ a->family));
}

/* Direction-free: the same for (a,b) and (b,a). */
static uint64_t key_hash(const struct asc_flow_key *k)
{
    uint64_t ha = addr_hash(&k->orig) + k->orig_port;
    uint64_t hb = addr_hash(&k->resp) + k->resp_port;
    uint64_t lo = ha < hb ? ha : hb, hi = ha < hb ? hb : ha;
    return mix64(lo * 31 + hi) ^ mix64(((uint64_t)k->proto << 48) ^
                                       ((uint64_t)k->vlan << 32) ^ k->tun_id);
}

static bool key_same(const struct asc_flow_key *a, const struct asc_flow_key *b)
{
    return a->orig_port == b->orig_port && a->resp_port == b->resp_port &&
           a->proto == b->proto && a->vlan == b->vlan && a->tun_id == b->tun_id &&
           memcmp(&a->orig, &b->orig, sizeof(a->orig)) == 0 &&
           memcmp(&a->resp, &b->resp, sizeof(a->resp)) == 0;
}

static bool key_reversed(const struct asc_flow_key *a, const struct asc_flow_key *b)
{
    return a->orig_port == b->resp_port && a->resp_port == b->orig_port &&
           a->proto == b->proto && a->vlan == b->vlan && a->tun_id == b->tun_id &&
           memcmp(&a->orig, &b->resp, sizeof(a->orig)) == 0 &&
           memcmp(&a->resp, &b->orig, sizeof(a->resp)) == 0;
}

/* Find the flow for key k (as seen on the wire); *dir is 0 if k's sender is
 * the flow's originator, 1 otherwise. */
static struct fnode *lookup(struct asc_flow_table *t, const struct asc_flow_key *k, uint64_t h,
                            int *dir)
{
    for (struct fnode *n = t->buckets[h & (t->nbuckets - 1)]; n; n = n->hnext) {
        if (n->hash != h)
            continue;
        if (key_same(&n->f.key, k)) {
            *dir = 0;
            return n;
        }
        if (key_reversed(&n->f.key, k)) {
            *dir = 1;
            return n;
        }
    }
    return NULL;
}

static void hash_unlink(struct asc_flow_table *t, struct fnode *n)
{
    struct fnode **pp = &t->buckets[n->hash & (t->nbuckets - 1)];
    while (*pp && *pp != n)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = n->hnext;
}

/* ---------------------------------------------------------------- emit */

static void emit_node(struct asc_flow_table *t, struct fnode *n, enum asc_flow_end why)
{
    flow_finalize(n, why);
    t->emit(t->ctx, &n->f);
    t->st.emitted++;
}

/* Remove a flow from the table, emitting it. */
static void retire(struct asc_flow_table *t, struct fnode *n, enum asc_flow_end why)
{
    timer_unlink(t, n);
    hash_unlink(t, n);
    emit_node(t, n, why);
    t->st.live--;
    node_release(t, n);
}

static void process_slot(struct asc_flow_table *t, int64_t sec, asc_time now)
{
    struct fnode **slot = &t->wheel[(uint64_t)sec & (WHEEL_SLOTS - 1)];
    struct fnode *list = *slot;
    *slot = NULL;
    /* Re-arming may put flows back into this very slot (a later round),
     * so walk a detached list. */
    while (list) {
        struct fnode *n = list;
        list = n->tnext;
        if (list)
            list->tprev = NULL;
        n->tprev = n->tnext = NULL;
        asc_time d = deadline_of(t, n);
        if (d <= now) {
            hash_unlink(t, n);
            bool active = t->cf.active > 0 && n->f.first + t->cf.active <= now &&
                          n->f.last + idle_for(t, n) > now;
            emit_node(t, n, active ? ASC_END_ACTIVE : ASC_END_IDLE);
            t->st.live--;
            node_release(t, n);
        } else {
            timer_link(t, n);
        }
    }
}

void asc_flow_table_advance(struct asc_flow_table *t, asc_time now)
{
    if (now < t->now)
        return;
    t->now = now;
    int64_t sec = now / ASC_NS_PER_SEC;
    if (!t->wheel_started) {
        t->wheel_sec = sec;
        t->wheel_started = true;
        return;
    }
    if (sec - t->wheel_sec > (int64_t)WHEEL_SLOTS) {
        /* A long gap: one pass over every slot, then jump. */
        int64_t base = t->wheel_sec;
        t->wheel_sec = sec;
        for (int64_t s = base + 1; s <= base + (int64_t)WHEEL_SLOTS; s++)
            process_slot(t, s, now);
        return;
    }
    while (t->wheel_sec < sec) {
        t->wheel_sec++;
        process_slot(t, t->wheel_sec, now);
    }
}

/* Evict the flow whose timer is nearest. */
static void evict_one(struct asc_flow_table *t)
{
    for (uint32_t i = 1; i <= WHEEL_SLOTS; i++) {
        struct fnode *n = t->wheel[(uint64_t)(t->wheel_sec + i) & (WHEEL_SLOTS - 1)];
        if (!n)
            continue;
        struct asc_dst_count *d = flow_dst_slot(t->dst, DST_SLOTS, &n->f.key.resp);
        if (d) {
            d->evicted_flows++;
            d->evicted_pkts += n->f.dir[0].pkts + n->f.dir[1].pkts;
            d->evicted_bytes += n->f.dir[0].ip_bytes + n->f.dir[1].ip_bytes;
        }
        t->st.evicted++;
        retire(t, n, ASC_END_EVICTED);
        return;
    }
}

static struct fnode *create(struct asc_flow_table *t, const struct asc_flow_key *k, uint64_t h)
{
    if (t->st.live >= t->cf.max_flows)
        evict_one(t);
    struct fnode *n = node_alloc(t);
    if (!n)
        return NULL;
    n->f.key = *k;
    n->hash = h;
    n->f.seq = t->seq++;
    n->f.sampling = 1;
    n->hnext = t->buckets[h & (t->nbuckets - 1)];
    t->buckets[h & (t->nbuckets - 1)] = n;
    t->st.created++;
    if (++t->st.live > t->st.peak_live)
        t->st.peak_live = t->st.live;
    struct asc_dst_count *d = flow_dst_slot(t->dst, DST_SLOTS, &k->resp);
    if (d)
        d->flows++;
    return n;
}

/* ---------------------------------------------------------------- fragments */

static struct frag_ent *frag_slot(struct asc_flow_table *t, const struct asc_ipl *l)
{
    uint64_t h = addr_hash(&l->src) ^ (addr_hash(&l->dst) * 3) ^ mix64(l->frag_id ^
                                                                          ((uint64_t)l->proto << 32));
    return &t->frags[h & (FRAG_SLOTS - 1)];
}

static bool frag_match(const struct frag_ent *e, const struct asc_ipl *l, asc_time now)
{
    return e->used && now - e->ts <= FRAG_TTL && e->id == l->frag_id && e->proto == l->proto &&
           asc_addr_cmp(&e->src, &l->src) == 0 && asc_addr_cmp(&e->dst, &l->dst) == 0;
}

/* ---------------------------------------------------------------- packets */

static void key_from_layer(const struct asc_pkt *p, const struct asc_ipl *l,
                           struct asc_flow_key *k)
{
    memset(k, 0, sizeof(*k));
    k->orig = l->src;
    k->resp = l->dst;
    k->proto = l->proto;
    k->orig_port = l->sport;
    k->resp_port = l->dport;
    k->vlan = p->n_vlan ? p->vlan[p->n_vlan - 1] : 0;
    k->tun_id = l->tun_id;
    if ((l->proto == 1 || l->proto == 58) && l->l4_ok) {
        bool one_way;
        asc_icmp_ports(l->proto == 58, l->icmp_type, l->icmp_code, &k->orig_port,
                       &k->resp_port, &one_way);
    }
}

/* Later fragments of a tunnel's outer datagram carry the rest of the inner
 * packet: count their frames and wire bytes on the inner flow too. */
static void frag_inner_frames(struct asc_flow_table *t, const struct frag_ent *e,
                              const struct asc_pkt *p)
{
    if (!e->has_inner)
        return;
    int dir = 0;
    struct fnode *n = lookup(t, &e->inner, key_hash(&e->inner), &dir);
    if (n) {
        n->f.dir[dir].frames++;
        n->f.dir[dir].wire_bytes += p->wirelen;
    }
}

static const struct asc_flow *account_layer(struct asc_flow_table *t, const struct asc_pkt *p,
                                            const struct asc_ipl *l, const struct asc_ipl *inner,
                                            asc_time ts)
{
    struct asc_flow_key k;
    key_from_layer(p, l, &k);
    bool later = l->frag == ASC_FRAG_LATER;
    if (later) {
        struct frag_ent *e = frag_slot(t, l);
        if (frag_match(e, l, ts)) {
            k.orig_port = e->sport;
            k.resp_port = e->dport;
            t->st.frag_later++;
            frag_inner_frames(t, e, p);
        } else {
            t->st.frag_orphan++;
            later = false;     /* account as a datagram of its own */
        }
    } else if (l->frag == ASC_FRAG_FIRST) {
        struct frag_ent *e = frag_slot(t, l);
        e->src = l->src;
        e->dst = l->dst;
        e->id = l->frag_id;
        e->proto = l->proto;
        e->sport = k.orig_port;
        e->dport = k.resp_port;
        e->has_inner = inner != NULL;
        if (inner)
            key_from_layer(p, inner, &e->inner);
        e->ts = ts;
        e->used = true;
    }
    uint64_t h = key_hash(&k);
    int dir = 0;
    struct fnode *n = lookup(t, &k, h, &dir);
    if (n && ts >= deadline_of(t, n)) {
        retire(t, n, ASC_END_IDLE);
        n = NULL;
    }
    if (n && !later && flow_is_reuse(n, l)) {
        t->st.reused++;
        retire(t, n, ASC_END_REUSE);
        n = NULL;
    }
    bool fresh = false;
    if (!n) {
        n = create(t, &k, h);
        if (!n)
            return NULL;
        fresh = true;
        dir = 0;
        n->f.first = ts;
        n->f.tun = l->tun;
        flow_init_direction(n, l);
        dir = (n->f.flags & ASC_FF_FLIPPED) ? 1 : 0;
    }
    int before = idle_class(n);
    flow_update(n, p, l, dir, later, ts);
    if (fresh)
        timer_link(t, n);
    else if (idle_class(n) != before) {
        timer_unlink(t, n);
        timer_link(t, n);
    }
    t->st.layers++;
    return &n->f;
}

const struct asc_flow *asc_flow_table_pkt(struct asc_flow_table *t, const struct asc_pkt *p)
{
    asc_time ts = p->ts < t->now ? t->now : p->ts;
    const struct asc_flow *f = NULL;
    asc_flow_table_advance(t, ts);
    for (unsigned i = 0; i < p->n_ipl && i < ASC_MAX_IPL; i++)
        f = account_layer(t, p, &p->ipl[i], i + 1 < p->n_ipl ? &p->ipl[i + 1] : NULL, ts);
    return f;
}

static int cmp_seq(const void *a, const void *b)
{
    const struct fnode *x = *(const struct fnode *const *)a;
    const struct fnode *y = *(const struct fnode *const *)b;
    return x->f.seq < y->f.seq ? -1 : x->f.seq > y->f.seq;
}

void asc_flow_table_flush(struct asc_flow_table *t)
{
    size_t n = t->st.live, k = 0;
    struct fnode **all = asc_xcalloc(n ? n : 1, sizeof(*all));
    for (size_t b = 0; b < t->nbuckets; b++)
        for (struct fnode *x = t->buckets[b]; x; x = x->hnext)
            if (k < n)
                all[k++] = x;
    qsort(all, k, sizeof(*all), cmp_seq);
    for (size_t i = 0; i < k; i++)
        retire(t, all[i], ASC_END_EOF);
    free(all);
}

void asc_flow_table_stats(const struct asc_flow_table *t, struct asc_flow_stats *out)
{
    *out = t->st;
}

size_t asc_flow_table_top_dst(const struct asc_flow_table *t, struct asc_dst_count *out, size_t n)
{
    return flow_dst_top(t->dst, DST_SLOTS, out, n);
}
