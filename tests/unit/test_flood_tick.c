/*
 * test_flood_tick.c - the flood detector's once-a-second tick visits only
 * the live entries of its tables (src/detect/flood_tick.c, flood_int.h;
 * flood_rec.c is included here for its static state). Two detectors get
 * the same random traffic, with destinations evicted and reused (small
 * flood.max_dst) and floods that go quiet and come back: one is ticked by
 * the detector, the other by a reference tick that walks the whole table
 * the way it did before the live bits. Their incidents (what, and at
 * which tick) must be the same, and after every tick no entry may hold a
 * bin of an earlier second, an incident quiet for `quiet` seconds, or an
 * open bin, incident or candidates without its live bit; on records, the
 * list of entries holding an incident or candidates must be the one a
 * whole-table walk gives, in the same order.
 */
#include "detect/flood_rec.c"
#include "core/conf.h"
#include "harness.h"

#define T0 (INT64_C(1700000000) * ASC_NS_PER_SEC)

static uint64_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* ---- the reference: every entry of the table, every tick ---- */

static int ref_cmp(const void *pa, const void *pb)
{
    const struct dstv *a = *(const struct dstv *const *)pa, *b = *(const struct dstv *const *)pb;
    if (a->inc->start != b->inc->start)
        return a->inc->start < b->inc->start ? -1 : 1;
    int c = asc_addr_cmp(&a->dst, &b->dst);
    return c ? c : (int)a->vec - (int)b->vec;
}

static void ref_tick_table(struct flood *d, int64_t now_sec, bool final, struct asc_emitter *out)
{
    size_t n = d->nsets * WAYS, n_close = 0;
    struct dstv **closing = asc_xcalloc(n, sizeof(*closing));
    for (size_t i = 0; i < n; i++) {
        struct dstv *e = &d->t[i];
        if (!d->tags[i])
            continue;
        if (e->bin_pkts && e->sec < now_sec)
            flood_close_bin(d, e);
        if (e->inc && (final || now_sec - 1 - e->inc->last_alarm_sec >= (int64_t)d->prm.quiet))
            closing[n_close++] = e;
    }
    qsort(closing, n_close, sizeof(*closing), ref_cmp);
    for (size_t i = 0; i < n_close; i++)
        flood_emit_inc(d, closing[i], out);
    free(closing);
}

static void ref_on_tick(void *st, asc_time now, bool final, struct asc_emitter *out)
{
    struct flood *d = st;
    ref_tick_table(d, now / ASC_NS_PER_SEC, final, out);
    if (!d->rx)
        return;
    struct frec_ring *r = d->ring;
    if (final && r->started)
        release_before(d, r->hi + 1);
    for (size_t i = 0; i < r->n_parked; i++)
        flood_emit_inc(d->rx, &r->parked[i], out);
    r->n_parked = 0;
    ref_tick_table(d->rx, r->next, final, out);
    if (r->hot_n)
        memset(r->hot, 0, r->hot_cap * sizeof(*r->hot));
    r->hot_n = 0;
    for (size_t i = 0; i < d->rx->nsets * WAYS; i++)
        if (d->rx->tags[i] && (d->rx->t[i].inc || d->rx->t[i].cand))
            hot_add(r, &d->rx->t[i], d->rx->tags[i]);
}

/* ---- two detectors, one log of incidents each ---- */

struct log {
    char *s;
    size_t n, cap;
    unsigned tick;              /* ticks so far */
    size_t n_inc, n_inc_early;  /* incidents; those emitted before the final tick */
    bool final;
};

static void on_inc(void *ctx, const struct asc_incident *inc)
{
    struct log *g = ctx;
    char a[ASC_ADDR_STRLEN], line[320];
    int k = snprintf(line, sizeof(line), "tick %u %s %s %lld %lld %llu %llu %.0f %llu\n", g->tick,
                     asc_addr_str(&inc->victim, a, sizeof(a)), inc->vector,
                     (long long)inc->start, (long long)inc->end, (unsigned long long)inc->pkts,
                     (unsigned long long)inc->bytes, inc->peak_pps,
                     (unsigned long long)inc->n_sources);
    if (g->n + (size_t)k + 1 > g->cap) {
        g->cap = 2 * (g->n + (size_t)k + 1);
        g->s = asc_xrealloc(g->s, g->cap, 1);
    }
    memcpy(g->s + g->n, line, (size_t)k + 1);
    g->n += (size_t)k;
    g->n_inc++;
    g->n_inc_early += !g->final;
}

struct pair {
    const struct asc_detector_ops *ops;
    struct asc_conf *cf;
    struct asc_grader gr;
    void *st[2];                /* 0: the detector's tick, 1: the reference */
    struct log log[2];
    uint64_t misses;            /* entries needing work without a live bit */
    uint64_t stale;             /* bins of earlier seconds, quiet incidents after a tick */
    uint64_t hot_wrong;         /* record path: hot list unlike a whole-table walk */
    uint64_t hot_seen;          /* entries in the hot lists checked */
};

static void pair_start(struct pair *p, const char *set)
{
    struct asc_err err = {0};
    memset(p, 0, sizeof(*p));
    p->ops = asc_detector_find("flood");
    p->cf = asc_conf_new();
    if (set)
        CHECK(asc_conf_set(p->cf, set, &err) == 0);
    struct asc_det_env env = {.conf = p->cf, .grader = &p->gr};
    for (int k = 0; k < 2; k++)
        CHECK(p->ops->init(&env, &p->st[k], &err) == 0);
}

static bool live_bit(const struct flood *d, size_t i)
{
    return d->live[i >> 6] >> (i & 63) & 1;
}

/* After a tick at now_sec: what the tick must have left. */
static void check_table(struct pair *p, const struct flood *d, int64_t now_sec, bool final)
{
    for (size_t i = 0; i < d->nsets * WAYS; i++) {
        const struct dstv *e = &d->t[i];
        if (!d->tags[i])
            continue;
        if ((e->bin_pkts || e->inc || e->cand) && !live_bit(d, i))
            p->misses++;
        if (e->bin_pkts && e->sec < now_sec)
            p->stale++;
        if (e->inc && (final || now_sec - 1 - e->inc->last_alarm_sec >= (int64_t)d->prm.quiet))
            p->stale++;
    }
}

static void check_hot(struct pair *p, const struct flood *d)
{
    const struct frec_ring *r = d->ring;
    size_t k = 0;
    for (size_t i = 0; i < d->rx->nsets * WAYS; i++) {
        const struct dstv *e = &d->rx->t[i];
        if (!d->rx->tags[i] || !(e->inc || e->cand))
            continue;
        if (k >= r->hot_n || r->hot_list[k].slot != slot_of(d->rx->tags[i], e->vec))
            p->hot_wrong++;
        k++;
    }
    p->hot_wrong += k != r->hot_n;
    p->hot_seen += k;
}

static void pair_tick(struct pair *p, asc_time now, bool final)
{
    for (int k = 0; k < 2; k++) {
        struct asc_emitter em = {&p->log[k], on_inc};
        p->log[k].final = final;
        if (k == 0)
            p->ops->on_tick(p->st[k], now, final, &em);
        else
            ref_on_tick(p->st[k], now, final, &em);
        p->log[k].tick++;
    }
    const struct flood *d = p->st[0];
    check_table(p, d, now / ASC_NS_PER_SEC, final);
    if (d->rx) {
        check_table(p, d->rx, d->ring->next, final);
        check_hot(p, d);
    }
}

static void pair_end(struct pair *p)
{
    CHECK_EQ_U(p->misses, 0);
    CHECK_EQ_U(p->stale, 0);
    CHECK_EQ_U(p->hot_wrong, 0);
    CHECK_EQ_U(p->log[0].n_inc, p->log[1].n_inc);
    CHECK(p->log[0].n && p->log[1].n && !strcmp(p->log[0].s, p->log[1].s));
    for (int k = 0; k < 2; k++) {
        p->ops->fini(p->st[k]);
        free(p->log[k].s);
    }
    asc_conf_free(p->cf);
}

static struct asc_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    return (struct asc_addr){.family = ASC_AF_INET,
                             .b = {[10] = 0xff, [11] = 0xff, [12] = a, [13] = b, [14] = c, [15] = d}};
}

/* ---- packets ---- */

static void send_pkt(struct pair *p, asc_time ts, struct asc_addr src, struct asc_addr dst,
                     unsigned kind)
{
    struct asc_pkt pk = {.ts = ts, .n_ipl = 1};
    struct asc_ipl *l = &pk.ipl[0];
    *l = (struct asc_ipl){.ipver = 4, .ttl = 50, .l4_ok = true, .ip_len = 100, .src = src,
                          .dst = dst, .dport = 4444};
    if (kind == 0) {            /* NTP reflection */
        l->proto = 17;
        l->sport = 123;
    } else if (kind == 1) {     /* SYN */
        l->proto = 6;
        l->sport = 40000;
        l->dport = 80;
        l->tcp_flags = ASC_TH_SYN;
    } else {                    /* plain UDP */
        l->proto = 17;
        l->sport = 40000;
    }
    for (int k = 0; k < 2; k++)
        p->ops->on_pkt(p->st[k], &pk, NULL);
}

/* Packets to victim v in second s: cycles of 3 * (12 + 5v) s, flooded
 * in the first third, then 3 s at a third of the floor, one second at
 * 60% of it (sustaining an open incident), and silence, longer than
 * `quiet`: the incident must end with no packet to its entry. */
static unsigned victim_pkts(unsigned v, int64_t s)
{
    int64_t len = 12 + 5 * (int64_t)v, q = s % (3 * len);
    if (q < len)
        return 60 + rnd() % 40;
    if (q < len + 3)
        return 14;
    return q == len + 5 ? 25 : 0;
}

/* 180 s: 4 victims flooded on and off, and 400 destinations with a few
 * packets each that crowd the table; ticks at each second and some in
 * between. */
static void run_packets(const char *set, bool want_evictions)
{
    struct pair p;
    pair_start(&p, set);
    rng = 0x2545f4914f6cdd1dull;
    asc_time now = T0;
    for (int64_t s = 0; s < 180; s++) {
        now = T0 + s * ASC_NS_PER_SEC;
        pair_tick(&p, now, false);
        unsigned n = 0;
        for (unsigned v = 0; v < 4; v++) {
            unsigned pkts = victim_pkts(v, s);
            for (unsigned k = 0; k < pkts; k++, n++)
                send_pkt(&p, now + n * 1000, v4(198, 51, (uint8_t)v, (uint8_t)(rnd() % 24)),
                         v4(203, 0, 113, (uint8_t)v), v == 3 ? 1 : 0);
        }
        for (unsigned k = 0; k < 600; k++, n++) {
            send_pkt(&p, now + n * 1000, v4(192, 0, 2, (uint8_t)rnd()),
                     v4(10, 0, (uint8_t)(rnd() % 2), (uint8_t)(rnd() % 200)), rnd() % 3);
            if (k == 300 && rnd() % 4 == 0)
                pair_tick(&p, now + n * 1000, false);
        }
    }
    pair_tick(&p, now + ASC_NS_PER_SEC, true);
    const struct flood *d = p.st[0];
    if (want_evictions)
        CHECK(d->evicted > 1000);               /* entries were reused while live */
    CHECK(p.log[0].n_inc_early >= 8);           /* incidents ended by `quiet` */
    pair_end(&p);
}

static void test_packets(void)
{
    run_packets(NULL, false);
}

static void test_packets_evicted(void)
{
    run_packets("flood.max_dst=64", true);
}

static void test_packets_one_set(void)
{
    run_packets("flood.max_dst=8", true);
}

/* ---- flow-export records ---- */

static void run_records(const char *set, size_t n_rec)
{
    struct pair p;
    pair_start(&p, set);
    rng = 0x9e3779b97f4a7c15ull;
    asc_time clock = T0;
    static const uint16_t sports[] = {123, 53, 40000, 40001};
    static const uint8_t flags[] = {ASC_TH_SYN, ASC_TH_SYN | ASC_TH_ACK, ASC_TH_RST, ASC_TH_ACK};
    for (size_t i = 0; i < n_rec; i++) {
        struct asc_flow f = {0};
        clock += (asc_time)(rnd() % 20) * ASC_NS_PER_SEC / 1000;
        asc_time last = clock - (asc_time)(rnd() % 8000) * ASC_NS_PER_SEC / 1000;
        f.last = last;
        f.first = last - (asc_time)(rnd() % 20000) * ASC_NS_PER_SEC / 1000;
        f.key.orig = v4(198, 51, (uint8_t)rnd(), (uint8_t)rnd());
        /* Victims busy by turns (each for about 100 s of 400), and many others. */
        unsigned turn = (unsigned)((clock - T0) / (100 * ASC_NS_PER_SEC)) % 4;
        f.key.resp = rnd() % 3 ? v4(203, 0, 0, (uint8_t)(turn + 4 * (rnd() % 2)))
                               : v4(203, 0, (uint8_t)rnd(), (uint8_t)(rnd() % 64));
        f.key.proto = rnd() % 2 ? 17 : 6;
        f.key.orig_port = sports[rnd() % 4];
        f.key.resp_port = 4444;
        f.dir[0].pkts = 1 + rnd() % 3000;
        f.dir[0].ip_bytes = f.dir[0].pkts * 100;
        f.dir[0].tcp_flags = f.key.proto == 6 ? flags[rnd() % 4] : 0;
        f.src_kind = ASC_SRC_IPFIX;
        f.flags = ASC_FF_ONEWAY;
        f.sampling = 1;
        for (int k = 0; k < 2; k++)
            p.ops->on_flow_end(p.st[k], &f);
        if (i % 400 == 399)
            pair_tick(&p, clock, false);
    }
    pair_tick(&p, clock + ASC_NS_PER_SEC, true);
    CHECK(p.hot_seen > 0);
    CHECK(p.log[0].n_inc_early >= 4);
    pair_end(&p);
}

static void test_records(void)
{
    run_records(NULL, 150000);
}

static void test_records_evicted(void)
{
    run_records("flood.max_dst=64", 150000);
}

static void test_records_one_set(void)
{
    run_records("flood.max_dst=8", 100000);
}

/* flood_vec_record names the amplification vector of a silent UDP record
 * by its source port: the 26 services' ports and no other port of the
 * 65536 (the port filter in front of the search drops none of them). */
static void test_amp_ports(void)
{
    static const struct {
        uint16_t port;
        const char *vector;
    } want[] = {
        {17, "udp.qotd-amp"},      {19, "udp.chargen-amp"},    {53, "udp.dns-amp"},
        {69, "udp.tftp-amp"},      {111, "udp.portmap-amp"},   {123, "udp.ntp-amp"},
        {137, "udp.netbios-amp"},  {161, "udp.snmp-amp"},      {389, "udp.cldap-amp"},
        {500, "udp.ike-amp"},      {520, "udp.rip-amp"},       {1434, "udp.mssql-amp"},
        {1900, "udp.ssdp-amp"},    {3283, "udp.ard-amp"},      {3702, "udp.wsd-amp"},
        {4500, "udp.ike-amp"},     {5351, "udp.natpmp-amp"},   {5353, "udp.mdns-amp"},
        {5683, "udp.coap-amp"},    {10001, "udp.ubiquiti-amp"}, {11211, "udp.memcached-amp"},
        {27015, "udp.steam-amp"},  {32414, "udp.plex-amp"},    {33848, "udp.jenkins-amp"},
        {37810, "udp.dvr-amp"},    {47808, "udp.bacnet-amp"},
    };
    struct asc_flow f = {0};
    f.key.proto = 17;
    f.dir[0].pkts = 10;
    size_t hits = 0, next = 0;
    for (uint32_t port = 0; port < 65536; port++) {
        f.key.orig_port = (uint16_t)port;
        uint64_t pkts;
        unsigned ev, v = flood_vec_record(&f, 0, &pkts, &ev);
        if (next < ASC_ARRAY_LEN(want) && want[next].port == port) {
            CHECK(v >= FV_AMP0);
            CHECK_STR(flood_vec_name(v), want[next].vector);
            CHECK(ev & ASC_EV_REFLECTED);
            next++;
        } else {
            CHECK_EQ_U(v, FV_UDP);
        }
        hits += v >= FV_AMP0;
    }
    CHECK_EQ_U(hits, ASC_ARRAY_LEN(want));
    f.key.orig_port = 500;
    uint64_t pkts;
    unsigned ev, ike = flood_vec_record(&f, 0, &pkts, &ev);
    f.key.orig_port = 4500;
    CHECK_EQ_U(flood_vec_record(&f, 0, &pkts, &ev), ike);   /* one vector, one slot */
}

TEST_MAIN(T(test_amp_ports), T(test_packets), T(test_packets_evicted), T(test_packets_one_set), T(test_records),
          T(test_records_evicted), T(test_records_one_set))
