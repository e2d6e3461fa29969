/*
 * test_intel_det.c - the known-bad contact detector (src/detect/intel.c)
 * through its vtable, on synthetic flow records: vector normalisation,
 * direction, both ends listed, the 64-host bound with the distinct count
 * beyond it, special-purpose addresses, the indicator cap and the order of
 * the incidents. The lists are files this test writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attrib/grade.h"
#include "core/conf.h"
#include "detect/detector.h"
#include "enrich/enrich.h"
#include "harness.h"

extern const struct asc_detector_ops asc_detector_intel;

#define MAX_GOT 64

/* What the emitter saw, copied (the incident is borrowed). */
struct got {
    size_t n, total;
    char indicator[MAX_GOT][ASC_ADDR_STRLEN];
    char vector[MAX_GOT][16];
    char list0[MAX_GOT][32];
    size_t n_lists[MAX_GOT], n_hosts[MAX_GOT];
    uint8_t direction[MAX_GOT];
    uint64_t victims[MAX_GOT], flows[MAX_GOT], bytes[MAX_GOT];
    char first_host[MAX_GOT][ASC_ADDR_STRLEN];
    double dropped[MAX_GOT];
};

static void on_emit(void *ctx, const struct asc_incident *inc)
{
    struct got *g = ctx;
    g->total++;
    if (g->n >= MAX_GOT || !inc->intel)
        return;
    size_t i = g->n++;
    asc_addr_str(&inc->intel->indicator, g->indicator[i], sizeof(g->indicator[i]));
    snprintf(g->vector[i], sizeof(g->vector[i]), "%s", inc->vector);
    snprintf(g->list0[i], sizeof(g->list0[i]), "%s",
             inc->intel->n_lists ? inc->intel->lists[0].name : "");
    g->n_lists[i] = inc->intel->n_lists;
    g->n_hosts[i] = inc->intel->n_hosts;
    g->direction[i] = inc->intel->direction;
    g->victims[i] = inc->n_victims;
    g->flows[i] = inc->flows;
    g->bytes[i] = inc->bytes;
    if (inc->intel->n_hosts)
        asc_addr_str(&inc->intel->hosts[0].addr, g->first_host[i], sizeof(g->first_host[i]));
    for (size_t k = 0; k < inc->n_params; k++)
        if (!strcmp(inc->params[k].name, "indicators_dropped"))
            g->dropped[i] = inc->params[k].value;
}

static char list_a[64], list_b[64];

static void write_lists(void)
{
    snprintf(list_a, sizeof(list_a), "/tmp/asc_intel_det_a_%d.txt", (int)getpid());
    snprintf(list_b, sizeof(list_b), "/tmp/asc_intel_det_b_%d.txt", (int)getpid());
    FILE *f = fopen(list_a, "w");
    fputs("198.51.7.0/24\n203.0.114.9\n10.0.0.0/8\n", f);
    fclose(f);
    f = fopen(list_b, "w");
    fputs("203.0.114.9\n185.220.101.1\n", f);
    fclose(f);
}

static struct asc_enricher *open_enr(void)
{
    char a[128], b[128];
    snprintf(a, sizeof(a), "alpha,bruteforce,2025-01-02=%s", list_a);
    snprintf(b, sizeof(b), "beta,reputation=%s", list_b);
    const char *intel[] = {a, b};
    struct asc_enrich_conf cf = {.intel_files = intel, .n_intel = 2, .no_default = true};
    struct asc_enricher *e = NULL;
    struct asc_err err = {0};
    CHECK(asc_enrich_open(&cf, &e, &err) == 0);
    return e;
}

static struct asc_flow mkflow(const char *orig, const char *resp, uint16_t dport, double t,
                              uint32_t pkts0, uint32_t pkts1)
{
    struct asc_flow f;
    memset(&f, 0, sizeof(f));
    asc_addr_parse(orig, &f.key.orig);
    asc_addr_parse(resp, &f.key.resp);
    f.key.proto = 6;
    f.key.orig_port = 40000;
    f.key.resp_port = dport;
    f.first = (asc_time)(t * 1e9);
    f.last = f.first + ASC_NS_PER_SEC;
    f.dir[0].pkts = pkts0;
    f.dir[0].ip_bytes = 100ull * pkts0;
    f.dir[1].pkts = pkts1;
    f.dir[1].ip_bytes = 100ull * pkts1;
    f.dir[0].ttl_max = 64;
    f.dir[1].ttl_max = 50;
    return f;
}

/* Runs the detector over n flows with the given settings; fills g. */
static void run(struct asc_enricher *e, const char *const *sets, const struct asc_flow *fl,
                size_t n, struct got *g)
{
    struct asc_conf *conf = asc_conf_new();
    struct asc_err err = {0};
    for (size_t i = 0; sets && sets[i]; i++)
        CHECK(asc_conf_set(conf, sets[i], &err) == 0);
    struct asc_grader gr = {.enr = e, .hops = NULL};
    struct asc_det_env env = {.conf = conf, .grader = &gr};
    void *st = NULL;
    memset(g, 0, sizeof(*g));
    CHECK(asc_detector_intel.init(&env, &st, &err) == 0);
    for (size_t i = 0; i < n; i++)
        asc_detector_intel.on_flow_end(st, &fl[i]);
    struct asc_emitter em = {.ctx = g, .emit = on_emit};
    asc_detector_intel.on_tick(st, 1000 * ASC_NS_PER_SEC, false, &em);
    CHECK(g->n == 0); /* nothing before the final tick */
    asc_detector_intel.on_tick(st, 2000 * ASC_NS_PER_SEC, true, &em);
    asc_detector_intel.fini(st);
    asc_conf_free(conf);
}

static void test_contacts(void)
{
    struct asc_enricher *e = open_enr();
    if (!e)
        return;
    struct asc_flow fl[200];
    size_t n = 0;
    fl[n++] = mkflow("10.1.1.1", "198.51.7.20", 443, 10, 5, 4);   /* outbound, alpha */
    fl[n++] = mkflow("198.51.7.20", "10.1.1.2", 22, 11, 3, 0);    /* inbound: both */
    fl[n++] = mkflow("203.0.114.9", "185.220.101.1", 80, 5, 2, 2); /* both ends listed */
    fl[n++] = mkflow("10.1.1.3", "8.8.8.8", 53, 1, 1, 1);         /* nobody listed */
    for (int h = 0; h < 100; h++) {                               /* 100 hosts, one indicator */
        char a[32];
        snprintf(a, sizeof(a), "10.2.%d.%d", h / 50, h % 50 + 1);
        fl[n++] = mkflow(a, "198.51.7.99", 8080, 20 + h, 1, 0);
    }
    struct got g;
    run(e, NULL, fl, n, &g);
    CHECK_EQ_U(g.n, 4);
    CHECK_EQ_U(g.total, 4);
    /* first seen order: 185.220.101.1 (t=5, beta) and 203.0.114.9 (t=5, alpha and beta),
     * tie broken by address; 198.51.7.20 (t=10), 198.51.7.99 (t=20) */
    CHECK_STR(g.indicator[0], "185.220.101.1");
    CHECK_STR(g.indicator[1], "203.0.114.9");
    CHECK_STR(g.indicator[2], "198.51.7.20");
    CHECK_STR(g.indicator[3], "198.51.7.99");
    CHECK_STR(g.vector[0], "other");   /* beta: reputation -> other */
    CHECK_STR(g.vector[1], "scanner"); /* alpha (first in list order): bruteforce -> scanner */
    CHECK_EQ_U(g.n_lists[1], 2);
    CHECK_STR(g.list0[1], "alpha");
    CHECK_STR(g.first_host[0], "203.0.114.9"); /* both listed: each the other's host */
    CHECK_EQ_U(g.direction[0], ASC_INTEL_OUTBOUND);
    CHECK_EQ_U(g.direction[1], ASC_INTEL_INBOUND);
    CHECK_EQ_U(g.direction[2], ASC_INTEL_BOTH);
    CHECK_EQ_U(g.flows[2], 2);
    CHECK_EQ_U(g.bytes[2], 900 + 300);
    CHECK_STR(g.first_host[2], "10.1.1.1"); /* most bytes first */
    CHECK_EQ_U(g.n_hosts[3], 64);
    CHECK(g.victims[3] >= 97 && g.victims[3] <= 103); /* 64 exact + HLL of 36 */
    CHECK_EQ_U(g.flows[3], 100);
    /* 10.0.0.0/8 is on alpha but private: never an indicator by default */
    for (size_t i = 0; i < g.n; i++)
        CHECK(strncmp(g.indicator[i], "10.", 3) != 0);
    const char *sp[] = {"intel.special=1", NULL};
    run(e, sp, fl, n, &g);
    CHECK_EQ_U(g.total, 4 + 3 + 100); /* plus 10.1.1.1-3 and the 100 hosts of 10.2/16 */
    asc_enrich_close(e);
}

static void test_cap(void)
{
    struct asc_enricher *e = open_enr();
    if (!e)
        return;
    struct asc_flow fl[3] = {mkflow("10.1.1.1", "198.51.7.1", 80, 1, 1, 1),
                             mkflow("10.1.1.1", "198.51.7.2", 80, 2, 1, 1),
                             mkflow("10.1.1.1", "198.51.7.3", 80, 3, 1, 1)};
    const char *sets[] = {"intel.max_indicators=2", NULL};
    struct got g;
    run(e, sets, fl, 3, &g);
    CHECK_EQ_U(g.n, 2);
    CHECK(g.dropped[0] == 1 && g.dropped[1] == 1);
    struct asc_conf *conf = asc_conf_new();
    struct asc_err err = {0};
    asc_conf_set(conf, "intel.max_indicators=0", &err);
    struct asc_det_env env = {.conf = conf, .grader = NULL};
    void *st = NULL;
    CHECK(asc_detector_intel.init(&env, &st, &err) != 0);
    asc_conf_free(conf);
    asc_enrich_close(e);
}

static void test_no_lists(void)
{
    /* no enricher: the detector runs and finds nothing */
    struct asc_flow f = mkflow("10.1.1.1", "198.51.7.1", 80, 1, 1, 1);
    struct got g;
    run(NULL, NULL, &f, 1, &g);
    CHECK_EQ_U(g.n, 0);
}

static void setup(void)
{
    write_lists();
}
static void teardown(void)
{
    unlink(list_a);
    unlink(list_b);
}

TEST_MAIN(T(setup), T(test_contacts), T(test_cap), T(test_no_lists), T(teardown))
