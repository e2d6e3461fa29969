/*
 * flow_table.c - the bidirectional flow table (see flow_table.h).
 *
 * Layout: flows live in compact nodes (flow_internal.h) in 2 MiB slab
 * chunks, asked for as transparent huge pages so that a lookup does not
 * also miss the TLB; no malloc per packet. Nodes are named by 32-bit
 * indexes (chunk << IDX_SHIFT | slot; index 0 is reserved as "none"). They
 * are found through an open-chained hash on a direction-free key, whose
 * bucket array of indexes grows with the live flows (load <= 1) up to the
 * size the cap calls for. Expiry uses a hashed timer wheel of one-second
 * slots driven by data time. Timers are lazy: a packet only updates `last`;
 * when a flow's slot comes due its real deadline is recomputed and the flow
 * is emitted or re-armed. A transition that shortens the deadline (TCP
 * close) re-arms the timer at once.
 *
 * Batches of packets are hinted first (asc_flow_table_hint: key hashes,
 * bucket and node prefetches), so that their cache misses overlap; hints
 * never change the table.
 *
 * Invariants: every live flow is in exactly one hash chain and one wheel
 * slot; live <= cap; emission order depends on the input only (never on
 * bucket counts or node addresses).
 */
#include "flow/flow_table.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "flow/flow_internal.h"

_Static_assert(sizeof(struct fnode) == 152, "flow node layout: see flow_internal.h");

#define WHEEL_SLOTS 4096u        /* one second each; a power of two */
#define CHUNK_BYTES (2u << 20)   /* one huge page */
#define CHUNK_FLOWS ((uint32_t)(CHUNK_BYTES / sizeof(struct fnode)))
#define IDX_SHIFT 14             /* CHUNK_FLOWS < 1 << IDX_SHIFT */
#define MAX_CHUNKS (1u << (32 - IDX_SHIFT))
#define MIN_BUCKETS 1024u
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
    uint32_t *buckets;          /* chain heads (node indexes) */
    size_t nbuckets;            /* power of two, grows up to max_buckets */
    size_t max_buckets;
    uint32_t wheel[WHEEL_SLOTS];
    int64_t wheel_sec;          /* every slot <= wheel_sec has been processed */
    asc_time next_sec;          /* start of second wheel_sec + 1: no wheel work before it */
    bool wheel_started;
    asc_time now;
    struct fnode **chunks;
    size_t nchunks;
    uint32_t free_list;
    struct flow_spill *spill;
    struct asc_flow_stats st;
    uint64_t seq;
    struct frag_ent *frags;
    struct asc_dst_count *dst;
    asc_time min_idle;          /* the shortest idle timeout of any kind */
    uint32_t *due;              /* process_slot's scratch: the flows of a slot */
    size_t due_cap;
    bool want_current;          /* asc_flow_table_pkt returns the packet's flow */
    struct asc_flow cur;        /* that flow, rebuilt from its node */
    uint32_t cur_node;          /* its node until the next packet, 0 = none */
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

static inline struct fnode *N(const struct asc_flow_table *t, uint32_t i)
{
    return &t->chunks[i >> IDX_SHIFT][i & ((1u << IDX_SHIFT) - 1)];
}

/* Prefetch every cache line of node i (nodes are not line-aligned, so the
 * last byte too). */
static inline void node_prefetch(const struct asc_flow_table *t, uint32_t i)
{
    const char *n = (const char *)N(t, i);
    for (size_t off = 0; off < sizeof(struct fnode); off += 64)
        __builtin_prefetch(n + off, 1);
    __builtin_prefetch(n + sizeof(struct fnode) - 1, 1);
}

/* Load a byte of every cache line of node n. Where many nodes are wanted
 * at once, loads work where prefetches do not: a burst of prefetches
 * beyond the core's outstanding-miss slots is dropped (measured: the batch
 * hint with prefetches left lookup() waiting on most nodes), while loads
 * wait for a slot. Kept to a few instructions per node so that a whole
 * batch's loads fit in the reorder window and their misses overlap. */
static inline uint32_t node_touch(const struct fnode *n)
{
    const volatile uint8_t *c = (const volatile uint8_t *)n;
    uint32_t acc = c[sizeof(struct fnode) - 1];
    for (size_t off = 0; off < sizeof(struct fnode); off += 64)
        acc += c[off];
    return acc;
}

/* A zeroed, huge-page-aligned chunk (the kernel may back it with one huge
 * page: one TLB entry for 13k flows). */
static struct fnode *chunk_map(void)
{
    size_t len = 2 * (size_t)CHUNK_BYTES;
    uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uintptr_t at = ((uintptr_t)p + CHUNK_BYTES - 1) & ~(uintptr_t)(CHUNK_BYTES - 1);
    uint8_t *a = (uint8_t *)at;
    if (a > p)
        munmap(p, (size_t)(a - p));
    if (a + CHUNK_BYTES < p + len)
        munmap(a + CHUNK_BYTES, (size_t)(p + len - (a + CHUNK_BYTES)));
#ifdef MADV_HUGEPAGE
    madvise(a, CHUNK_BYTES, MADV_HUGEPAGE);
#endif
    return (struct fnode *)a;
}

static uint32_t node_alloc(struct asc_flow_table *t)
{
    if (!t->free_list) {
        if (t->nchunks >= MAX_CHUNKS)
            return 0;
        struct fnode *c = chunk_map();
        if (!c)
            return 0;
        t->chunks = asc_xrealloc(t->chunks, t->nchunks + 1, sizeof(*t->chunks));
        uint32_t base = (uint32_t)t->nchunks << IDX_SHIFT;
        t->chunks[t->nchunks++] = c;
        /* Index 0 (chunk 0, slot 0) means "none" and is never handed out. */
        for (uint32_t i = CHUNK_FLOWS; i-- > (base ? 0u : 1u);) {
            c[i].hnext = t->free_list;
            t->free_list = base | i;
        }
        t->st.mem_bytes += CHUNK_BYTES;
    }
    uint32_t i = t->free_list;
    struct fnode *n = N(t, i);
    t->free_list = n->hnext;
    asc_zero(n, sizeof(*n));
    return i;
}

static void node_release(struct asc_flow_table *t, uint32_t i)
{
    struct fnode *n = N(t, i);
    flow_spill_drop(t->spill, n);
    n->hnext = t->free_list;
    t->free_list = i;
}

struct asc_flow_table *asc_flow_table_new(const struct asc_flow_conf *cf, asc_flow_emit_fn emit,
                                          void *ctx)
{
    if (!cf || cf->max_flows < 16 || !emit)
        return NULL;
    struct asc_flow_table *t = asc_xcalloc(1, sizeof(*t));
    t->cf = *cf;
    t->min_idle = cf->tcp_idle;
    const asc_time idles[] = {cf->tcp_init_idle, cf->tcp_closed_idle, cf->udp_idle, cf->icmp_idle,
                              cf->other_idle};
    for (size_t k = 0; k < ASC_ARRAY_LEN(idles); k++)
        t->min_idle = ASC_MIN(t->min_idle, idles[k]);
    t->emit = emit;
    t->ctx = ctx;
    t->cur.src_kind = ASC_SRC_PCAP;
    t->cur.sampling = 1;
    t->max_buckets = MIN_BUCKETS;
    while (t->max_buckets < cf->max_flows && t->max_buckets < (1u << 24))
        t->max_buckets <<= 1;
    t->nbuckets = MIN_BUCKETS;
    t->buckets = asc_xcalloc(t->nbuckets, sizeof(*t->buckets));
    t->frags = asc_xcalloc(FRAG_SLOTS, sizeof(*t->frags));
    t->dst = asc_xcalloc(DST_SLOTS, sizeof(*t->dst));
    t->spill = flow_spill_new();
    t->st.mem_bytes = sizeof(*t) + t->nbuckets * sizeof(*t->buckets) +
                      FRAG_SLOTS * sizeof(*t->frags) + DST_SLOTS * sizeof(*t->dst);
    return t;
}

void asc_flow_table_free(struct asc_flow_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nchunks; i++)
        munmap(t->chunks[i], CHUNK_BYTES);
    free(t->chunks);
    free(t->due);
    free(t->buckets);
    free(t->frags);
    free(t->dst);
    flow_spill_free(t->spill);
    free(t);
}

/* ---------------------------------------------------------------- timers */

static asc_time idle_for(const struct asc_flow_table *t, const struct fnode *n)
{
    switch (n->key.proto) {
    case 6:
        if (n->dir[0].ep >= EP_CLOSED && n->dir[1].ep >= EP_CLOSED)
            return t->cf.tcp_closed_idle;
        if (n->dir[0].ep == EP_RESET || n->dir[1].ep == EP_RESET)
            return t->cf.tcp_closed_idle;
        if (n->dir[1].pkts == 0 || n->dir[0].pkts == 0)
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
    asc_time d = n->last + idle_for(t, n);
    if (t->cf.active > 0 && n->first + t->cf.active < d)
        d = n->first + t->cf.active;
    return d;
}

/* ts is past n's deadline. Most packets come well within the shortest
 * idle timeout of the last one and before the active timeout: that test
 * first, the per-state deadline only when it fails. */
static bool expired_at(const struct asc_flow_table *t, const struct fnode *n, asc_time ts)
{
    if (ts - n->last < t->min_idle && (t->cf.active <= 0 || ts < n->first + t->cf.active))
        return false;
    return ts >= deadline_of(t, n);
}

static int64_t sec_ceil(asc_time ns)
{
    int64_t s = ns / ASC_NS_PER_SEC;
    if (ns % ASC_NS_PER_SEC > 0)
        s++;
    return s;
}

static void timer_link(struct asc_flow_table *t, uint32_t i)
{
    struct fnode *n = N(t, i);
    int64_t s = sec_ceil(deadline_of(t, n));
    if (s <= t->wheel_sec)
        s = t->wheel_sec + 1;
    n->slot = (uint16_t)((uint64_t)s & (WHEEL_SLOTS - 1));
    uint32_t *slot = &t->wheel[n->slot];
    n->tprev = 0;
    n->tnext = *slot;
    if (*slot)
        N(t, *slot)->tprev = i;
    *slot = i;
}

static void timer_unlink(struct asc_flow_table *t, uint32_t i)
{
    struct fnode *n = N(t, i);
    if (n->tprev)
        N(t, n->tprev)->tnext = n->tnext;
    else
        t->wheel[n->slot] = n->tnext;
    if (n->tnext)
        N(t, n->tnext)->tprev = n->tprev;
    n->tprev = n->tnext = 0;
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

/* One endpoint (address, port) of a key: the address folded to 64 bits
 * with the family and port beside it (an IPv4 address is exact), then one
 * xorshift-multiply-xorshift round, so that the sum in key_hash is not
 * linear in the ports. */
static inline uint64_t ep_hash(const struct asc_addr *a, uint16_t port)
{
    uint64_t w0, w1;
    memcpy(&w0, a->b, 8);
    memcpy(&w1, a->b + 8, 8);
    uint64_t x = w0 ^ (w1 << 32 | w1 >> 32) ^ ((uint64_t)port << 40) ^ ((uint64_t)a->family << 56);
    x ^= x >> 31;
    x *= UINT64_C(0x9e3779b97f4a7c15);
    x ^= x >> 29;
    return x;
}

/* Direction-free: the same for (a,b) and (b,a). The key's parts may come
 * from different places (key_hash, asc_flow_table_hint). */
static inline uint64_t key_hash_of(const struct asc_addr *a, uint16_t pa,
                                   const struct asc_addr *b, uint16_t pb,
                                   const struct asc_flow_key *k)
{
    uint64_t h = ep_hash(a, pa) + ep_hash(b, pb);
    return mix64(h ^ ((uint64_t)k->proto << 48 | (uint64_t)k->vlan << 32 | k->tun_id) *
                         UINT64_C(0xc2b2ae3d27d4eb4f));
}

static uint64_t key_hash(const struct asc_flow_key *k)
{
    return key_hash_of(&k->orig, k->orig_port, &k->resp, k->resp_port, k);
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
 * the flow's originator, 1 otherwise. Returns a node index, 0 if none. A
 * flow found behind others in its chain moves to the front: its next
 * packets then find it at the node the batch hint prefetched. */
static uint32_t lookup(struct asc_flow_table *t, const struct asc_flow_key *k, uint64_t h,
                       int *dir)
{
    uint32_t *head = &t->buckets[h & (t->nbuckets - 1)];
    struct fnode *prev = NULL;
    for (uint32_t i = *head; i;) {
        struct fnode *n = N(t, i);
        if (n->hash == (uint32_t)h) {
            int d = key_same(&n->key, k) ? 0 : key_reversed(&n->key, k) ? 1 : -1;
            if (d >= 0) {
                *dir = d;
                if (prev) {
                    prev->hnext = n->hnext;
                    n->hnext = *head;
                    *head = i;
                }
                return i;
            }
        }
        prev = n;
        i = n->hnext;
    }
    return 0;
}

static void hash_unlink(struct asc_flow_table *t, uint32_t i)
{
    struct fnode *n = N(t, i);
    uint32_t *pp = &t->buckets[n->hash & (t->nbuckets - 1)];
    while (*pp && *pp != i)
        pp = &N(t, *pp)->hnext;
    if (*pp)
        *pp = n->hnext;
}

/* Double the bucket array (up to max_buckets) once live flows outnumber it. */
static void hash_grow(struct asc_flow_table *t)
{
    size_t nb = t->nbuckets * 2;
    uint32_t *b = asc_xcalloc(nb, sizeof(*b));
    for (size_t k = 0; k < t->nbuckets; k++) {
        for (uint32_t i = t->buckets[k], next; i; i = next) {
            struct fnode *n = N(t, i);
            next = n->hnext;
            n->hnext = b[n->hash & (nb - 1)];
            b[n->hash & (nb - 1)] = i;
        }
    }
    free(t->buckets);
    t->st.mem_bytes += (nb - t->nbuckets) * sizeof(*b);
    t->buckets = b;
    t->nbuckets = nb;
}

/* ---------------------------------------------------------------- emit */

static void emit_node(struct asc_flow_table *t, uint32_t i, enum asc_flow_end why)
{
    struct asc_flow f;
    flow_expand(t->spill, N(t, i), why, &f);
    t->emit(t->ctx, &f);
    t->st.emitted++;
}

/* Remove a flow from the table, emitting it. */
static void retire(struct asc_flow_table *t, uint32_t i, enum asc_flow_end why)
{
    timer_unlink(t, i);
    hash_unlink(t, i);
    emit_node(t, i, why);
    t->st.live--;
    node_release(t, i);
}

/* Flows of a due slot are first gathered (the walk is a chain of node
 * loads; the rest of each node is prefetched on the way), then handled in
 * the same order with the hash bucket of a flow a few places ahead
 * prefetched, so that the unlinking's misses overlap. */
#define SLOT_AHEAD 4

static void process_slot(struct asc_flow_table *t, int64_t sec, asc_time now)
{
    uint32_t *slot = &t->wheel[(uint64_t)sec & (WHEEL_SLOTS - 1)];
    size_t k = 0;
    /* Re-arming may put flows back into this very slot (a later round),
     * so the list is detached first. */
    for (uint32_t i = *slot; i; i = N(t, i)->tnext) {
        if (k == t->due_cap) {
            t->due_cap = t->due_cap ? 2 * t->due_cap : 1024;
            t->due = asc_xrealloc(t->due, t->due_cap, sizeof(*t->due));
        }
        t->due[k++] = i;
        node_prefetch(t, i);
    }
    *slot = 0;
    for (size_t j = 0; j < k; j++) {
        if (j + SLOT_AHEAD < k)
            __builtin_prefetch(&t->buckets[N(t, t->due[j + SLOT_AHEAD])->hash & (t->nbuckets - 1)]);
        uint32_t i = t->due[j];
        struct fnode *n = N(t, i);
        n->tprev = n->tnext = 0;
        asc_time d = deadline_of(t, n);
        if (d <= now) {
            hash_unlink(t, i);
            bool active = t->cf.active > 0 && n->first + t->cf.active <= now &&
                          n->last + idle_for(t, n) > now;
            emit_node(t, i, active ? ASC_END_ACTIVE : ASC_END_IDLE);
            t->st.live--;
            node_release(t, i);
        } else {
            timer_link(t, i);
        }
    }
}

void asc_flow_table_advance(struct asc_flow_table *t, asc_time now)
{
    if (now < t->now)
        return;
    t->now = now;
    if (t->wheel_started && now < t->next_sec)
        return; /* same second as the last call: nothing can be due */
    int64_t sec = now / ASC_NS_PER_SEC;
    if (!t->wheel_started) {
        t->wheel_sec = sec;
        t->wheel_started = true;
    } else if (sec - t->wheel_sec > (int64_t)WHEEL_SLOTS) {
        /* A long gap: one pass over every slot, then jump. */
        int64_t base = t->wheel_sec;
        t->wheel_sec = sec;
        for (int64_t s = base + 1; s <= base + (int64_t)WHEEL_SLOTS; s++)
            process_slot(t, s, now);
    } else {
        while (t->wheel_sec < sec) {
            t->wheel_sec++;
            process_slot(t, t->wheel_sec, now);
        }
    }
    t->next_sec = (t->wheel_sec + 1) * ASC_NS_PER_SEC;
}

/* Evict the flow whose timer is nearest. */
static void evict_one(struct asc_flow_table *t)
{
    for (uint32_t s = 1; s <= WHEEL_SLOTS; s++) {
        uint32_t i = t->wheel[(uint64_t)(t->wheel_sec + s) & (WHEEL_SLOTS - 1)];
        if (!i)
            continue;
        const struct fnode *n = N(t, i);
        struct asc_dst_count *d = flow_dst_slot(t->dst, DST_SLOTS, &n->key.resp);
        if (d) {
            d->evicted_flows++;
            d->evicted_pkts += n->dir[0].pkts + n->dir[1].pkts;
            d->evicted_bytes += flow_bytes(t->spill, n, 0, CNT_IP) +
                                flow_bytes(t->spill, n, 1, CNT_IP);
        }
        t->st.evicted++;
        retire(t, i, ASC_END_EVICTED);
        return;
    }
}

static uint32_t create(struct asc_flow_table *t, const struct asc_flow_key *k, uint64_t h)
{
    if (t->st.live >= t->cf.max_flows)
        evict_one(t);
    uint32_t i = node_alloc(t);
    if (!i)
        return 0;
    if (t->st.live >= t->nbuckets && t->nbuckets < t->max_buckets)
        hash_grow(t);
    struct fnode *n = N(t, i);
    n->key = *k;
    n->hash = (uint32_t)h;
    n->seq = t->seq++;
    n->hnext = t->buckets[h & (t->nbuckets - 1)];
    t->buckets[h & (t->nbuckets - 1)] = i;
    t->st.created++;
    if (++t->st.live > t->st.peak_live)
        t->st.peak_live = t->st.live;
    struct asc_dst_count *d = flow_dst_slot(t->dst, DST_SLOTS, &k->resp);
    if (d)
        d->flows++;
    return i;
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
           asc_addr_eq(&e->src, &l->src) && asc_addr_eq(&e->dst, &l->dst);
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
    uint32_t i = lookup(t, &e->inner, key_hash(&e->inner), &dir);
    if (i) {
        struct fnode *n = N(t, i);
        n->dir[dir].frames++;
        flow_count(t->spill, n, &n->dir[dir].wire_bytes, (unsigned)dir * CNT__PER_DIR + CNT_WIRE,
                   p->wirelen);
    }
}

/* hk, hh: the layer's key and its hash from asc_flow_table_hint, or NULL. */
static uint32_t account_layer(struct asc_flow_table *t, const struct asc_pkt *p,
                              const struct asc_ipl *l, const struct asc_ipl *inner, asc_time ts,
                              const struct asc_flow_key *hk, const uint64_t *hh)
{
    /* The hint's key is read in place: a fresh copy would be read back
     * across the stores that made it, which the CPU cannot forward. */
    struct asc_flow_key k;
    const struct asc_flow_key *kp = hk;
    if (!kp) {
        key_from_layer(p, l, &k);
        kp = &k;
    }
    bool later = l->frag == ASC_FRAG_LATER;
    if (later) {
        struct frag_ent *e = frag_slot(t, l);
        if (frag_match(e, l, ts)) {
            if (kp != &k) {
                k = *kp;
                kp = &k;
            }
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
        e->sport = kp->orig_port;
        e->dport = kp->resp_port;
        e->has_inner = inner != NULL;
        if (inner)
            key_from_layer(p, inner, &e->inner);
        e->ts = ts;
        e->used = true;
    }
    /* A later fragment took its ports from the first: not the hinted key. */
    uint64_t h = hh && !later ? *hh : key_hash(kp);
    int dir = 0;
    uint32_t i = lookup(t, kp, h, &dir);
    if (i && expired_at(t, N(t, i), ts)) {
        retire(t, i, ASC_END_IDLE);
        i = 0;
    }
    if (i && !later && flow_is_reuse(N(t, i), l)) {
        t->st.reused++;
        retire(t, i, ASC_END_REUSE);
        i = 0;
    }
    bool fresh = false;
    if (!i) {
        i = create(t, kp, h);
        if (!i)
            return 0;
        fresh = true;
        struct fnode *n = N(t, i);
        n->first = ts;
        n->tun = l->tun & 15;
        flow_init_direction(n, l);
        dir = (n->flags & ASC_FF_FLIPPED) ? 1 : 0;
    }
    struct fnode *n = N(t, i);
    int before = idle_class(n);
    flow_update(t->spill, n, p, l, dir, later, ts);
    if (fresh)
        timer_link(t, i);
    else if (idle_class(n) != before) {
        timer_unlink(t, i);
        timer_link(t, i);
    }
    t->st.layers++;
    return i;
}

const struct asc_flow *asc_flow_table_pkt_hinted(struct asc_flow_table *t,
                                                 const struct asc_pkt *p,
                                                 const struct asc_flow_hint *hint)
{
    asc_time ts = p->ts < t->now ? t->now : p->ts;
    uint32_t last = 0;
    asc_flow_table_advance(t, ts);
    for (unsigned i = 0; i < p->n_ipl && i < ASC_MAX_IPL; i++)
        last = account_layer(t, p, &p->ipl[i], i + 1 < p->n_ipl ? &p->ipl[i + 1] : NULL, ts,
                             hint && i < hint->n ? &hint->k[i] : NULL,
                             hint && i < hint->n ? &hint->h[i] : NULL);
    t->cur_node = 0;
    if (!t->want_current || !last)
        return NULL;
    flow_expand_brief(N(t, last), &t->cur);
    t->cur_node = last;
    return &t->cur;
}

const struct asc_flow *asc_flow_table_current(struct asc_flow_table *t)
{
    if (!t->cur_node)
        return NULL;
    flow_expand_live_rest(N(t, t->cur_node), &t->cur);
    return &t->cur;
}

const struct asc_flow *asc_flow_table_pkt(struct asc_flow_table *t, const struct asc_pkt *p)
{
    return asc_flow_table_pkt_hinted(t, p, NULL);
}

void asc_flow_table_hint(const struct asc_flow_table *t, const struct asc_pkt *p,
                         struct asc_flow_hint *hint)
{
    unsigned n = p->n_ipl < ASC_MAX_IPL ? p->n_ipl : ASC_MAX_IPL;
    for (unsigned i = 0; i < n; i++) {
        const struct asc_ipl *l = &p->ipl[i];
        struct asc_flow_key *k = &hint->k[i];
        key_from_layer(p, l, k);
        /* Addresses from the layer, not from k just written: loads across
         * the stores that wrote k would wait for them. Same value. */
        hint->h[i] = key_hash_of(&l->src, k->orig_port, &l->dst, k->resp_port, k);
        __builtin_prefetch(&t->buckets[hint->h[i] & (t->nbuckets - 1)]);
    }
    hint->n = n;
}

void asc_flow_table_hint_nodes(const struct asc_flow_table *t, const struct asc_flow_hint *hint,
                               size_t n)
{
    /* Two passes: the buckets first (independent loads, all in flight at
     * once), then the nodes they name; one loop doing both kept fewer of
     * the batch's node misses in flight (3M capture: 1.31 -> 1.21 CPU s). */
    const struct fnode *node[ASC_HINT_NODES_MAX];
    size_t m = 0;
    for (size_t j = 0; j < n; j++) {
        for (unsigned i = 0; i < hint[j].n && i < ASC_MAX_IPL && m < ASC_HINT_NODES_MAX; i++) {
            uint32_t x = t->buckets[hint[j].h[i] & (t->nbuckets - 1)];
            if (x) {
                node[m++] = N(t, x);
            } else {
                /* An empty chain: most likely a new flow, which will count
                 * towards its destination (create). */
                flow_dst_prefetch(t->dst, DST_SLOTS, &hint[j].k[i].resp);
            }
        }
    }
    uint32_t acc = 0;
    for (size_t k = 0; k < m; k++)
        acc += node_touch(node[k]);
    /* The loads' results are not needed, only the lines they bring in. */
    __asm__ volatile("" : : "r"(acc));
}

void asc_flow_table_want_current(struct asc_flow_table *t, bool on)
{
    t->want_current = on;
}

/* A live node and its creation order, copied out for the flush's sort so
 * that comparisons do not read the nodes. */
struct seq_idx {
    uint64_t seq;
    uint32_t idx;
};

/* Sort by creation order (bottom-up merge sort; tmp is scratch of the
 * same length). */
static void sort_by_seq(struct seq_idx *v, struct seq_idx *tmp, size_t n)
{
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = ASC_MIN(lo + w, n), hi = ASC_MIN(lo + 2 * w, n);
            size_t x = lo, y = mid, o = lo;
            while (x < mid && y < hi)
                tmp[o++] = v[y].seq < v[x].seq ? v[y++] : v[x++];
            while (x < mid)
                tmp[o++] = v[x++];
            while (y < hi)
                tmp[o++] = v[y++];
        }
        memcpy(v, tmp, n * sizeof(*v));
    }
}

/* Every flow leaves, so the chains and the wheel are cleared at once
 * instead of unlinking node by node; the table is empty and usable after. */
void asc_flow_table_flush(struct asc_flow_table *t)
{
    size_t n = t->st.live, k = 0;
    struct seq_idx *all = asc_xcalloc(n ? 2 * n : 1, sizeof(*all));
    for (size_t b = 0; b < t->nbuckets; b++)
        for (uint32_t i = t->buckets[b]; i; i = N(t, i)->hnext)
            if (k < n)
                all[k++] = (struct seq_idx){N(t, i)->seq, i};
    sort_by_seq(all, all + n, k);
    memset(t->buckets, 0, t->nbuckets * sizeof(*t->buckets));
    memset(t->wheel, 0, sizeof(t->wheel));
    t->cur_node = 0;
    for (size_t j = 0; j < k; j++) {
        if (j + 4 < k)
            node_prefetch(t, all[j + 4].idx);
        struct fnode *nd = N(t, all[j].idx);
        nd->hnext = nd->tnext = nd->tprev = 0;
        emit_node(t, all[j].idx, ASC_END_EOF);
        t->st.live--;
        node_release(t, all[j].idx);
    }
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
