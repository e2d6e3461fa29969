/*
 * test_stitch.c - the stitch buffer (src/source/fi_stitch.c) against a
 * plain reference model of its documented rules: a one-way record waits
 * for a record with the reversed key and an overlapping time range (within
 * the slack); the latest waiting arrival of those is joined with it; a
 * record waiting longer than the window, or the oldest when max_stitch
 * wait, leaves one-way; everything leaves in a deterministic order. Random
 * records over a few keys give matches, holes in the middle of the buffer,
 * evictions and expiry; the emitted sequences must be equal record by
 * record. Other runs use many distinct keys: none ever matching (long
 * waits, the index grown mid-run, eviction at the cap), and replies to
 * recent requests (every record matching, or holes all through the
 * buffer while it grows); there the stitcher's memory must also stay
 * within what its cap allows. One test has every growth of the slab land
 * at another offset from a cache line (a realloc of its own).
 */
#include <malloc.h>
#include <stdint.h>

#include "harness.h"
#include "source/fi_internal.h"

/* Under a sanitizer its allocator stays: no realloc of our own. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define TS_SANITIZED 1
#endif
#endif
#ifndef TS_SANITIZED
#define TS_SANITIZED 0
#endif

enum { MAXOUT = 40000 };

struct out {
    struct asc_flow f[MAXOUT];
    size_t n;
};

static void on_flow(void *ctx, const struct asc_flow *f)
{
    struct out *o = ctx;
    if (o->n < MAXOUT)
        o->f[o->n++] = *f;
}

/* The reference: every record that waited, in arrival order, searched
 * linearly; a record that left is marked dead (no record is put twice, so
 * MAXOUT entries are enough). */
struct ref {
    struct asc_flow w[MAXOUT];
    asc_time arrival[MAXOUT];
    bool dead[MAXOUT];
    size_t head, tail, n, cap; /* w[head..tail): dead or waiting; n waiting */
    asc_time window, slack, now;
    struct out *o;
};

static void ref_drop(struct ref *r, size_t i)
{
    r->dead[i] = true;
    r->n--;
    while (r->head < r->tail && r->dead[r->head])
        r->head++;
}

static void ref_oneway(struct ref *r, size_t i)
{
    struct asc_flow f = r->w[i];
    f.flags |= ASC_FF_ONEWAY;
    ref_drop(r, i);
    on_flow(r->o, &f);
}

static bool ref_reversed(const struct asc_flow_key *a, const struct asc_flow_key *b)
{
    return a->proto == b->proto && a->orig_port == b->resp_port && a->resp_port == b->orig_port &&
           !asc_addr_cmp(&a->orig, &b->resp) && !asc_addr_cmp(&a->resp, &b->orig);
}

static void ref_put(struct ref *r, const struct asc_flow *f)
{
    for (size_t j = r->tail; j-- > r->head;) { /* latest arrival first */
        const struct asc_flow *e = &r->w[j];
        if (r->dead[j] || !ref_reversed(&e->key, &f->key) || f->first > e->last + r->slack ||
            e->first > f->last + r->slack)
            continue;
        /* The originator: earlier start; on a tie the higher port (no ICMP here). */
        bool e_orig =
            e->first != f->first ? e->first < f->first : e->key.orig_port >= e->key.resp_port;
        const struct asc_flow *o = e_orig ? e : f, *p = e_orig ? f : e;
        struct asc_flow m = *o;
        m.dir[1] = p->dir[0];
        m.first = ASC_MIN(o->first, p->first);
        m.last = ASC_MAX(o->last, p->last);
        m.flags = (uint8_t)((o->flags | p->flags) & ~ASC_FF_ONEWAY) | ASC_FF_STITCHED;
        ref_drop(r, j);
        on_flow(r->o, &m);
        return;
    }
    if (r->n >= r->cap)
        ref_oneway(r, r->head);
    if (r->tail == MAXOUT) /* more records than the test's arrays */
        abort();
    r->w[r->tail] = *f;
    r->dead[r->tail] = false;
    r->arrival[r->tail++] = r->now;
    r->n++;
}

static void ref_advance(struct ref *r, asc_time now)
{
    if (now <= r->now)
        return;
    r->now = now;
    while (r->n && now - r->arrival[r->head] > r->window)
        ref_oneway(r, r->head);
}

static void mkflow(struct asc_flow *f, uint64_t x, asc_time now, uint32_t id)
{
    static const uint16_t ports[] = {1000, 1001, 80};
    memset(f, 0, sizeof(*f));
    f->src_kind = ASC_SRC_NETFLOW;
    f->key.proto = (x >> 10) & 1 ? 6 : 17;
    unsigned a = (unsigned)(x >> 12) % 4, b = (unsigned)(x >> 16) % 4;
    f->key.orig.family = f->key.resp.family = ASC_AF_INET;
    f->key.orig.b[0] = f->key.resp.b[0] = 10;
    f->key.orig.b[3] = (uint8_t)(1 + a);
    f->key.resp.b[3] = (uint8_t)(1 + b);
    f->key.orig_port = ports[(x >> 20) % 3];
    f->key.resp_port = ports[(x >> 24) % 3];
    f->first = now - (asc_time)((x >> 28) % 20) * ASC_NS_PER_SEC;
    f->last = f->first + (asc_time)((x >> 36) % 10) * ASC_NS_PER_SEC;
    f->dir[0].pkts = id; /* names the record */
    f->dir[0].frames = id;
}

/* How a run's records are keyed. */
enum keying {
    FEW,    /* a few hosts and ports (mkflow): many candidates per key */
    UNIQUE, /* every record a key of its own: nothing ever matches */
    REPLY,  /* new requests and replies to one of the last `dist` of them
             * (dist 1: request, reply, request, ...: every record matches) */
};

struct conv {
    asc_time first[MAXOUT], last[MAXOUT];
    uint32_t n;
};

/* Request c's key: 10.x.y.z (c in its low 24 bits) to 198.51.100.1:443. */
static void conv_key(struct asc_flow_key *k, uint32_t c)
{
    k->proto = c & 1 ? 6 : 17;
    k->orig.family = k->resp.family = ASC_AF_INET;
    k->orig.b[0] = 10;
    k->orig.b[1] = (uint8_t)(c >> 16);
    k->orig.b[2] = (uint8_t)(c >> 8);
    k->orig.b[3] = (uint8_t)c;
    k->resp.b[0] = 198;
    k->resp.b[1] = 51;
    k->resp.b[2] = 100;
    k->resp.b[3] = 1;
    k->orig_port = (uint16_t)(1024 + c % 60000);
    k->resp_port = 443;
}

/* Record i of a run keyed `k`: a new request, or a reply (the reversed key,
 * its times a second later: they overlap the request's). */
static void mkconv(struct asc_flow *f, struct conv *cv, enum keying k, unsigned dist, uint64_t x,
                   asc_time now, uint32_t i)
{
    memset(f, 0, sizeof(*f));
    f->src_kind = ASC_SRC_NETFLOW;
    bool reply = k == REPLY && cv->n && (dist == 1 ? !(i & 1) : (x >> 8) & 1);
    if (reply) {
        uint32_t c = cv->n - 1 - (uint32_t)((x >> 12) % (dist < cv->n ? dist : cv->n));
        struct asc_flow_key q;
        memset(&q, 0, sizeof(q));
        conv_key(&q, c);
        f->key = q;
        f->key.orig = q.resp;
        f->key.resp = q.orig;
        f->key.orig_port = q.resp_port;
        f->key.resp_port = q.orig_port;
        f->first = cv->first[c] + ASC_NS_PER_SEC;
        f->last = cv->last[c] + ASC_NS_PER_SEC;
    } else {
        uint32_t c = cv->n++;
        conv_key(&f->key, c);
        f->first = cv->first[c] = now - (asc_time)((x >> 28) % 5) * ASC_NS_PER_SEC;
        f->last = cv->last[c] = f->first + (asc_time)((x >> 36) % 3) * ASC_NS_PER_SEC;
    }
    f->dir[0].pkts = i; /* names the record */
    f->dir[0].frames = i;
}

/* What the stitch buffer may hold with cap records waiting: the records,
 * 5/4 of the cap in arrival entries, and an index of a power of two at
 * least twice the cap (and 64). */
static size_t stitch_mem_bound(size_t cap)
{
    size_t nb = 64;
    while (nb < 2 * cap)
        nb <<= 1;
    return 512 + cap * (sizeof(struct asc_flow) + 16) + (cap + cap / 4 + 1) * 16 + nb * 8;
}

/* Feed the same random records to the stitcher and to the model. */
/* Time moves on by 0-11 s once in `step` records on average, and stops
 * half-way if `freeze` (then records pile up to the cap). */
static void run(size_t cap, unsigned records, uint64_t seed, unsigned step, bool freeze,
                enum keying k, unsigned dist)
{
    static struct out got, want;
    static struct ref r;
    static struct conv cv;
    got.n = want.n = 0;
    cv.n = 0;
    struct asc_fi_conf cf;
    asc_fi_conf_default(&cf);
    cf.max_stitch = cap;
    struct asc_fi *fi = asc_fi_new(&cf, on_flow, &got);
    memset(&r, 0, sizeof(r));
    r.cap = cap;
    r.window = cf.stitch_window;
    r.slack = cf.stitch_slack;
    r.o = &want;
    r.now = INT64_MIN;
    asc_time now = (asc_time)1700000000 * ASC_NS_PER_SEC;
    uint64_t x = seed;
    for (unsigned i = 0; i < records; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        if ((x >> 40) % step == 0 && !(freeze && i > records / 2))
            now += (asc_time)((x >> 44) % 12) * ASC_NS_PER_SEC;
        asc_fi_advance(fi, now);
        ref_advance(&r, now);
        struct asc_flow f;
        if (k == FEW)
            mkflow(&f, x, now, i + 1);
        else
            mkconv(&f, &cv, k, dist, x, now, i + 1);
        struct asc_flow g = f;
        fi_record(fi, &g);
        ref_put(&r, &f);
    }
    CHECK(fi_stitch_mem(fi->stitch) <= stitch_mem_bound(cap));
    asc_fi_flush(fi);
    while (r.n)
        ref_oneway(&r, r.head);
    const struct asc_flowin_stats *st = asc_fi_stats(fi);
    CHECK_EQ_U(got.n, want.n);
    if (k == UNIQUE)
        CHECK_EQ_U(st->c[ASC_FI_STITCHED], 0);
    else
        CHECK(st->c[ASC_FI_STITCHED] > 0);
    if (k == REPLY && dist == 1) /* an even number of records, all matched */
        CHECK_EQ_U(st->c[ASC_FI_ONEWAY], 0);
    else
        CHECK(st->c[ASC_FI_ONEWAY] > 0);
    size_t bad = 0;
    for (size_t i = 0; i < got.n && i < want.n; i++) {
        const struct asc_flow *a = &got.f[i], *b = &want.f[i];
        if (a->dir[0].pkts != b->dir[0].pkts || a->dir[1].pkts != b->dir[1].pkts ||
            a->first != b->first || a->last != b->last ||
            asc_addr_cmp(&a->key.orig, &b->key.orig) || a->key.orig_port != b->key.orig_port ||
            (a->flags & (ASC_FF_ONEWAY | ASC_FF_STITCHED)) !=
                (b->flags & (ASC_FF_ONEWAY | ASC_FF_STITCHED)))
            bad++;
    }
    CHECK_EQ_U(bad, 0);
    asc_fi_free(fi);
}

#if !TS_SANITIZED
/* The stitcher's slab grows by realloc, its slots kept on cache lines by an
 * offset into the block, and moved when realloc lands the block at another
 * offset from a line (fi_stitch.c, slab_get). Whether glibc does that
 * depends on its state (a large block grows in place, at its offset; the
 * other runs here see a move now and then). While ts_moving is set, this
 * binary's realloc (it stands in for the C library's, in this test binary
 * only) puts every block it grows in a fresh one at the next offset of 16,
 * 32, 48 or 0 from a line, copying the contents as realloc does; this
 * binary's free knows those blocks. */
extern void *__libc_memalign(size_t align, size_t n);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

static bool ts_moving;
static unsigned ts_moves; /* blocks grown to another offset */
static struct {
    char *user, *base;
    size_t size;
} ts_blocks[64];

static int ts_find(const void *p)
{
    for (int i = 0; p && i < (int)ASC_ARRAY_LEN(ts_blocks); i++)
        if (ts_blocks[i].user == p)
            return i;
    return -1;
}

void *realloc(void *p, size_t n);
void free(void *p);

void *realloc(void *p, size_t n)
{
    int b = ts_find(p), slot = ts_find(NULL);
    for (int i = 0; slot < 0 && i < (int)ASC_ARRAY_LEN(ts_blocks); i++)
        if (!ts_blocks[i].user)
            slot = i;
    if (b < 0 && (!ts_moving || slot < 0 || !n))
        return __libc_realloc(p, n);
    if (b >= 0 && !n) {
        free(p);
        return NULL;
    }
    if (b < 0)
        b = slot;
    else
        slot = b;
    size_t old = !p ? 0 : ts_blocks[b].user == p ? ts_blocks[b].size : malloc_usable_size(p);
    size_t off = p ? (((uintptr_t)p & 63) + 16) & 63 : 16;
    char *base = __libc_memalign(64, n + 64);
    if (!base)
        return NULL;
    memcpy(base + off, p ? p : base, old < n ? old : n);
    if (p) {
        ts_moves++;
        free(p);
    }
    ts_blocks[slot].user = base + off;
    ts_blocks[slot].base = base;
    ts_blocks[slot].size = n;
    return base + off;
}

void free(void *p)
{
    int b = ts_find(p);
    if (b < 0) {
        __libc_free(p);
        return;
    }
    __libc_free(ts_blocks[b].base);
    ts_blocks[b].user = NULL;
}
#endif

/* One run of `run`, the slab grown to another offset at least `moves`
 * times (plainly realloc'd under a sanitizer, which checks the copies). */
static void moves_run(unsigned moves, size_t cap, unsigned records, uint64_t seed, unsigned step,
                      bool freeze, enum keying k, unsigned dist)
{
#if !TS_SANITIZED
    unsigned before = ts_moves;
    ts_moving = true;
#endif
    run(cap, records, seed, step, freeze, k, dist);
#if !TS_SANITIZED
    ts_moving = false;
    CHECK(ts_moves - before >= moves);
#else
    (void)moves;
#endif
}

/* The slab grown many times, the block at another offset from a cache line
 * each time: the records must come out as the model says, each read whole. */
static void test_stitch_slab_moves(void)
{
    moves_run(5, 30000, 39000, 41, 1 << 20, false, UNIQUE, 0); /* 1024 slots .. 30000 */
    moves_run(1, 1025, 20000, 43, 360, true, REPLY, 900);      /* 1024 slots, then 1025 */
    moves_run(2, 3000, 30000, 47, 8, true, UNIQUE, 0); /* expiring, then 2048, 3000, evicting */
    moves_run(4, 20000, 24000, 53, 1 << 20, false, REPLY, 16000);
    moves_run(0, 1, 2000, 59, 8, false, REPLY, 1);
}

/* A small buffer: evictions, holes, and the ring packed in place. */
static void test_stitch_small(void)
{
    run(16, 20000, 7, 8, false, FEW, 0);
    run(1, 2000, 3, 8, false, FEW, 0);
    run(1, 4000, 9, 8, false, UNIQUE, 0);
    run(1, 4000, 9, 8, false, REPLY, 1);
    run(2, 4000, 9, 8, false, REPLY, 3);
    run(7, 20000, 9, 64, false, REPLY, 40);
}

/* A larger buffer: the ring grows (also while wrapped around) while
 * records wait, expire and are pushed out. */
static void test_stitch_grow(void)
{
    run(3000, 30000, 11, 8, false, FEW, 0);
    run(3000, 30000, 5, 1024, false, FEW, 0);
    run(3000, 30000, 5, 360, true, FEW, 0);
}

/* Keys that never match: long waits, the index grown while records wait
 * (1024 slots at first), eviction at the cap, expiry in large steps. */
static void test_stitch_unique(void)
{
    run(4096, 40000, 13, 360, true, UNIQUE, 0);
    run(3000, 40000, 17, 1024, false, UNIQUE, 0);
    run(100, 40000, 19, 8, false, UNIQUE, 0);
    run(30000, 16000, 19, 1 << 20, false, UNIQUE, 0);
}

/* Replies to recent requests: every record matching; holes all through
 * the buffer while it grows, and at the cap while it is packed. */
static void test_stitch_reply(void)
{
    run(3000, 40000, 23, 8, false, REPLY, 1);
    run(3000, 40000, 29, 64, false, REPLY, 2000);
    run(4096, 40000, 31, 360, true, REPLY, 4000);
    run(20000, 24000, 37, 1 << 20, false, REPLY, 16000);
}

TEST_MAIN(T(test_stitch_small), T(test_stitch_grow), T(test_stitch_unique), T(test_stitch_reply),
          T(test_stitch_slab_moves))
