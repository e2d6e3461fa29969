/*
 * test_flood_rec.c - the flood detector on flow-export records
 * (src/detect/flood_rec.c): packets spread over [first, last], lateness
 * bounded by flood.lateness, sampled incidents marked, and evidence grades
 * of one-way versus stitched records. Records are built here by hand.
 */
#include <math.h>

#include "attrib/grade.h"
#include "core/conf.h"
#include "detect/detector.h"
#include "harness.h"

#define T0 (INT64_C(1700000000) * ASC_NS_PER_SEC)

struct got {
    size_t n;
    char vector[8][40], summary[8][240], victim[8][ASC_ADDR_STRLEN];
    uint64_t pkts[8], nsrc[8], verified[8], reflector[8];
    double peak[8], sampling[8];
    asc_time start[8];
};

static void on_inc(void *ctx, const struct asc_incident *inc)
{
    struct got *g = ctx;
    if (g->n >= 8)
        return;
    size_t i = g->n++;
    snprintf(g->vector[i], sizeof(g->vector[i]), "%s", inc->vector);
    snprintf(g->summary[i], sizeof(g->summary[i]), "%s", inc->summary ? inc->summary : "");
    asc_addr_str(&inc->victim, g->victim[i], sizeof(g->victim[i]));
    g->pkts[i] = inc->pkts;
    g->nsrc[i] = inc->n_sources;
    g->verified[i] = inc->grade_count[ASC_GRADE_VERIFIED];
    g->reflector[i] = inc->grade_count[ASC_GRADE_REFLECTOR];
    g->peak[i] = inc->peak_pps;
    g->start[i] = inc->start;
    g->sampling[i] = -1;
    for (size_t k = 0; k < inc->n_params; k++)
        if (!strcmp(inc->params[k].name, "sampling"))
            g->sampling[i] = inc->params[k].value;
}

struct det {
    const struct asc_detector_ops *ops;
    void *st;
    struct asc_conf *conf;
    struct asc_grader gr;
};

static void det_start(struct det *d, const char *set)
{
    struct asc_err err = {0};
    d->ops = asc_detector_find("flood");
    d->conf = asc_conf_new();
    if (set)
        CHECK(asc_conf_set(d->conf, set, &err) == 0);
    d->gr = (struct asc_grader){0};
    struct asc_det_env env = {.conf = d->conf, .grader = &d->gr};
    CHECK(d->ops && d->ops->init(&env, &d->st, &err) == 0);
}

static void det_end(struct det *d, asc_time last, struct got *g)
{
    struct asc_emitter em = {g, on_inc};
    d->ops->on_tick(d->st, last + ASC_NS_PER_SEC, true, &em);
    d->ops->fini(d->st);
    asc_conf_free(d->conf);
}

static struct asc_flow rec(unsigned src, const char *dst, uint8_t proto, uint16_t sport,
                           asc_time first, asc_time last, uint32_t pkts)
{
    struct asc_flow f = {0};
    char a[32];
    snprintf(a, sizeof(a), "198.51.%u.%u", (src >> 8) & 255, src & 255);
    asc_addr_parse(a, &f.key.orig);
    asc_addr_parse(dst, &f.key.resp);
    f.key.proto = proto;
    f.key.orig_port = sport;
    f.key.resp_port = 4444;
    f.first = first;
    f.last = last;
    f.dir[0].pkts = pkts;
    f.dir[0].ip_bytes = (uint64_t)pkts * 100;
    f.src_kind = ASC_SRC_IPFIX;
    f.flags = ASC_FF_ONEWAY;
    f.sampling = 1;
    return f;
}

/* 20 NTP reflectors, 500 packets each over 10 s: 1000 pkt/s, not 10000. */
static void test_spread(void)
{
    struct det d;
    struct got g = {0};
    det_start(&d, NULL);
    for (unsigned s = 0; s < 20; s++) {
        struct asc_flow f = rec(s, "203.0.113.7", 17, 123, T0, T0 + 9 * ASC_NS_PER_SEC + 5, 500);
        d.ops->on_flow_end(d.st, &f);
    }
    det_end(&d, T0 + 10 * ASC_NS_PER_SEC, &g);
    CHECK_EQ_U(g.n, 1);
    CHECK_STR(g.vector[0], "udp.ntp-amp");
    CHECK_EQ_U(g.pkts[0], 10000);
    CHECK(fabs(g.peak[0] - 1000) < 1e-9);
    CHECK_EQ_U(g.nsrc[0], 20);
    CHECK_EQ_U(g.reflector[0], 20);
    CHECK_EQ_U(g.start[0], T0);
    CHECK(g.sampling[0] == 1);
    CHECK(strstr(g.summary[0], "flow records") != NULL);
}

/* 300 one-way SYNs of second T0 arrive after a record of T0+30: within
 * the default lateness (60 s) they count in their own second; with
 * lateness 5 they are late and join the oldest open second. */
static void lateness_case(const char *set, asc_time want_start)
{
    struct det d;
    struct got g = {0};
    det_start(&d, set);
    struct asc_flow early = rec(999, "203.0.113.9", 17, 5000, T0 + 30 * ASC_NS_PER_SEC,
                                T0 + 30 * ASC_NS_PER_SEC, 1);
    d.ops->on_flow_end(d.st, &early);
    for (unsigned s = 0; s < 300; s++) {
        struct asc_flow f = rec(s, "203.0.113.8", 6, 40000, T0 + s, T0 + s, 1);
        f.dir[0].tcp_flags = ASC_TH_SYN;
        d.ops->on_flow_end(d.st, &f);
    }
    det_end(&d, T0 + 31 * ASC_NS_PER_SEC, &g);
    CHECK_EQ_U(g.n, 1);
    CHECK_STR(g.vector[0], "tcp.syn");
    CHECK_EQ_U(g.pkts[0], 300);
    CHECK_EQ_U(g.start[0] / ASC_NS_PER_SEC, want_start / ASC_NS_PER_SEC);
}

static void test_lateness(void)
{
    lateness_case(NULL, T0);
    lateness_case("flood.lateness=5", T0 + 25 * ASC_NS_PER_SEC);
}

/* A stitched handshake verifies its originator; a one-way record with the
 * same flags does not. In a SYN flood, 10 such sources are verified. */
static void test_grades(void)
{
    struct asc_flow st = rec(1, "203.0.113.10", 6, 40000, T0, T0, 3);
    st.flags = ASC_FF_STITCHED;
    st.dir[0].tcp_flags = ASC_TH_SYN | ASC_TH_ACK;
    st.dir[1].tcp_flags = ASC_TH_SYN | ASC_TH_ACK;
    st.dir[1].pkts = 2;
    CHECK(asc_flow_verifies_orig(&st));
    struct asc_flow ow = st;
    ow.flags = ASC_FF_ONEWAY;
    ow.dir[1] = (struct asc_flow_dir){0};
    CHECK(!asc_flow_verifies_orig(&ow));
    struct asc_flow half = st;
    half.dir[1].tcp_flags = ASC_TH_RST | ASC_TH_ACK;   /* refused: no SYN-ACK */
    CHECK(!asc_flow_verifies_orig(&half));

    struct det d;
    struct got g = {0};
    det_start(&d, NULL);
    for (unsigned s = 0; s < 200; s++) {
        struct asc_flow f = rec(s, "203.0.113.10", 6, 40000, T0, T0, 1);
        f.dir[0].tcp_flags = ASC_TH_SYN;
        if (s < 10) {
            f = st;
            f.key.orig.b[15] = (uint8_t)s;
            f.key.orig.b[14] = 0;
        }
        d.ops->on_flow_end(d.st, &f);
    }
    det_end(&d, T0, &g);
    CHECK_EQ_U(g.n, 1);
    CHECK_EQ_U(g.pkts[0], 200);     /* one SYN per handshaken record */
    CHECK_EQ_U(g.verified[0], 10);
}

/* Sampled records: counts are already scaled; the incident says so. */
static void test_sampled(void)
{
    struct det d;
    struct got g = {0};
    det_start(&d, NULL);
    for (unsigned s = 0; s < 10; s++) {
        struct asc_flow f = rec(s, "203.0.113.11", 17, 53, T0, T0, 100);
        f.sampled = 1;
        f.sampling = 100;
        d.ops->on_flow_end(d.st, &f);
    }
    det_end(&d, T0, &g);
    CHECK_EQ_U(g.n, 1);
    CHECK_STR(g.vector[0], "udp.dns-amp");
    CHECK(g.sampling[0] == 100);
    CHECK(strstr(g.summary[0], "sampled 1:100") != NULL);
}

/* A record's shares are a step: 1003 packets over 10 s are 101 in each of
 * the first 3 seconds and 100 after (one rate change at the third). Ten
 * such reflectors: 1010 pkt/s at the peak, 10030 packets in all. */
static void test_step(void)
{
    struct det d;
    struct got g = {0};
    det_start(&d, NULL);
    for (unsigned s = 0; s < 10; s++) {
        struct asc_flow f = rec(s, "203.0.113.12", 17, 123, T0, T0 + 9 * ASC_NS_PER_SEC, 1003);
        d.ops->on_flow_end(d.st, &f);
    }
    det_end(&d, T0 + 10 * ASC_NS_PER_SEC, &g);
    CHECK_EQ_U(g.n, 1);
    CHECK_STR(g.vector[0], "udp.ntp-amp");
    CHECK_EQ_U(g.pkts[0], 10030);
    CHECK(fabs(g.peak[0] - 1010) < 1e-9);
}

/* Two bursts 5 s apart (under `quiet`) make one incident: in the gap the
 * victim's slot has no records and stops being listed; the second burst's
 * records, written while it was not, are found again (its entry holds the
 * incident). 30,000 one-packet records to other destinations, in the same
 * seconds, share slots with the victim's and must not be counted in it. */
static void test_gap_and_crowd(void)
{
    struct det d;
    struct got g = {0};
    det_start(&d, NULL);
    for (int burst = 0; burst < 2; burst++) {
        asc_time t = T0 + burst * 10 * ASC_NS_PER_SEC;
        for (unsigned s = 0; s < 20; s++) {
            struct asc_flow f = rec(s, "203.0.113.13", 17, 123, t, t + 4 * ASC_NS_PER_SEC, 500);
            d.ops->on_flow_end(d.st, &f);
        }
        for (unsigned k = 0; k < 15000; k++) {
            char a[32];
            struct asc_flow f = rec(k, "0.0.0.0", 17, 123, t, t, 1);
            snprintf(a, sizeof(a), "100.64.%u.%u", k >> 8, k & 255);
            asc_addr_parse(a, &f.key.resp);
            d.ops->on_flow_end(d.st, &f);
        }
    }
    det_end(&d, T0 + 15 * ASC_NS_PER_SEC, &g);
    CHECK_EQ_U(g.n, 1);
    CHECK_STR(g.vector[0], "udp.ntp-amp");
    CHECK_EQ_U(g.pkts[0], 20000);
    CHECK(fabs(g.peak[0] - 2000) < 1e-9);
    CHECK_EQ_U(g.nsrc[0], 20);
}

/* Records of one client connection to 203.0.113.20:443 from client c at
 * t: the client's side SYN, ACK, data, FIN (6 packets); the server's
 * SYN-ACK and data (5). Every 7th client was seen one way (an asymmetric
 * route: the server's side was not exported). */
static struct asc_flow busy_conn(unsigned c, asc_time t)
{
    struct asc_flow f = rec(c, "203.0.113.20", 6, (uint16_t)(1024 + c), t, t + 300000000, 6);
    f.key.resp_port = 443;
    f.dir[0].ip_bytes = 600;
    f.dir[0].tcp_flags = ASC_TH_SYN | ASC_TH_ACK | ASC_TH_PSH | ASC_TH_FIN;
    if (c % 7) {
        f.flags = ASC_FF_STITCHED;
        f.dir[1] = (struct asc_flow_dir){.pkts = 5, .ip_bytes = 6000,
                                         .tcp_flags = ASC_TH_SYN | ASC_TH_ACK | ASC_TH_PSH |
                                                      ASC_TH_FIN};
    }
    return f;
}

/* A spoofed SYN to 203.0.113.21:80 from source s at t, answered: the
 * victim's SYN-ACK and its two retransmissions come back in the stitched
 * record. Every 5th spoofed address is a real host, which resets the
 * unsolicited SYN-ACK (a bare RST: its side is SYN and RST, 2 packets);
 * every 3rd source sent its SYN twice. */
static struct asc_flow spoofed_syn(unsigned s, asc_time t)
{
    uint32_t n = s % 3 ? 1 : 2;
    struct asc_flow f = rec(s, "203.0.113.21", 6, (uint16_t)(2000 + s), t, t, n);
    f.key.orig.b[13] = 99;          /* 198.99.x.y: not the busy server's clients */
    f.key.resp_port = 80;
    f.dir[0].ip_bytes = 44 * (uint64_t)n;
    f.dir[0].tcp_flags = ASC_TH_SYN;
    if (s % 5 == 0) {
        f.dir[0].pkts = ++n;
        f.dir[0].ip_bytes += 40;
        f.dir[0].tcp_flags |= ASC_TH_RST;
    }
    f.flags = ASC_FF_STITCHED;
    f.dir[1] = (struct asc_flow_dir){.pkts = 3, .ip_bytes = 132,
                                     .tcp_flags = ASC_TH_SYN | ASC_TH_ACK};
    return f;
}

/* Export records of a busy server (300 connections a second, every one
 * handshaken and carrying data) give no tcp.syn flood; a spoofed SYN flood
 * of the same rate whose victim answers every SYN with SYN-ACKs does, with
 * its SYNs counted (one for a record with the RST too, as for any record
 * with more than SYNs) and no source verified. */
static void test_export_handshakes(void)
{
    struct det d;
    struct got g = {0};
    uint64_t flood_pkts = 0;
    det_start(&d, NULL);
    for (unsigned sec = 0; sec < 10; sec++) {
        asc_time t = T0 + sec * ASC_NS_PER_SEC;
        for (unsigned k = 0; k < 300; k++) {
            struct asc_flow f = busy_conn(sec * 300 + k, t + k * 3000000);
            d.ops->on_flow_end(d.st, &f);
            f = spoofed_syn(sec * 300 + k, t + k * 3000000);
            flood_pkts += f.dir[0].tcp_flags & ASC_TH_RST ? 1 : f.dir[0].pkts;
            d.ops->on_flow_end(d.st, &f);
        }
    }
    det_end(&d, T0 + 10 * ASC_NS_PER_SEC, &g);
    CHECK_EQ_U(g.n, 1);
    CHECK_STR(g.vector[0], "tcp.syn");
    CHECK_STR(g.victim[0], "203.0.113.21");
    CHECK_EQ_U(g.pkts[0], flood_pkts);
    CHECK_EQ_U(g.nsrc[0], 3000);
    CHECK_EQ_U(g.verified[0], 0);
}

/* What is not a completed connection keeps counting one SYN per record
 * (300 records a second to each victim): a one-packet record with every
 * flag (a SYN cannot carry the handshake's ACK), a client side with ACK
 * and data whose server only reset (no SYN-ACK), an open-and-drop
 * connection (SYN, ACK, RST: nothing past the handshake), and a biflow
 * record (RFC 5103) whose responder sent nothing, whatever its
 * originator's flags. */
static void test_export_not_handshakes(void)
{
    static const char *const victim[4] = {"203.0.113.30", "203.0.113.31", "203.0.113.32",
                                          "203.0.113.33"};
    const uint8_t all = ASC_TH_SYN | ASC_TH_ACK | ASC_TH_PSH | ASC_TH_FIN;
    struct det d;
    struct got g = {0};
    det_start(&d, NULL);
    for (unsigned k = 0; k < 900; k++) {
        asc_time t = T0 + (asc_time)k * ASC_NS_PER_SEC / 300;
        for (unsigned v = 0; v < 4; v++) {
            struct asc_flow f = rec(v << 12 | k, victim[v], 6, 40000, t, t, 1);
            f.dir[0].tcp_flags = all;
            if (v == 1) {
                f.flags = ASC_FF_STITCHED;
                f.dir[0].pkts = 6;
                f.dir[1] = (struct asc_flow_dir){.pkts = 1, .ip_bytes = 40,
                                                 .tcp_flags = ASC_TH_RST | ASC_TH_ACK};
            } else if (v == 2) {
                f.flags = ASC_FF_STITCHED;
                f.dir[0].pkts = 3;
                f.dir[0].tcp_flags = ASC_TH_SYN | ASC_TH_ACK | ASC_TH_RST;
                f.dir[1] = (struct asc_flow_dir){.pkts = 1, .ip_bytes = 44, .tcp_flags = all};
            } else if (v == 3) {   /* a biflow whose responder sent nothing */
                f.flags = ASC_FF_BIFLOW;
                f.dir[0].pkts = 3;
                f.dir[0].tcp_flags = ASC_TH_SYN | ASC_TH_ACK | ASC_TH_PSH;
            }
            d.ops->on_flow_end(d.st, &f);
        }
    }
    det_end(&d, T0 + 3 * ASC_NS_PER_SEC, &g);
    CHECK_EQ_U(g.n, 4);
    for (size_t i = 0; i < g.n && i < 4; i++) {
        CHECK_STR(g.vector[i], "tcp.syn");
        CHECK_EQ_U(g.pkts[i], 900);
    }
}

TEST_MAIN(T(test_spread), T(test_lateness), T(test_grades), T(test_sampled), T(test_step),
          T(test_gap_and_crowd), T(test_export_handshakes), T(test_export_not_handshakes))
