/*
 * test_scan.c - the helpers of the scan, backscatter and brute-force
 * detectors (src/detect/scan_util.h): threshold random walk arithmetic,
 * the exact sliding window and the bounded set; then the scan and
 * brute-force detectors driven with synthetic flow records through their
 * vtables, and the scan detector's lazy cold part (a source's first flow
 * held in its hot part, replayed when it materialises).
 */
#include <math.h>
#include <string.h>

#include "core/conf.h"
#include "detect/detector.h"
#include "detect/scan_util.h"
#include "harness.h"

#define NS ASC_NS_PER_SEC

static void test_trw_steps(void)
{
    struct scan_trw_params p;
    CHECK(scan_trw_setup(&p, 0.8, 0.2, 0.99, 0.01) == 0);
    /* success: log(0.2/0.8) = -log 4; failure: log(0.8/0.2) = +log 4 */
    CHECK(fabs(p.step_ok + log(4)) < 1e-12);
    CHECK(fabs(p.step_fail - log(4)) < 1e-12);
    CHECK(fabs(p.upper - log(99)) < 1e-12);
    CHECK(fabs(p.lower - log(0.01 / 0.99)) < 1e-12);
    /* 4^3 = 64 < 99 <= 4^4 = 256: the fourth failure decides */
    struct scan_trw t = {0};
    CHECK(scan_trw_step(&p, &t, false) == SCAN_TRW_PENDING);
    CHECK(scan_trw_step(&p, &t, false) == SCAN_TRW_PENDING);
    CHECK(scan_trw_step(&p, &t, false) == SCAN_TRW_PENDING);
    CHECK(scan_trw_step(&p, &t, false) == SCAN_TRW_SCANNER);
    CHECK(scan_trw_step(&p, &t, true) == SCAN_TRW_SCANNER);   /* decided walks stay */
    /* four successes: benign */
    struct scan_trw b = {0};
    for (int i = 0; i < 3; i++)
        CHECK(scan_trw_step(&p, &b, true) == SCAN_TRW_PENDING);
    CHECK(scan_trw_step(&p, &b, true) == SCAN_TRW_BENIGN);
    /* alternating outcomes never decide */
    struct scan_trw m = {0};
    for (int i = 0; i < 100; i++)
        CHECK(scan_trw_step(&p, &m, i & 1) == SCAN_TRW_PENDING);
    /* 2 successes then 6 failures: net 4 failures */
    struct scan_trw q = {0};
    scan_trw_step(&p, &q, true);
    scan_trw_step(&p, &q, true);
    for (int i = 0; i < 5; i++)
        CHECK(scan_trw_step(&p, &q, false) == SCAN_TRW_PENDING);
    CHECK(scan_trw_step(&p, &q, false) == SCAN_TRW_SCANNER);
}

static void test_trw_invalid(void)
{
    struct scan_trw_params p;
    CHECK(scan_trw_setup(&p, 0.2, 0.8, 0.99, 0.01) == ASC_EINVAL);   /* theta1 > theta0 */
    CHECK(scan_trw_setup(&p, 0.8, 0.2, 0.01, 0.99) == ASC_EINVAL);   /* pf > pd */
    CHECK(scan_trw_setup(&p, 1.0, 0.2, 0.99, 0.01) == ASC_EINVAL);
    CHECK(scan_trw_setup(&p, 0.8, 0.0, 0.99, 0.01) == ASC_EINVAL);
}

static void test_window(void)
{
    struct scan_win w;
    scan_win_init(&w, 3);
    CHECK(!scan_win_push(&w, 0, 10 * NS));
    CHECK(!scan_win_push(&w, 5 * NS, 10 * NS));
    CHECK(scan_win_push(&w, 10 * NS, 10 * NS));      /* 0, 5, 10: span 10 */
    CHECK(!scan_win_push(&w, 30 * NS, 10 * NS));     /* 5, 10, 30 */
    CHECK(!scan_win_push(&w, 35 * NS, 10 * NS));     /* 10, 30, 35 */
    CHECK(scan_win_push(&w, 36 * NS, 10 * NS));      /* 30, 35, 36 */
    /* slightly out of order */
    CHECK(scan_win_push(&w, 33 * NS, 10 * NS));      /* 35, 36, 33 */
    CHECK(!scan_win_push(&w, 50 * NS, 10 * NS));
    scan_win_fini(&w);
    scan_win_init(&w, 1);
    CHECK(scan_win_push(&w, 7, 0));
    scan_win_fini(&w);
}

static void test_set(void)
{
    uint64_t budget = 64;
    struct scan_set_lim lim = {1000, &budget, 0};
    struct scan_set s;
    scan_set_init(&s);
    CHECK(scan_set_add(&s, 0, &lim) == 1);     /* 0 is a valid key */
    CHECK(scan_set_add(&s, 0, &lim) == 0);
    CHECK(scan_set_has(&s, 0));
    int added = 0, refused = 0;
    for (uint64_t k = 1; k < 200; k++) {
        int r = scan_set_add(&s, k * 7919, &lim);
        added += r == 1;
        refused += r == -1;
        CHECK(scan_set_has(&s, k * 7919) == (r != -1));
    }
    /* 64 slots at load 3/4: at most 48 keys, the rest refused and counted */
    CHECK(s.n <= 48);
    CHECK_EQ_U(s.n, (uint64_t)added + 1);
    CHECK_EQ_U(lim.refused, (uint64_t)refused);
    CHECK(refused > 0);
    CHECK(scan_set_has(&s, 0));             /* kept through the growth from inline keys */
    CHECK(scan_set_has(&s, 7919));
    CHECK(!scan_set_has(&s, 7918));
    scan_set_fini(&s, &lim);
    CHECK_EQ_U(budget, 64);
    struct scan_set_lim five = {5, NULL, 0};
    scan_set_init(&s);
    for (uint64_t k = 1; k <= 10; k++)
        scan_set_add(&s, k, &five);
    CHECK_EQ_U(s.n, 5);
    CHECK_EQ_U(five.refused, 5);
    for (uint64_t k = 1; k <= 10; k++)
        CHECK(scan_set_has(&s, k) == (k <= 5));
    scan_set_fini(&s, &five);
    CHECK(sizeof(struct scan_set) <= 24);
}

/* ---- detectors on synthetic flows --------------------------------------- */

static struct asc_incident got[8];
static const char *got_vec[8];
static char got_sum[8][200];    /* the summary is borrowed: copied here */
static size_t n_got;

static void collect(void *ctx, const struct asc_incident *inc)
{
    (void)ctx;
    if (n_got < 8) {
        got[n_got] = *inc;
        got_vec[n_got] = inc->vector;
        snprintf(got_sum[n_got], sizeof(got_sum[n_got]), "%s", inc->summary ? inc->summary : "");
        got[n_got].summary = got_sum[n_got];
        n_got++;
    }
}

static struct asc_flow syn_flow(const char *src, const char *dst, uint16_t dport, asc_time t,
                                const char *hist)
{
    struct asc_flow f;
    memset(&f, 0, sizeof(f));
    asc_addr_parse(src, &f.key.orig);
    asc_addr_parse(dst, &f.key.resp);
    f.key.orig_port = 40000;
    f.key.resp_port = dport;
    f.key.proto = 6;
    f.first = t;
    f.last = t + NS / 10;
    f.dir[0].pkts = 1;
    f.dir[0].ip_bytes = 44;
    f.dir[0].tcp_flags = 0x02;
    f.dir[0].ttl_max = 64;
    snprintf(f.history, sizeof(f.history), "%s", hist);
    f.state = ASC_CS_S0;
    return f;
}

static void run_detector(const char *name, struct asc_conf *cf, const struct asc_flow *flows,
                         size_t n, asc_time end)
{
    const struct asc_detector_ops *d = asc_detector_find(name);
    CHECK(d != NULL);
    if (!d)
        return;
    struct asc_det_env env = {.conf = cf, .grader = NULL};
    void *st = NULL;
    struct asc_err err = {0};
    CHECK(d->init(&env, &st, &err) == 0);
    struct asc_emitter em = {.ctx = NULL, .emit = collect};
    n_got = 0;
    for (size_t i = 0; i < n; i++)
        d->on_flow_end(st, &flows[i]);
    d->on_tick(st, end, true, &em);
    d->fini(st);
}

static void test_scan_vertical_and_horizontal(void)
{
    struct asc_flow f[20];
    size_t n = 0;
    for (int i = 0; i < 10; i++)    /* 10 ports of one host, unanswered */
        f[n++] = syn_flow("192.0.2.1", "198.51.100.7", (uint16_t)(20 + i), i * NS, "S");
    for (int i = 0; i < 10; i++) {  /* 10 hosts on 23, refused */
        char dst[32];
        snprintf(dst, sizeof(dst), "203.0.113.%d", i + 1);
        f[n++] = syn_flow("192.0.2.99", dst, 23, 100 * NS + i * NS, "Sr");
    }
    run_detector("scan", NULL, f, n, 200 * NS);
    CHECK_EQ_U(n_got, 2);
    if (n_got == 2) {
        CHECK_STR(got_vec[0], "tcp.vertical");
        char a[ASC_ADDR_STRLEN];
        CHECK_STR(asc_addr_str(&got[0].victim, a, sizeof(a)), "198.51.100.7");
        CHECK_EQ_U(got[0].flows, 10);
        CHECK_STR(got_vec[1], "tcp.horizontal");
        CHECK_EQ_U(got[1].n_victims, 10);
        CHECK_EQ_U(got[1].victim_port, 23);
        CHECK_EQ_U(got[1].type, ASC_INC_SCAN);
    }
}

static void test_scan_ignores_backscatter_and_benign(void)
{
    struct asc_flow f[20];
    size_t n = 0;
    for (int i = 0; i < 12; i++) {
        char dst[32];
        snprintf(dst, sizeof(dst), "203.0.113.%d", i + 1);
        /* answered conversations with payload: benign */
        f[n] = syn_flow("192.0.2.5", dst, 443, i * NS, "ShADadFf");
        f[n].dir[0].pl_bytes = 500;
        f[n].dir[1].pl_bytes = 5000;
        f[n].dir[1].pkts = 5;
        n++;
    }
    for (int i = 0; i < 8; i++) {   /* RST-only flows (answers to backscatter) */
        f[n] = syn_flow("192.0.2.6", "198.51.100.9", (uint16_t)(1000 + i), i * NS, "R");
        f[n].dir[0].tcp_flags = 0x04;
        n++;
    }
    run_detector("scan", NULL, f, n, 100 * NS);
    CHECK_EQ_U(n_got, 0);
}

/* Many hosts on one or two web ports each: more hosts than the per-host
 * Space-Saving table has slots, so entries are taken over; a taken-over
 * count is not a port count of its host. No host was probed on more than
 * two ports, so no vertical scan and no "scanned N ports" with N > 2. */
static void test_scan_many_hosts_few_ports(void)
{
    struct asc_flow f[80];
    size_t n = 0;
    for (int i = 0; i < 40; i++) {
        char dst[32];
        snprintf(dst, sizeof(dst), "203.0.113.%d", i + 1);
        f[n++] = syn_flow("192.0.2.50", dst, 443, i * NS, "S");
        if (i % 4 != 3)     /* three hosts of four also on 80 */
            f[n++] = syn_flow("192.0.2.50", dst, 80, i * NS + NS / 2, "S");
    }
    run_detector("scan", NULL, f, n, 200 * NS);
    CHECK_EQ_U(n_got, 1);
    if (n_got == 1) {
        CHECK_STR(got_vec[0], "tcp.horizontal");
        CHECK_EQ_U(got[0].n_victims, 40);
        CHECK_EQ_U(got[0].victim.family, 0);   /* no victim */
        CHECK_EQ_U(got[0].n_ports, 2);
        CHECK(strstr(got[0].summary, "scanned") == NULL);
        CHECK(strstr(got[0].summary, "40 hosts, 2 ports") != NULL);
    }
    /* the same with block switched off and one host probed on 12 ports
     * before the many hosts: a real vertical scan of that host, all 12 */
    struct asc_conf *cf = asc_conf_new();
    struct asc_err err = {0};
    CHECK(asc_conf_set(cf, "scan.b_hosts=1000", &err) == 0);
    struct asc_flow g[92];
    size_t m = 0;
    for (int i = 0; i < 12; i++)
        g[m++] = syn_flow("192.0.2.50", "198.51.100.7", (uint16_t)(1000 + i), 0, "S");
    for (size_t i = 0; i < n; i++) {
        g[m] = f[i];
        g[m].first += NS;
        g[m++].last += NS;
    }
    run_detector("scan", cf, g, m, 200 * NS);
    CHECK_EQ_U(n_got, 1);
    if (n_got == 1) {
        CHECK_STR(got_vec[0], "tcp.vertical");
        char a[ASC_ADDR_STRLEN];
        CHECK_STR(asc_addr_str(&got[0].victim, a, sizeof(a)), "198.51.100.7");
        CHECK(strstr(got[0].summary, "scanned 12 ports of 198.51.100.7") != NULL);
    }
    /* the many hosts alone with block off: still no vertical scan */
    run_detector("scan", cf, f, n, 200 * NS);
    CHECK_EQ_U(n_got, 1);
    if (n_got == 1)
        CHECK_STR(got_vec[0], "tcp.horizontal");
    asc_conf_free(cf);
}

static void test_bruteforce_window(void)
{
    struct asc_flow f[12];
    for (int i = 0; i < 12; i++) {
        f[i] = syn_flow("192.0.2.1", "198.51.100.22", 22, i * 5 * NS, "ShADadFf");
        f[i].last = f[i].first + 3 * NS;
        f[i].dir[0].pl_bytes = 1200;
        f[i].dir[1].pl_bytes = 1800;
        f[i].dir[1].pkts = 10;
    }
    /* default ssh: 30 in 30 min, 12 connections are not enough */
    run_detector("bruteforce", NULL, f, 12, 1000 * NS);
    CHECK_EQ_U(n_got, 0);
    struct asc_conf *cf = asc_conf_new();
    struct asc_err err = {0};
    CHECK(asc_conf_set(cf, "bruteforce.ssh_count=10", &err) == 0);
    run_detector("bruteforce", cf, f, 12, 1000 * NS);
    CHECK_EQ_U(n_got, 1);
    if (n_got == 1) {
        CHECK_STR(got_vec[0], "ssh");
        CHECK_EQ_U(got[0].flows, 12);
        CHECK_EQ_U(got[0].victim_port, 22);
        CHECK(!got[0].possible_success);
        CHECK_EQ_U(got[0].grade_count[ASC_GRADE_VERIFIED], 1);
    }
    /* a long session after the alarm: possible success */
    struct asc_flow g[13];
    memcpy(g, f, sizeof(f));
    g[12] = f[11];
    g[12].first = 100 * NS;
    g[12].last = 1000 * NS;
    run_detector("bruteforce", cf, g, 13, 2000 * NS);
    CHECK_EQ_U(n_got, 1);
    if (n_got == 1)
        CHECK(got[0].possible_success);
    asc_conf_free(cf);
}

/* Export records (no history, only each side's flags union; payload not
 * counted): connections answered by a SYN-ACK (a stitched reverse record)
 * or ACKed by the client (a one-way client record), with data, are not
 * probes; SYNs alone, or refused by a RST-ACK, are. (A handshake without
 * data is an open-port probe, as for packets: connect() scans look so.) */
static void test_scan_export_records(void)
{
    struct asc_flow f[48];
    size_t n = 0;
    for (int i = 0; i < 12; i++) {
        char dst[32];
        snprintf(dst, sizeof(dst), "203.0.113.%d", i + 1);
        struct asc_flow *x = &f[n++];   /* stitched: client S|A|P, server S|A|P */
        *x = syn_flow("192.0.2.5", dst, 443, i * NS, "");
        x->src_kind = ASC_SRC_NETFLOW;
        x->dir[0] = (struct asc_flow_dir){.pkts = 8, .ip_bytes = 900, .tcp_flags = 0x1a};
        x->dir[1] = (struct asc_flow_dir){.pkts = 9, .ip_bytes = 9000, .tcp_flags = 0x1a};
        x = &f[n++];                    /* one-way client record, ACKs and data */
        *x = syn_flow("192.0.2.6", dst, 443, i * NS, "");
        x->src_kind = ASC_SRC_IPFIX;
        x->dir[0] = (struct asc_flow_dir){.pkts = 6, .ip_bytes = 1400, .tcp_flags = 0x1b};
        x = &f[n++];                    /* SYN alone: a probe */
        *x = syn_flow("192.0.2.7", dst, 23, i * NS, "");
        x->src_kind = ASC_SRC_NETFLOW;
        x = &f[n++];                    /* refused: RST-ACK back */
        *x = syn_flow("192.0.2.8", dst, 22, i * NS, "");
        x->src_kind = ASC_SRC_NETFLOW;
        x->dir[1] = (struct asc_flow_dir){.pkts = 1, .ip_bytes = 40, .tcp_flags = 0x14};
    }
    run_detector("scan", NULL, f, n, 100 * NS);
    CHECK_EQ_U(n_got, 2);
    char a[ASC_ADDR_STRLEN];
    for (size_t i = 0; i < n_got && i < 2; i++) {
        CHECK_STR(got_vec[i], "tcp.horizontal");
        const char *src = asc_addr_str(&got[i].top[0].addr, a, sizeof(a));
        CHECK(strcmp(src, "192.0.2.7") == 0 || strcmp(src, "192.0.2.8") == 0);
    }
}

/* ---- the scan detector's lazy cold part -------------------------------- */

/* A probe of src to dst:dport with its own originator port, VLAN and
 * tunnel id, so that a Community ID or flow key rebuilt from the wrong
 * field differs. */
static struct asc_flow probe_flow(const char *src, int host, uint16_t dport, asc_time t)
{
    char dst[32];
    snprintf(dst, sizeof(dst), "203.0.113.%d", host);
    struct asc_flow f = syn_flow(src, dst, dport, t, "S");
    f.key.orig_port = (uint16_t)(41000 + 7 * host + dport);
    f.key.vlan = (uint16_t)(100 + host);
    f.key.tun_id = 5000u + (uint32_t)host;
    f.dir[0].pkts = 1 + (uint64_t)host % 3;
    f.dir[0].ip_bytes = 44 * f.dir[0].pkts;
    return f;
}

/* A zmap SYN (IPv4 id 54321) of src: scan_on_pkt gives its source a table
 * entry whose cold part is set up at once, before any flow. */
static struct asc_pkt zmap_syn(const char *src, asc_time t)
{
    struct asc_pkt p;
    memset(&p, 0, sizeof(p));
    p.ts = t;
    p.n_ipl = 1;
    struct asc_ipl *l = &p.ipl[0];
    l->ipver = 4;
    l->proto = 6;
    l->l4_ok = true;
    l->ip_id = 54321;
    l->tcp_flags = 0x02;
    asc_addr_parse(src, &l->src);
    asc_addr_parse("198.51.100.200", &l->dst);
    l->sport = 40000;
    l->dport = 80;
    return p;
}

/* When set, run_scan shows each run of up to 16 flows to the detector's
 * look-ahead before handling them, as the pipeline does. */
static bool lookahead;

/* Runs the scan detector on n flows (after a zmap SYN of eager_src when
 * not NULL); the incidents land in got[], the src_evicted stat in *evicted. */
static void run_scan(struct asc_conf *cf, const char *eager_src, const struct asc_flow *flows,
                     size_t n, asc_time end, uint64_t *evicted)
{
    const struct asc_detector_ops *d = asc_detector_find("scan");
    struct asc_det_env env = {.conf = cf, .grader = NULL};
    void *st = NULL;
    struct asc_err err = {0};
    n_got = 0;
    CHECK(d && d->init(&env, &st, &err) == 0);
    if (!d || !st)
        return;
    if (eager_src) {
        struct asc_pkt p = zmap_syn(eager_src, 0);
        d->on_pkt(st, &p, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        if (lookahead && i % 16 == 0) {
            const struct asc_flow *fs[16];
            size_t m = n - i < 16 ? n - i : 16;
            for (size_t j = 0; j < m; j++)
                fs[j] = &flows[i + j];
            CHECK(d->prefetch_flows != NULL);
            if (d->prefetch_flows)
                d->prefetch_flows(st, fs, m);
        }
        d->on_flow_end(st, &flows[i]);
    }
    struct asc_emitter em = {.ctx = NULL, .emit = collect};
    d->on_tick(st, end, true, &em);
    struct asc_det_stat stats[8];
    size_t ns = d->stats(st, stats);
    for (size_t i = 0; i < ns; i++)
        if (!strcmp(stats[i].name, "src_evicted"))
            *evicted = stats[i].value;
    d->fini(st);
}

/* The incident of a horizontal scan by src over flows[from..to): what the
 * flows themselves say, computed here, not by the detector. */
static void check_scan_of(const struct asc_incident *inc, const struct asc_flow *f, size_t from,
                          size_t to)
{
    uint64_t pkts = 0;
    for (size_t i = from; i < to; i++)
        pkts += f[i].dir[0].pkts;
    CHECK_EQ_U(inc->flows, to - from);
    CHECK_EQ_U(inc->n_victims, to - from);        /* one probe per host */
    CHECK_EQ_U(inc->pkts, pkts);
    CHECK(inc->start == f[from].first);
    CHECK(inc->end == f[to - 1].last);
    size_t nc = to - from < ASC_INC_CIDS ? to - from : ASC_INC_CIDS;
    CHECK_EQ_U(inc->n_cids, nc);
    for (size_t i = 0; i < nc && i < inc->n_cids; i++) {
        char want[sizeof(inc->cids[0])];
        asc_community_id(&f[from + i].key, 0, want, sizeof(want));
        CHECK_STR(inc->cids[i], want);
    }
}

/* A source whose first probe stays in its hot part and that materialises
 * at its second reports the same hosts, ports, flows and Community IDs
 * (the first one included, in order) as the same source whose cold part
 * was set up before its first flow (by a fingerprinted SYN; fp_share > 1
 * keeps the fingerprint out of the incident). */
static void test_scan_lazy_replay(void)
{
    struct asc_flow f[12];
    for (int i = 0; i < 12; i++)   /* 12 hosts; ports 22 and 23 */
        f[i] = probe_flow("192.0.2.77", i + 1, (uint16_t)(22 + i % 2), i * NS);
    struct asc_conf *cf = asc_conf_new();
    struct asc_err err = {0};
    CHECK(asc_conf_set(cf, "scan.fp_share=2", &err) == 0);
    uint64_t ev = 0;
    run_scan(cf, NULL, f, 12, 100 * NS, &ev);
    CHECK_EQ_U(n_got, 1);
    struct asc_incident lazy = got[0];
    char lazy_sum[200];
    snprintf(lazy_sum, sizeof(lazy_sum), "%s", got_sum[0]);
    if (n_got == 1) {
        CHECK_STR(got_vec[0], "tcp.horizontal");
        check_scan_of(&lazy, f, 0, 12);
        CHECK_EQ_U(lazy.n_ports, 2);
        CHECK(strstr(lazy_sum, "12 hosts, 2 ports") != NULL);
    }
    run_scan(cf, "192.0.2.77", f, 12, 100 * NS, &ev);
    CHECK_EQ_U(n_got, 1);
    if (n_got == 1) {
        CHECK(got[0].fingerprint == NULL);
        CHECK_STR(got_sum[0], lazy_sum);
        CHECK_EQ_U(got[0].n_victims, lazy.n_victims);
        CHECK_EQ_U(got[0].n_ports, lazy.n_ports);
        for (size_t i = 0; i < got[0].n_ports && i < lazy.n_ports; i++)
            CHECK_EQ_U(got[0].ports[i], lazy.ports[i]);
        CHECK(got[0].severity == lazy.severity);
        check_scan_of(&got[0], f, 0, 12);
    }
    /* ICMP echo (type 8 in orig_port): the first probe's type and code
     * come back from the hot part */
    struct asc_flow g[20];
    for (int i = 0; i < 20; i++) {
        g[i] = probe_flow("192.0.2.78", i + 1, 0, i * NS);
        g[i].key.proto = 1;
        g[i].key.orig_port = 8;
        g[i].dir[0].tcp_flags = 0;
        g[i].history[0] = 0;
    }
    run_scan(NULL, NULL, g, 20, 100 * NS, &ev);
    CHECK_EQ_U(n_got, 1);
    if (n_got == 1) {
        CHECK_STR(got_vec[0], "icmp.sweep");
        check_scan_of(&got[0], g, 0, 20);
    }
    asc_conf_free(cf);
}

/* A source evicted before it materialised, or gone idle after one probe,
 * starts again from nothing: its old probe is not replayed into its new
 * period, nor into the next source of the way. */
static void test_scan_lazy_evicted(void)
{
    struct asc_flow f[32];
    size_t n = 0;
    f[n++] = probe_flow("192.0.2.10", 200, 80, 0);       /* one probe, then evicted */
    for (int i = 0; i < 8; i++) {                       /* eight others fill the set */
        char src[32];
        snprintf(src, sizeof(src), "192.0.2.%d", 20 + i);
        f[n++] = probe_flow(src, 150 + i, 443, (1 + i) * NS);
    }
    size_t from = n;
    for (int i = 0; i < 10; i++)                        /* back: 10 hosts on 23 */
        f[n++] = probe_flow("192.0.2.10", i + 1, 23, (10 + i) * NS);
    struct asc_conf *cf = asc_conf_new();
    struct asc_err err = {0};
    CHECK(asc_conf_set(cf, "scan.max_sources=8", &err) == 0);
    uint64_t ev = 0;
    run_scan(cf, NULL, f, n, 100 * NS, &ev);
    CHECK_EQ_U(ev, 2);     /* 192.0.2.10, then the idlest other when it came back */
    CHECK_EQ_U(n_got, 1);
    if (n_got == 1) {
        CHECK_STR(got_vec[0], "tcp.horizontal");
        CHECK_EQ_U(got[0].victim_port, 23);
        CHECK_EQ_U(got[0].n_ports, 1);
        check_scan_of(&got[0], f, from, n);
    }
    /* idle: one probe, an hour and more of nothing, then a scan */
    n = 0;
    f[n++] = probe_flow("192.0.2.10", 200, 80, 0);
    for (int i = 0; i < 10; i++)
        f[n++] = probe_flow("192.0.2.10", i + 1, 23, (4000 + i) * NS);
    run_scan(NULL, NULL, f, n, 5000 * NS, &ev);
    CHECK_EQ_U(n_got, 1);
    if (n_got == 1)
        check_scan_of(&got[0], f, 1, n);
    asc_conf_free(cf);
}

/* The look-ahead changes nothing: a set filled, its sources evicted and
 * returning, free ways and held ones, with small tables (max_sources=8:
 * one set) give the same incidents and evictions with and without it. */
static void test_scan_lookahead_same(void)
{
    struct asc_flow f[200];
    size_t n = 0;
    for (int i = 0; i < 200; i++) {   /* two scanners and eleven one-probe sources */
        char src[32];
        snprintf(src, sizeof(src), "192.0.2.%d", i % 2 ? 100 + i % 11 : 1 + i % 4 / 2);
        f[n++] = probe_flow(src, i % 2 ? 200 : 1 + i / 4, (uint16_t)(20 + i % 3), i * NS);
    }
    const char *sets[] = {"scan.max_sources=8", "scan.max_sources=64"};
    for (size_t k = 0; k < 2; k++) {
        struct asc_conf *cf = asc_conf_new();
        struct asc_err err = {0};
        CHECK(asc_conf_set(cf, sets[k], &err) == 0);
        uint64_t ev0 = 0, ev1 = 0;
        lookahead = false;
        run_scan(cf, NULL, f, n, 1000 * NS, &ev0);
        size_t n0 = n_got;
        char sums[8][420];
        for (size_t i = 0; i < n0 && i < 8; i++)
            snprintf(sums[i], sizeof(sums[i]), "%.200s %.200s", got_vec[i], got_sum[i]);
        lookahead = true;
        run_scan(cf, NULL, f, n, 1000 * NS, &ev1);
        lookahead = false;
        CHECK_EQ_U(n0, 2);
        CHECK(k == 1 || ev0 > 0);
        CHECK_EQ_U(n_got, n0);
        CHECK_EQ_U(ev1, ev0);
        for (size_t i = 0; i < n0 && i < n_got && i < 8; i++) {
            char s1[420];
            snprintf(s1, sizeof(s1), "%.200s %.200s", got_vec[i], got_sum[i]);
            CHECK_STR(s1, sums[i]);
        }
        asc_conf_free(cf);
    }
}

/* The first contact held in the hot part counts as contacted once the
 * source materialises: a second answered connection to the same host is
 * no new first contact, so the random walk takes one success and five
 * failures (+4: scanner). Were it a new host, two successes and five
 * failures (+3) would leave the walk pending. */
static void test_scan_lazy_contact(void)
{
    struct asc_conf *cf = asc_conf_new();
    struct asc_err err = {0};
    CHECK(asc_conf_set(cf, "scan.trw_min_hosts=5", &err) == 0);
    for (int again = 0; again < 2; again++) {
        struct asc_flow f[8];
        size_t n = 0;
        for (int k = 0; k < 2; k++) {   /* answered, with data: contacts, not probes */
            f[n] = syn_flow("192.0.2.90", k && !again ? "198.51.100.2" : "198.51.100.1", 443,
                            k * NS, "ShADadFf");
            f[n].dir[0].pl_bytes = 300;
            f[n].dir[1].pl_bytes = 3000;
            f[n++].dir[1].pkts = 4;
        }
        for (int i = 0; i < 5; i++)
            f[n++] = probe_flow("192.0.2.90", i + 1, 80, (2 + i) * NS);
        uint64_t ev = 0;
        run_scan(cf, NULL, f, n, 100 * NS, &ev);
        CHECK_EQ_U(n_got, (size_t)again);
        if (again && n_got == 1) {
            CHECK_STR(got_vec[0], "tcp.horizontal");
            check_scan_of(&got[0], f, 2, n);
        }
    }
    asc_conf_free(cf);
}

/* Settings under which one failed probe already makes a scanner (a
 * single TRW step reaches log(pd/pf), trw_min_hosts 1): the first probe is
 * not held back, the source alarms on it and reports it. */
static void test_scan_lazy_first_alarms(void)
{
    struct asc_conf *cf = asc_conf_new();
    struct asc_err err = {0};
    const char *set[] = {"scan.theta0=0.99", "scan.theta1=0.01", "scan.pd=0.99",
                         "scan.pf=0.01", "scan.trw_min_hosts=1"};
    for (size_t i = 0; i < ASC_ARRAY_LEN(set); i++)
        CHECK(asc_conf_set(cf, set[i], &err) == 0);
    struct asc_flow f[1] = {probe_flow("192.0.2.91", 9, 8080, 5 * NS)};
    uint64_t ev = 0;
    run_scan(cf, NULL, f, 1, 100 * NS, &ev);
    CHECK_EQ_U(n_got, 1);
    if (n_got == 1) {
        CHECK_STR(got_vec[0], "tcp.vertical");
        CHECK_EQ_U(got[0].victim_port, 8080);
        check_scan_of(&got[0], f, 0, 1);
    }
    asc_conf_free(cf);
}

TEST_MAIN(T(test_scan_lookahead_same), T(test_trw_steps), T(test_trw_invalid), T(test_window), T(test_set),
          T(test_scan_vertical_and_horizontal), T(test_scan_ignores_backscatter_and_benign),
          T(test_scan_many_hosts_few_ports), T(test_scan_export_records),
          T(test_scan_lazy_replay), T(test_scan_lazy_evicted),
          T(test_scan_lazy_contact), T(test_scan_lazy_first_alarms),
          T(test_bruteforce_window))
