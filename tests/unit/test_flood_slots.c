/*
 * test_flood_slots.c - the bookkeeping of the flood detector's record path
 * (src/detect/flood_rec.c, included here for its static state): every
 * record enters its slot as rate changes that must cancel out. After
 * random records (spans of 0-70 s, 1-5000 packets, several vectors, late
 * and early arrivals, forced releases) are all counted and the changes
 * after their last seconds applied, every slot's rate is 0, no slot is
 * left at a quarter of its floor, and no share is waiting. A leak would
 * not change incidents (a slot's rate only decides which slots are looked
 * at) but would make the detector look at more and more of them.
 */
#include "detect/flood_rec.c"
#include "core/conf.h"
#include "harness.h"

#define T0 (INT64_C(1700000000) * ASC_NS_PER_SEC)

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static void count(void *ctx, const struct asc_incident *inc)
{
    (void)inc;
    ++*(size_t *)ctx;
}

static void run(const char *set, size_t n_rec)
{
    const struct asc_detector_ops *ops = asc_detector_find("flood");
    struct asc_conf *cf = asc_conf_new();
    struct asc_err err = {0};
    if (set)
        CHECK(asc_conf_set(cf, set, &err) == 0);
    struct asc_grader gr = {0};
    struct asc_det_env env = {.conf = cf, .grader = &gr};
    void *st = NULL;
    CHECK(ops->init(&env, &st, &err) == 0);
    size_t incidents = 0;
    struct asc_emitter em = {&incidents, count};
    asc_time clock = T0;
    static const uint16_t sports[] = {123, 53, 40000, 40001};
    static const uint8_t flags[] = {ASC_TH_SYN, ASC_TH_SYN | ASC_TH_ACK, ASC_TH_RST, ASC_TH_ACK};
    for (size_t i = 0; i < n_rec; i++) {
        struct asc_flow f = {0};
        clock += (asc_time)(rnd() % 20) * ASC_NS_PER_SEC / 1000;
        asc_time last = clock - (asc_time)(rnd() % 8000) * ASC_NS_PER_SEC / 1000;
        if (rnd() % 50 == 0)
            last -= 90 * ASC_NS_PER_SEC;            /* late */
        f.last = last;
        f.first = last - (asc_time)(rnd() % 70000) * ASC_NS_PER_SEC / 1000;
        f.key.orig = (struct asc_addr){.family = ASC_AF_INET, .b = {[10] = 0xff, [11] = 0xff,
                                       [12] = 198, [13] = 51, [14] = (uint8_t)rnd(),
                                       [15] = (uint8_t)rnd()}};
        f.key.resp = f.key.orig;
        f.key.resp.b[12] = 203;
        f.key.resp.b[14] = (uint8_t)(rnd() % 4 ? 0 : rnd());   /* a few busy victims */
        f.key.resp.b[15] = (uint8_t)(rnd() % 8);
        f.key.proto = rnd() % 2 ? 17 : 6;
        f.key.orig_port = sports[rnd() % 4];
        f.key.resp_port = 4444;
        f.dir[0].pkts = 1 + rnd() % 5000;
        f.dir[0].ip_bytes = f.dir[0].pkts * 100;
        f.dir[0].tcp_flags = f.key.proto == 6 ? flags[rnd() % 4] : 0;
        f.src_kind = ASC_SRC_IPFIX;
        f.flags = ASC_FF_ONEWAY;
        f.sampling = 1;
        ops->on_flow_end(st, &f);
        if (i % 5000 == 4999)
            ops->on_tick(st, clock, false, &em);
    }
    ops->on_tick(st, clock + ASC_NS_PER_SEC, true, &em);
    struct flood *d = st;
    struct frec_ring *r = d->ring;
    CHECK(r != NULL);
    CHECK_EQ_U(r->pending, 0);
    apply_events(r, r->hi + 1);            /* the changes after the last seconds */
    uint64_t left = 0;
    for (size_t s = 0; s < N_SLOTS; s++)
        left += r->st[s].rate != 0;
    CHECK_EQ_U(left, 0);
    CHECK_EQ_U(r->n_above, 0);
    CHECK_EQ_U(r->active, 0);
    CHECK(incidents > 0);                  /* the busy victims were flooded */
    ops->fini(st);
    asc_conf_free(cf);
}

static void test_rates_cancel(void)
{
    run(NULL, 60000);
}

static void test_rates_cancel_forced(void)
{
    run("flood.max_pending=1024", 40000);     /* seconds released early */
}

static void test_rates_cancel_short(void)
{
    run("flood.lateness=0", 40000);
}

TEST_MAIN(T(test_rates_cancel), T(test_rates_cancel_forced), T(test_rates_cancel_short))
