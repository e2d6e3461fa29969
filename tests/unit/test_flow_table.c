/*
 * test_flow_table.c - unit tests for the flow table: direction and merge,
 * TCP states, timeouts on the timer wheel, eviction under the cap, the
 * per-destination counters, fragments, Community ID, byte counters past
 * 4 GiB (the node keeps 32 bits and carries the rest), many live flows
 * (the bucket array grows while flows keep merging) and the batch hints
 * (asc_flow_table_hint: same records and per-packet views as without).
 */
#include <arpa/inet.h>
#include <string.h>

#include "flow/flow_table.h"
#include "harness.h"

#define MAXREC 8192
static struct asc_flow recs[MAXREC];
static size_t nrec;

static void collect(void *ctx, const struct asc_flow *f)
{
    (void)ctx;
    if (nrec < MAXREC)
        recs[nrec++] = *f;
}

static struct asc_flow_table *mk(size_t cap)
{
    struct asc_flow_conf cf;
    asc_flow_conf_default(&cf);
    cf.max_flows = cap;
    nrec = 0;
    return asc_flow_table_new(&cf, collect, NULL);
}

static void a4(struct asc_addr *a, const char *s)
{
    CHECK(asc_addr_parse(s, a) == 0);
}

/* A one-layer packet; ts in milliseconds. */
static void mkpkt(struct asc_pkt *p, int64_t ms, const char *src, uint16_t sp, const char *dst,
                  uint16_t dp, uint8_t proto, uint8_t flags, uint32_t payload)
{
    memset(p, 0, sizeof(*p));
    p->ts = ms * 1000000;
    p->n_ipl = 1;
    struct asc_ipl *l = &p->ipl[0];
    a4(&l->src, src);
    a4(&l->dst, dst);
    l->ipver = l->src.family == ASC_AF_INET6 ? 6 : 4;
    l->proto = proto;
    l->sport = sp;
    l->dport = dp;
    l->l4_ok = true;
    l->ttl = 64;
    l->tcp_flags = flags;
    l->payload_len = payload;
    l->hdr_len = 20;
    l->ip_len = 20 + (proto == 6 ? 20 : 8) + payload;
    p->wirelen = p->caplen = l->ip_len + 14;
    if (proto == 1) {
        l->icmp_type = (uint8_t)sp;
        l->icmp_code = (uint8_t)dp;
    }
}

static void feed(struct asc_flow_table *t, int64_t ms, const char *src, uint16_t sp,
                 const char *dst, uint16_t dp, uint8_t proto, uint8_t flags, uint32_t pl)
{
    struct asc_pkt p;
    mkpkt(&p, ms, src, sp, dst, dp, proto, flags, pl);
    asc_flow_table_pkt(t, &p);
}

#define S ASC_TH_SYN
#define A ASC_TH_ACK
#define F ASC_TH_FIN
#define R ASC_TH_RST
#define P ASC_TH_PSH

static void handshake(struct asc_flow_table *t, int64_t ms, const char *c, uint16_t cp,
                      const char *s, uint16_t sp)
{
    feed(t, ms, c, cp, s, sp, 6, S, 0);
    feed(t, ms + 1, s, sp, c, cp, 6, S | A, 0);
    feed(t, ms + 2, c, cp, s, sp, 6, A, 0);
}

static void test_tcp_sf(void)
{
    struct asc_flow_table *t = mk(1000);
    handshake(t, 0, "10.0.0.1", 40000, "192.0.2.1", 80);
    feed(t, 3, "10.0.0.1", 40000, "192.0.2.1", 80, 6, A | P, 100);
    feed(t, 4, "192.0.2.1", 80, "10.0.0.1", 40000, 6, A | P, 1000);
    feed(t, 5, "10.0.0.1", 40000, "192.0.2.1", 80, 6, F | A, 0);
    feed(t, 6, "192.0.2.1", 80, "10.0.0.1", 40000, 6, F | A, 0);
    feed(t, 7, "10.0.0.1", 40000, "192.0.2.1", 80, 6, A, 0);
    asc_flow_table_flush(t);
    CHECK_EQ_U(nrec, 1);
    char b[64];
    CHECK_STR(asc_addr_str(&recs[0].key.orig, b, sizeof(b)), "10.0.0.1");
    CHECK_EQ_U(recs[0].key.resp_port, 80);
    CHECK_EQ_U(recs[0].dir[0].pkts, 5);
    CHECK_EQ_U(recs[0].dir[1].pkts, 3);
    CHECK_EQ_U(recs[0].dir[0].pl_bytes, 100);
    CHECK_EQ_U(recs[0].dir[1].pl_bytes, 1000);
    CHECK_EQ_U(recs[0].dir[0].ip_bytes, 4 * 40 + 140);
    CHECK_STR(asc_conn_state_name(recs[0].state), "SF");
    CHECK_STR(recs[0].history, "ShADdFf");
    CHECK_EQ_U(recs[0].end, ASC_END_EOF);
    asc_flow_table_free(t);
}

static void test_tcp_states(void)
{
    struct asc_flow_table *t = mk(1000);
    /* S0: unanswered SYN */
    feed(t, 0, "10.0.0.1", 1, "192.0.2.1", 22, 6, S, 0);
    /* REJ: SYN answered by RST */
    feed(t, 0, "10.0.0.1", 2, "192.0.2.1", 23, 6, S, 0);
    feed(t, 1, "192.0.2.1", 23, "10.0.0.1", 2, 6, R | A, 0);
    /* S1: established, open */
    handshake(t, 0, "10.0.0.1", 3, "192.0.2.1", 443);
    /* RSTO: established, originator resets */
    handshake(t, 0, "10.0.0.1", 4, "192.0.2.1", 443);
    feed(t, 5, "10.0.0.1", 4, "192.0.2.1", 443, 6, R, 0);
    /* RSTR */
    handshake(t, 0, "10.0.0.1", 5, "192.0.2.1", 443);
    feed(t, 5, "192.0.2.1", 443, "10.0.0.1", 5, 6, R, 0);
    /* SH: SYN then FIN, no answer */
    feed(t, 0, "10.0.0.1", 6, "192.0.2.1", 80, 6, S, 0);
    feed(t, 1, "10.0.0.1", 6, "192.0.2.1", 80, 6, F, 0);
    /* OTH: midstream */
    feed(t, 0, "10.0.0.1", 7, "192.0.2.1", 80, 6, A, 10);
    /* S2 and S3 */
    handshake(t, 0, "10.0.0.1", 8, "192.0.2.1", 80);
    feed(t, 5, "10.0.0.1", 8, "192.0.2.1", 80, 6, F | A, 0);
    handshake(t, 0, "10.0.0.1", 9, "192.0.2.1", 80);
    feed(t, 5, "192.0.2.1", 80, "10.0.0.1", 9, 6, F | A, 0);
    /* RSTOS0: SYN then RST from the originator */
    feed(t, 0, "10.0.0.1", 10, "192.0.2.1", 80, 6, S, 0);
    feed(t, 1, "10.0.0.1", 10, "192.0.2.1", 80, 6, R, 0);
    asc_flow_table_flush(t);
    static const char *want[] = {"S0", "REJ", "S1", "RSTO", "RSTR", "SH", "OTH",
                                 "S2", "S3", "RSTOS0"};
    CHECK_EQ_U(nrec, ASC_ARRAY_LEN(want));
    for (size_t i = 0; i < nrec && i < ASC_ARRAY_LEN(want); i++)
        CHECK_STR(asc_conn_state_name(recs[i].state), want[i]);
    asc_flow_table_free(t);
}

static void test_synack_first_flips(void)
{
    struct asc_flow_table *t = mk(1000);
    feed(t, 0, "192.0.2.1", 80, "10.0.0.1", 5555, 6, S | A, 0);
    feed(t, 1, "10.0.0.1", 5555, "192.0.2.1", 80, 6, A, 0);
    asc_flow_table_flush(t);
    CHECK_EQ_U(nrec, 1);
    char b[64];
    CHECK_STR(asc_addr_str(&recs[0].key.orig, b, sizeof(b)), "10.0.0.1");
    CHECK_EQ_U(recs[0].dir[0].pkts, 1);
    CHECK_EQ_U(recs[0].dir[1].pkts, 1);
    CHECK(recs[0].history[0] == '^');
    CHECK(recs[0].flags & ASC_FF_FLIPPED);
    asc_flow_table_free(t);
}

static void test_udp_timeout(void)
{
    struct asc_flow_table *t = mk(1000);
    feed(t, 0, "10.0.0.1", 5000, "192.0.2.53", 53, 17, 0, 30);
    feed(t, 10, "192.0.2.53", 53, "10.0.0.1", 5000, 17, 0, 90);
    /* 59 s later: same flow. */
    feed(t, 59000, "10.0.0.1", 5000, "192.0.2.53", 53, 17, 0, 30);
    CHECK_EQ_U(nrec, 0);
    /* 61 s after the last packet: the first flow expired, a new one starts. */
    feed(t, 120100, "10.0.0.1", 5000, "192.0.2.53", 53, 17, 0, 30);
    CHECK_EQ_U(nrec, 1);
    CHECK_EQ_U(recs[0].dir[0].pkts, 2);
    CHECK_EQ_U(recs[0].dir[1].pkts, 1);
    CHECK_EQ_U(recs[0].end, ASC_END_IDLE);
    CHECK_STR(asc_conn_state_name(recs[0].state), "SF");
    /* Advancing time alone expires flows too. */
    asc_flow_table_advance(t, (int64_t)200 * ASC_NS_PER_SEC);
    CHECK_EQ_U(nrec, 2);
    CHECK_STR(asc_conn_state_name(recs[1].state), "S0");
    asc_flow_table_free(t);
}

static void test_active_timeout(void)
{
    struct asc_flow_table *t = mk(1000);
    for (int i = 0; i <= 2000; i++)
        feed(t, (int64_t)i * 1000, "10.0.0.1", 6000, "192.0.2.9", 9999, 17, 0, 10);
    CHECK(nrec >= 1);
    if (nrec >= 1) {
        CHECK_EQ_U(recs[0].end, ASC_END_ACTIVE);
        CHECK(recs[0].last - recs[0].first <= (int64_t)1800 * ASC_NS_PER_SEC);
    }
    asc_flow_table_free(t);
}

static void test_closed_linger_and_reuse(void)
{
    struct asc_flow_table *t = mk(1000);
    handshake(t, 0, "10.0.0.1", 7000, "192.0.2.1", 80);
    feed(t, 10, "10.0.0.1", 7000, "192.0.2.1", 80, 6, F | A, 0);
    feed(t, 11, "192.0.2.1", 80, "10.0.0.1", 7000, 6, F | A, 0);
    /* A new SYN on the closed connection starts a new flow at once. */
    feed(t, 1000, "10.0.0.1", 7000, "192.0.2.1", 80, 6, S, 0);
    CHECK_EQ_U(nrec, 1);
    CHECK_EQ_U(recs[0].end, ASC_END_REUSE);
    /* The closed-linger timeout (5 s) expires a closed flow quickly. */
    feed(t, 1001, "192.0.2.1", 80, "10.0.0.1", 7000, 6, R | A, 0);
    feed(t, 7100, "10.0.0.2", 1, "192.0.2.1", 80, 6, S, 0);
    CHECK_EQ_U(nrec, 2);
    if (nrec >= 2)
        CHECK_STR(asc_conn_state_name(recs[1].state), "REJ");
    asc_flow_table_free(t);
}

static void test_eviction_cap(void)
{
    struct asc_flow_table *t = mk(64);
    char src[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(src, sizeof(src), "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        feed(t, i, src, (uint16_t)(1024 + i % 5000), "192.0.2.80", 80, 6, S, 0);
    }
    struct asc_flow_stats st;
    asc_flow_table_stats(t, &st);
    CHECK(st.live <= 64);
    CHECK(st.peak_live <= 64);
    CHECK_EQ_U(st.created, 5000);
    CHECK_EQ_U(st.evicted, 5000 - 64);
    CHECK_EQ_U(nrec, 5000 - 64);
    CHECK_EQ_U(recs[0].end, ASC_END_EVICTED);
    struct asc_dst_count top[4];
    size_t n = asc_flow_table_top_dst(t, top, 4);
    CHECK(n >= 1);
    char b[64];
    CHECK_STR(asc_addr_str(&top[0].addr, b, sizeof(b)), "192.0.2.80");
    CHECK_EQ_U(top[0].flows, 5000);
    CHECK_EQ_U(top[0].evicted_flows, 5000 - 64);
    CHECK_EQ_U(top[0].evicted_pkts, 5000 - 64);
    asc_flow_table_flush(t);
    CHECK_EQ_U(nrec, 5000);
    asc_flow_table_free(t);
}

static void test_icmp_echo_pairs(void)
{
    struct asc_flow_table *t = mk(1000);
    feed(t, 0, "10.0.0.1", 8, "10.0.0.2", 0, 1, 0, 56);
    feed(t, 1, "10.0.0.2", 0, "10.0.0.1", 0, 1, 0, 56);
    feed(t, 2, "10.0.0.1", 3, "10.0.0.2", 3, 1, 0, 28);   /* unreachable: own flow */
    asc_flow_table_flush(t);
    CHECK_EQ_U(nrec, 2);
    CHECK_EQ_U(recs[0].key.orig_port, 8);
    CHECK_EQ_U(recs[0].key.resp_port, 0);
    CHECK_EQ_U(recs[0].dir[0].pkts, 1);
    CHECK_EQ_U(recs[0].dir[1].pkts, 1);
    CHECK_EQ_U(recs[1].key.orig_port, 3);
    CHECK_EQ_U(recs[1].key.resp_port, 3);
    asc_flow_table_free(t);
}

static void test_fragments(void)
{
    struct asc_flow_table *t = mk(1000);
    struct asc_pkt p;
    mkpkt(&p, 0, "192.0.2.53", 53, "10.0.0.1", 4444, 17, 0, 1472);
    p.ipl[0].frag = ASC_FRAG_FIRST;
    p.ipl[0].frag_id = 77;
    p.ipl[0].ip_len = 1500;
    p.ipl[0].payload_len = 2000;
    asc_flow_table_pkt(t, &p);
    mkpkt(&p, 1, "192.0.2.53", 0, "10.0.0.1", 0, 17, 0, 0);
    p.ipl[0].frag = ASC_FRAG_LATER;
    p.ipl[0].frag_id = 77;
    p.ipl[0].l4_ok = false;
    p.ipl[0].ip_len = 548;
    p.ipl[0].payload_len = 0;
    asc_flow_table_pkt(t, &p);
    /* A later fragment whose first was never seen. */
    p.ipl[0].frag_id = 78;
    asc_flow_table_pkt(t, &p);
    asc_flow_table_flush(t);
    CHECK_EQ_U(nrec, 2);
    CHECK_EQ_U(recs[0].key.orig_port, 53);
    CHECK_EQ_U(recs[0].dir[0].pkts, 1);
    CHECK_EQ_U(recs[0].dir[0].frames, 2);
    CHECK_EQ_U(recs[0].dir[0].ip_bytes, 1500 + 528);
    struct asc_flow_stats st;
    asc_flow_table_stats(t, &st);
    CHECK_EQ_U(st.frag_later, 1);
    CHECK_EQ_U(st.frag_orphan, 1);
    asc_flow_table_free(t);
}

static void test_tunnel_layers(void)
{
    struct asc_flow_table *t = mk(1000);
    struct asc_pkt p;
    mkpkt(&p, 0, "192.168.56.12", 38071, "192.168.56.11", 4789, 17, 0, 92);
    p.n_ipl = 2;
    struct asc_ipl *in = &p.ipl[1];
    *in = p.ipl[0];
    a4(&in->src, "10.0.0.1");
    a4(&in->dst, "10.0.0.2");
    in->proto = 1;
    in->sport = 8;
    in->dport = 0;
    in->icmp_type = 8;
    in->tun = ASC_TUN_VXLAN;
    in->tun_id = 123;
    asc_flow_table_pkt(t, &p);
    asc_flow_table_flush(t);
    CHECK_EQ_U(nrec, 2);
    CHECK_EQ_U(recs[1].key.tun_id, 123);
    CHECK_EQ_U(recs[1].tun, ASC_TUN_VXLAN);
    asc_flow_table_free(t);
}

static void test_determinism(void)
{
    static struct asc_flow first[MAXREC];
    size_t n1 = 0;
    for (int run = 0; run < 2; run++) {
        struct asc_flow_table *t = mk(128);
        char src[32];
        for (int i = 0; i < 3000; i++) {
            snprintf(src, sizeof(src), "10.1.%d.%d", (i * 7) % 256, (i * 13) % 256);
            feed(t, i * 50, src, (uint16_t)(2000 + i % 17), "192.0.2.7", 53, 17, 0, 20);
        }
        asc_flow_table_flush(t);
        asc_flow_table_free(t);
        if (run == 0) {
            memcpy(first, recs, nrec * sizeof(recs[0]));
            n1 = nrec;
        }
    }
    CHECK_EQ_U(nrec, n1);
    CHECK(memcmp(first, recs, nrec * sizeof(recs[0])) == 0);
}

static void test_community_id(void)
{
    /* Published vector (community-id-spec, tcp.pcap): 128.232.110.120:34855
     * -> 66.35.250.204:80 tcp = 1:LQU9qZlK+B5F3KDmev6m5PMibrg= */
    struct asc_flow_key k;
    memset(&k, 0, sizeof(k));
    a4(&k.orig, "128.232.110.120");
    a4(&k.resp, "66.35.250.204");
    k.orig_port = 34855;
    k.resp_port = 80;
    k.proto = 6;
    char id[40];
    asc_community_id(&k, 0, id, sizeof(id));
    CHECK_STR(id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    /* Direction-free. */
    struct asc_flow_key r = k;
    r.orig = k.resp;
    r.resp = k.orig;
    r.orig_port = 80;
    r.resp_port = 34855;
    char id2[40];
    asc_community_id(&r, 0, id2, sizeof(id2));
    CHECK_STR(id2, id);
}

/* Counters past 32 bits stay exact, per direction, and a reused node
 * starts from zero. */
static void test_big_counters(void)
{
    struct asc_flow_table *t = mk(1000);
    struct asc_pkt p;
    for (int i = 0; i < 6; i++) {
        mkpkt(&p, i, "10.0.0.1", 5000, "192.0.2.9", 53, 17, 0, 100);
        p.wirelen = 0xF0000000u;   /* a huge claimed frame length */
        if (i % 3 == 2)
            mkpkt(&p, i, "192.0.2.9", 53, "10.0.0.1", 5000, 17, 0, 100);
        asc_flow_table_pkt(t, &p);
    }
    feed(t, 10, "10.0.0.2", 5000, "192.0.2.9", 53, 17, 0, 10);
    asc_flow_table_flush(t);
    CHECK_EQ_U(nrec, 2);
    CHECK_EQ_U(recs[0].dir[0].pkts, 4);
    CHECK_EQ_U(recs[0].dir[0].wire_bytes, 4 * UINT64_C(0xF0000000));
    CHECK_EQ_U(recs[0].dir[0].ip_bytes, 4 * 128);
    CHECK_EQ_U(recs[0].dir[1].wire_bytes, 2 * (128 + 14));
    CHECK_EQ_U(recs[1].dir[0].wire_bytes, 38 + 14);
    /* The same node slots are reused for new flows: no carry leaks over. */
    feed(t, 20, "10.0.0.1", 5000, "192.0.2.9", 53, 17, 0, 100);
    asc_flow_table_flush(t);
    CHECK_EQ_U(nrec, 3);
    CHECK_EQ_U(recs[2].dir[0].wire_bytes, 128 + 14);
    asc_flow_table_free(t);
}

/* 20000 live flows (far more than the initial buckets), each answered
 * later: every answer merges into its flow, none is lost or split. */
static void test_many_live_flows(void)
{
    struct asc_flow_table *t = mk(100000);
    char a[32];
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < 20000; i++) {
            snprintf(a, sizeof(a), "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
            if (pass == 0)
                feed(t, i / 100, a, 1234, "192.0.2.50", 443, 6, S, 0);
            else
                feed(t, 200 + i / 100, "192.0.2.50", 443, a, 1234, 6, S | A, 0);
        }
    }
    struct asc_flow_stats st;
    asc_flow_table_stats(t, &st);
    CHECK_EQ_U(st.live, 20000);
    CHECK_EQ_U(nrec, 0);
    CHECK_EQ_U(st.created, 20000);
    asc_flow_table_flush(t);
    CHECK_EQ_U(nrec, MAXREC);   /* the first MAXREC of 20000, in creation order */
    for (size_t i = 0; i < nrec; i++) {
        if (recs[i].dir[0].pkts != 1 || recs[i].dir[1].pkts != 1 || recs[i].seq != i) {
            CHECK(!"flow not merged or out of order");
            break;
        }
    }
    asc_flow_table_free(t);
}

/* A mixed stream for the batch hints: TCP both ways, DNS, ICMP echo, IPv4
 * fragments (first, later, orphan), VXLAN packets with an inner layer,
 * more flows than the cap (evictions) and than the first bucket array. */
#define MIXED 3000
static struct asc_pkt mixed[MIXED];

static void mixed_pkts(void)
{
    char c[32], srv[32];
    for (int i = 0; i < MIXED; i++) {
        struct asc_pkt *p = &mixed[i];
        int64_t ms = i * 7;
        snprintf(c, sizeof(c), "10.2.%d.%d", (i / 7) % 200, i % 13);
        snprintf(srv, sizeof(srv), "192.0.2.%d", i % 5);
        uint16_t cp = (uint16_t)(1000 + (i / 7) % 300);
        switch (i % 10) {
        case 0: case 1: case 2: case 3: case 4: {
            uint8_t fl = (i / 10) % 4 == 0 ? S : (i / 10) % 4 == 3 ? F | A : A;
            if ((i / 3) % 2)
                mkpkt(p, ms, srv, 80, c, cp, 6, fl == S ? S | A : fl, 10);
            else
                mkpkt(p, ms, c, cp, srv, 80, 6, fl, 100);
            break;
        }
        case 5: case 6:
            mkpkt(p, ms, c, cp, "192.0.2.53", 53, 17, 0, 30);
            break;
        case 7:
            mkpkt(p, ms, c, 8, srv, 0, 1, 0, 56);
            break;
        case 8:
            snprintf(c, sizeof(c), "10.3.%d.%d", (i / 20) / 250, (i / 20) % 250);
            mkpkt(p, ms, "192.0.2.53", 53, c, 4444, 17, 0, 1472);
            p->ipl[0].frag = (i / 10) % 2 ? ASC_FRAG_LATER : ASC_FRAG_FIRST;
            /* pairs first/later; every fifth later has no first */
            p->ipl[0].frag_id = (uint32_t)(i / 20 + ((i / 10) % 10 == 9 ? 100000 : 0));
            if (p->ipl[0].frag == ASC_FRAG_LATER) {
                p->ipl[0].sport = p->ipl[0].dport = 0;
                p->ipl[0].l4_ok = false;
                p->ipl[0].payload_len = 0;
            }
            break;
        default:
            mkpkt(p, ms, "192.168.56.12", cp, "192.168.56.11", 4789, 17, 0, 92);
            p->n_ipl = 2;
            p->ipl[1] = p->ipl[0];
            a4(&p->ipl[1].src, c);
            a4(&p->ipl[1].dst, srv);
            p->ipl[1].proto = 6;
            p->ipl[1].sport = cp;
            p->ipl[1].dport = 22;
            p->ipl[1].tcp_flags = (i / 10) % 2 ? A : S;
            p->ipl[1].tun = ASC_TUN_VXLAN;
            p->ipl[1].tun_id = 7;
            break;
        }
    }
}

/* Runs `mixed` through a table of cap flows, one packet at a time or in
 * batches of `batch` with hints; the records go to recs, the per-packet
 * flow views to views. */
static struct asc_flow views[MIXED];
static void run_mixed(size_t cap, size_t batch, struct asc_flow_stats *st)
{
    struct asc_flow_table *t = mk(cap);
    asc_flow_table_want_current(t, true);
    memset(views, 0, sizeof(views));
    struct asc_flow_hint hint[16];
    for (size_t i = 0; i < MIXED;) {
        size_t n = batch ? ASC_MIN(batch, (size_t)MIXED - i) : 1;
        for (size_t j = 0; batch && j < n; j++)
            asc_flow_table_hint(t, &mixed[i + j], &hint[j]);
        if (batch)
            asc_flow_table_hint_nodes(t, hint, n);
        for (size_t j = 0; j < n; j++, i++) {
            const struct asc_flow *f = batch ? asc_flow_table_pkt_hinted(t, &mixed[i], &hint[j])
                                             : asc_flow_table_pkt(t, &mixed[i]);
            if (f)
                views[i] = *f;
        }
    }
    asc_flow_table_flush(t);
    asc_flow_table_stats(t, st);
    asc_flow_table_free(t);
}

/* Hints (batches of 1, 5 and 16, hints computed before the earlier packets
 * of the batch changed the table) give the same records, in the same order,
 * and the same per-packet flow views as one packet at a time. */
static void test_batch_hints(void)
{
    static struct asc_flow want[MAXREC], want_views[MIXED];
    mixed_pkts();
    static const size_t caps[] = {64, 100000};
    for (size_t c = 0; c < ASC_ARRAY_LEN(caps); c++) {
        struct asc_flow_stats st0, st;
        run_mixed(caps[c], 0, &st0);
        size_t n0 = nrec;
        memcpy(want, recs, n0 * sizeof(recs[0]));
        memcpy(want_views, views, sizeof(views));
        /* the stream does what it is meant to exercise */
        CHECK(n0 > 500);
        CHECK(st0.frag_later > 50 && st0.frag_orphan > 10);
        CHECK(caps[c] > 1000 || st0.evicted > 100);
        CHECK(st0.peak_live > (caps[c] > 1000 ? 1024u : 63u));
        static const size_t batches[] = {1, 5, 16};
        for (size_t b = 0; b < ASC_ARRAY_LEN(batches); b++) {
            run_mixed(caps[c], batches[b], &st);
            CHECK_EQ_U(nrec, n0);
            CHECK(memcmp(want, recs, n0 * sizeof(recs[0])) == 0);
            CHECK(memcmp(want_views, views, sizeof(views)) == 0);
            CHECK_EQ_U(st.created, st0.created);
            CHECK_EQ_U(st.evicted, st0.evicted);
            CHECK_EQ_U(st.frag_later, st0.frag_later);
            CHECK_EQ_U(st.layers, st0.layers);
        }
    }
}

static void test_bad_conf(void)
{
    struct asc_flow_conf cf;
    asc_flow_conf_default(&cf);
    cf.max_flows = 3;
    CHECK(asc_flow_table_new(&cf, collect, NULL) == NULL);
}

TEST_MAIN(T(test_tcp_sf), T(test_tcp_states), T(test_synack_first_flips), T(test_udp_timeout),
          T(test_active_timeout), T(test_closed_linger_and_reuse), T(test_eviction_cap),
          T(test_icmp_echo_pairs), T(test_fragments), T(test_tunnel_layers),
          T(test_determinism), T(test_batch_hints), T(test_community_id), T(test_big_counters),
          T(test_many_live_flows), T(test_bad_conf))
