/*
 * test_stitch.c - the stitch buffer (src/source/fi_stitch.c) against a
 * plain reference model of its documented rules: a one-way record waits
 * for a record with the reversed key and an overlapping time range (within
 * the slack); the latest waiting arrival of those is joined with it; a
 * record waiting longer than the window, or the oldest when max_stitch
 * wait, leaves one-way; everything leaves in a deterministic order. Random
 * records over a few keys give matches, holes in the middle of the buffer,
 * evictions and expiry; the emitted sequences must be equal record by
 * record.
 */
#include "harness.h"
#include "source/fi_internal.h"

enum { MAXOUT = 40000, MAXWAIT = 4096 };

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

/* The reference: waiting records in arrival order, searched linearly. */
struct ref {
    struct asc_flow w[MAXWAIT];
    asc_time arrival[MAXWAIT];
    size_t n, cap;
    asc_time window, slack, now;
    struct out *o;
};

static void ref_drop(struct ref *r, size_t i)
{
    memmove(&r->w[i], &r->w[i + 1], (r->n - i - 1) * sizeof(r->w[0]));
    memmove(&r->arrival[i], &r->arrival[i + 1], (r->n - i - 1) * sizeof(r->arrival[0]));
    r->n--;
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
    for (size_t j = r->n; j-- > 0;) { /* latest arrival first */
        const struct asc_flow *e = &r->w[j];
        if (!ref_reversed(&e->key, &f->key) || f->first > e->last + r->slack ||
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
        ref_oneway(r, 0);
    r->w[r->n] = *f;
    r->arrival[r->n++] = r->now;
}

static void ref_advance(struct ref *r, asc_time now)
{
    if (now <= r->now)
        return;
    r->now = now;
    while (r->n && now - r->arrival[0] > r->window)
        ref_oneway(r, 0);
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

/* Feed the same random records to the stitcher and to the model. */
/* Time moves on by 0-11 s once in `step` records on average, and stops
 * half-way if `freeze` (then records pile up to the cap). */
static void run(size_t cap, unsigned records, uint64_t seed, unsigned step, bool freeze)
{
    static struct out got, want;
    static struct ref r;
    got.n = want.n = 0;
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
        mkflow(&f, x, now, i + 1);
        struct asc_flow g = f;
        fi_record(fi, &g);
        ref_put(&r, &f);
    }
    asc_fi_flush(fi);
    while (r.n)
        ref_oneway(&r, 0);
    const struct asc_flowin_stats *st = asc_fi_stats(fi);
    CHECK_EQ_U(got.n, want.n);
    CHECK(st->c[ASC_FI_STITCHED] > 0);
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

/* A small buffer: evictions, holes, and the ring packed in place. */
static void test_stitch_small(void)
{
    run(16, 20000, 7, 8, false);
    run(1, 2000, 3, 8, false);
}

/* A larger buffer: the ring grows (also while wrapped around) while
 * records wait, expire and are pushed out. */
static void test_stitch_grow(void)
{
    run(3000, 30000, 11, 8, false);
    run(3000, 30000, 5, 1024, false);
    run(3000, 30000, 5, 360, true);
}

TEST_MAIN(T(test_stitch_small), T(test_stitch_grow))
