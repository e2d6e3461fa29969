/*
 * test_scan.c - the helpers of the scan, backscatter and brute-force
 * detectors (src/detect/scan_util.h): threshold random walk arithmetic,
 * the exact sliding window and the bounded set; then the scan and
 * brute-force detectors driven with synthetic flow records through their
 * vtables.
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
    struct scan_set s;
    scan_set_init(&s, 1000, &budget);
    CHECK(scan_set_add(&s, 0) == 1);     /* 0 is a valid key */
    CHECK(scan_set_add(&s, 0) == 0);
    CHECK(scan_set_has(&s, 0));
    int added = 0, refused = 0;
    for (uint64_t k = 1; k < 200; k++) {
        int r = scan_set_add(&s, k * 7919);
        added += r == 1;
        refused += r == -1;
    }
    /* 64 slots at load 3/4: at most 48 keys, the rest refused and counted */
    CHECK(s.n <= 48);
    CHECK_EQ_U(s.refused, (uint64_t)refused);
    CHECK(refused > 0);
    CHECK(scan_set_has(&s, 7919));
    scan_set_fini(&s);
    CHECK_EQ_U(budget, 64);
    scan_set_init(&s, 5, NULL);
    for (uint64_t k = 1; k <= 10; k++)
        scan_set_add(&s, k);
    CHECK_EQ_U(s.n, 5);
    CHECK_EQ_U(s.refused, 5);
    scan_set_fini(&s);
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

TEST_MAIN(T(test_trw_steps), T(test_trw_invalid), T(test_window), T(test_set),
          T(test_scan_vertical_and_horizontal), T(test_scan_ignores_backscatter_and_benign),
          T(test_scan_many_hosts_few_ports), T(test_scan_export_records),
          T(test_bruteforce_window))
