/*
 * test_decode.c - unit tests for the frame decoder (src/decode).
 *
 * Frames are composed by hand with the small builders below (Ethernet,
 * VLAN, MPLS, PPPoE, IPv4, IPv6 and extension headers, TCP, UDP, ICMP,
 * GRE, VXLAN, Geneve, GTP-U, Teredo, AYIYA, ...). Each test checks the
 * fields of struct asc_pkt; the robustness tests decode every prefix of
 * complex frames from exact-size heap copies (so ASan sees any overread),
 * a 40-deep IP-in-IP chain, and pseudo-random junk on every link type.
 */

#include "frame_build.h"


/* ---- Ethernet, IPv4, TCP, UDP ---- */

static void test_eth_ipv4_tcp(void)
{
    build_v4_tcp(10);
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(P.ts, 42);
    CHECK_EQ_U(P.caplen, F.n);
    CHECK(P.data == F.b);
    const struct asc_ipl *l = L(0);
    CHECK(addr_is(&l->src, "192.0.2.1"));
    CHECK(addr_is(&l->dst, "198.51.100.7"));
    CHECK_EQ_U(l->ipver, 4);
    CHECK_EQ_U(l->proto, 6);
    CHECK_EQ_U(l->ttl, 64);
    CHECK_EQ_U(l->ip_id, 0x1234);
    CHECK_EQ_U(l->tun, ASC_TUN_NONE);
    CHECK_EQ_U(l->frag, ASC_FRAG_NONE);
    CHECK_EQ_U(l->l3_off, 14);
    CHECK_EQ_U(l->l4_off, 34);
    CHECK_EQ_U(l->ip_len, 20 + 40 + 10);
    CHECK_EQ_U(l->hdr_len, 20);
    CHECK_EQ_U(l->payload_len, 10);
    CHECK_EQ_U(l->sport, 40000);
    CHECK_EQ_U(l->dport, 443);
    CHECK_EQ_U(l->tcp_flags, ASC_TH_SYN | ASC_TH_ACK);
    CHECK_EQ_U(l->tcp_seq, 1000);
    CHECK_EQ_U(l->tcp_ack, 2000);
    CHECK_EQ_U(l->tcp_win, 29200);
    CHECK_EQ_U(l->tcp_mss, 1460);
    CHECK_EQ_U(l->tcp_wscale, 7);
    CHECK_EQ_U(l->tcp_optlen, 20);
    CHECK(l->tcp_opts == F.b + 54);
    CHECK(l->l4_ok);
    CHECK(!l->quoted.valid);
}

static void test_tcp_no_options_and_padding(void)
{
    fb_reset();
    eth(0x0800);
    size_t ip = ip4(6, "10.0.0.1", "10.0.0.2");
    tcp(1, 2, ASC_TH_RST, NULL, 0);
    ip4_end(ip);
    zeros(6); /* Ethernet padding to 60 bytes is not payload */
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->payload_len, 0);
    CHECK_EQ_U(L(0)->tcp_mss, 0);
    CHECK_EQ_U(L(0)->tcp_wscale, 0xff);
    CHECK_EQ_U(L(0)->tcp_optlen, 0);
    CHECK_EQ_U(L(0)->tcp_flags, ASC_TH_RST);
}

static void test_snaplen_payload_is_ok(void)
{
    build_v4_tcp(1000);
    dec_cut(1, 14 + 20 + 40 + 5);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->ip_len, 1060);
    CHECK_EQ_U(L(0)->payload_len, 1000);
    CHECK(L(0)->l4_ok);
    /* Options cut by the snap length: the header is incomplete. */
    dec_cut(1, 14 + 20 + 30);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_TCP);
    CHECK_EQ_U(P.n_ipl, 1);
    CHECK_EQ_U(L(0)->sport, 40000);
    CHECK(!L(0)->l4_ok);
}

static void test_ipv4_invalid(void)
{
    build_v4_tcp(0);
    F.b[14] = 0x44; /* IHL 4 */
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_IPV4);
    CHECK_EQ_U(P.n_ipl, 0);
    build_v4_tcp(0);
    F.b[14] = 0x55; /* version 5 */
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_IPV4);
    build_v4_tcp(0);
    set16(16, 19); /* total length below the header */
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_IPV4);
    build_v4_tcp(0);
    set16(16, 30); /* header fits, TCP does not fit the datagram */
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_TCP);
    CHECK_EQ_U(P.n_ipl, 1);
    build_v4_tcp(0);
    set16(16, 9000); /* longer than the frame: snap length, accepted */
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->ip_len, 9000);
    CHECK_EQ_U(L(0)->payload_len, 9000 - 60);
    build_v4_tcp(0);
    F.b[14 + 20 + 12] = 0x40; /* TCP data offset 4 */
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_TCP);
}

/* Total length 0 (TCP segmentation offload): the length comes from the
 * captured frame, as in Zeek and Wireshark. */
static void test_ipv4_tso_zero_length(void)
{
    build_v4_tcp(100);
    set16(16, 0);
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->ip_len, 20 + 40 + 100);
    CHECK_EQ_U(L(0)->payload_len, 100);
    CHECK(L(0)->l4_ok);
    dec_cut(1, 14 + 30);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_TCP);
    dec_cut(1, 14 + 10);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_IPV4);
}

static void test_ipv4_options_udp(void)
{
    fb_reset();
    eth(0x0800);
    size_t ip = ip4x(17, "10.1.1.1", "10.2.2.2", 2, 0, 7);
    size_t u = udp(5353, 53);
    payload(12);
    udp_end(u);
    ip4_end(ip);
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->hdr_len, 28);
    CHECK_EQ_U(L(0)->l4_off, 14 + 28);
    CHECK_EQ_U(L(0)->sport, 5353);
    CHECK_EQ_U(L(0)->dport, 53);
    CHECK_EQ_U(L(0)->payload_len, 12);
    CHECK(L(0)->l4_ok);
    /* UDP length longer than the datagram: bounded by the IP length. */
    set16(u + 4, 500);
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->payload_len, 12);
    /* UDP length shorter than the datagram wins. */
    set16(u + 4, 10);
    dec(1);
    CHECK_EQ_U(L(0)->payload_len, 2);
    set16(u + 4, 7);
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_UDP);
    CHECK_EQ_U(P.n_ipl, 1);
    CHECK(!L(0)->l4_ok);
}

static void test_sctp_and_unknown_proto(void)
{
    fb_reset();
    eth(0x0800);
    size_t ip = ip4(132, "10.0.0.1", "10.0.0.2");
    be16(36412);
    be16(2905);
    be32(0xdeadbeef);
    be32(0);
    payload(16);
    ip4_end(ip);
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->proto, 132);
    CHECK_EQ_U(L(0)->sport, 36412);
    CHECK_EQ_U(L(0)->dport, 2905);
    CHECK_EQ_U(L(0)->payload_len, 16);
    F.b[14 + 9] = 89; /* OSPF: unknown transport is fine */
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->proto, 89);
    CHECK_EQ_U(L(0)->sport, 0);
    CHECK_EQ_U(L(0)->l4_off, 0);
    CHECK_EQ_U(L(0)->payload_len, 28);
}

/* ---- fragments ---- */

static void test_ipv4_fragments(void)
{
    fb_reset();
    eth(0x0800);
    size_t ip = ip4x(17, "10.0.0.1", "10.0.0.2", 0, 0x2000, 0x4242);
    size_t u = udp(1111, 2222);
    payload(32);
    udp_end(u);
    set16(u + 4, 3000); /* length of the whole datagram */
    ip4_end(ip);
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->frag, ASC_FRAG_FIRST);
    CHECK_EQ_U(L(0)->frag_id, 0x4242);
    CHECK_EQ_U(L(0)->frag_off, 0);
    CHECK_EQ_U(L(0)->sport, 1111);
    CHECK_EQ_U(L(0)->dport, 2222);
    CHECK_EQ_U(L(0)->payload_len, 32);
    set16(ip + 6, 0x2000 | 185); /* offset 1480, more fragments */
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->frag, ASC_FRAG_LATER);
    CHECK_EQ_U(L(0)->frag_off, 1480);
    CHECK_EQ_U(L(0)->proto, 17);
    CHECK_EQ_U(L(0)->sport, 0);
    CHECK_EQ_U(L(0)->dport, 0);
    CHECK_EQ_U(L(0)->l4_off, 0);
    CHECK_EQ_U(L(0)->payload_len, 40);
    set16(ip + 6, 370); /* last fragment */
    dec(1);
    CHECK_EQ_U(L(0)->frag, ASC_FRAG_LATER);
    CHECK_EQ_U(L(0)->frag_off, 2960);
    /* A first fragment too short for the TCP header is no fault. */
    fb_reset();
    eth(0x0800);
    ip = ip4x(6, "10.0.0.1", "10.0.0.2", 0, 0x2000, 9);
    be16(80);
    be16(81);
    be32(0);
    ip4_end(ip);
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->frag, ASC_FRAG_FIRST);
    CHECK_EQ_U(L(0)->sport, 80);
    CHECK(!L(0)->l4_ok);
}

static void test_ipv6_fragments(void)
{
    fb_reset();
    eth(0x86dd);
    size_t ip = ip6(44, "2001:db8::1", "2001:db8::2");
    frag6(17, 0, true, 0xabcdef01);
    size_t u = udp(53, 5353);
    payload(24);
    udp_end(u);
    set16(u + 4, 2000);
    ip6_end(ip);
    dec(1);
    CHECK_OK(1);
    const struct asc_ipl *l = L(0);
    CHECK_EQ_U(l->frag, ASC_FRAG_FIRST);
    CHECK_EQ_U(l->frag_id, 0xabcdef01);
    CHECK_EQ_U(l->proto, 17);
    CHECK_EQ_U(l->hdr_len, 48);
    CHECK_EQ_U(l->ip_len, 40 + 8 + 8 + 24);
    CHECK_EQ_U(l->sport, 53);
    CHECK_EQ_U(l->payload_len, 24);
    CHECK_EQ_U(l->l4_off, 14 + 48);
    fb_reset();
    eth(0x86dd);
    ip = ip6(44, "2001:db8::1", "2001:db8::2");
    frag6(17, 1232, true, 77);
    payload(64);
    ip6_end(ip);
    dec(1);
    CHECK_OK(1);
    l = L(0);
    CHECK_EQ_U(l->frag, ASC_FRAG_LATER);
    CHECK_EQ_U(l->frag_off, 1232);
    CHECK_EQ_U(l->frag_id, 77);
    CHECK_EQ_U(l->proto, 17);
    CHECK_EQ_U(l->sport, 0);
    CHECK_EQ_U(l->l4_off, 0);
    CHECK_EQ_U(l->payload_len, 64);
    CHECK_EQ_U(l->hdr_len, 48);
}

/* ---- IPv6 ---- */

static void test_ipv6_ext_chain(void)
{
    fb_reset();
    eth(0x86dd);
    size_t ip = ip6(0, "2001:db8::a", "2001:db8::b");
    ext6(60, 0); /* hop-by-hop, 8 bytes */
    ext6(43, 1); /* destination options, 16 bytes */
    ext6(51, 0); /* routing, 8 bytes */
    u8(6);       /* AH: next header */
    u8(4);       /* (4 + 2) * 4 = 24 bytes */
    zeros(22);
    tcp(22, 50000, ASC_TH_ACK | ASC_TH_PSH, NULL, 0);
    payload(5);
    ip6_end(ip);
    dec(1);
    CHECK_OK(1);
    const struct asc_ipl *l = L(0);
    CHECK_EQ_U(l->ipver, 6);
    CHECK(addr_is(&l->src, "2001:db8::a"));
    CHECK(addr_is(&l->dst, "2001:db8::b"));
    CHECK_EQ_U(l->ttl, 57);
    CHECK_EQ_U(l->proto, 6);
    CHECK_EQ_U(l->hdr_len, 40 + 8 + 16 + 8 + 24);
    CHECK_EQ_U(l->ip_len, 40 + 56 + 25);
    CHECK_EQ_U(l->l4_off, 14 + 96);
    CHECK_EQ_U(l->sport, 22);
    CHECK_EQ_U(l->payload_len, 5);
    CHECK_EQ_U(l->ip_id, 0);
    /* Mobility header (RFC 6275) then no next header. */
    fb_reset();
    eth(0x86dd);
    ip = ip6(135, "2001:db8::a", "2001:db8::b");
    ext6(59, 1);
    ip6_end(ip);
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->proto, 59);
    CHECK_EQ_U(L(0)->hdr_len, 56);
    /* ESP ends the chain. */
    fb_reset();
    eth(0x86dd);
    ip = ip6(60, "2001:db8::a", "2001:db8::b");
    ext6(50, 0);
    payload(40);
    ip6_end(ip);
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->proto, 50);
    CHECK_EQ_U(L(0)->payload_len, 40);
    CHECK_EQ_U(L(0)->l4_off, 0);
}

static void test_ipv6_ext_limit_and_faults(void)
{
    fb_reset();
    eth(0x86dd);
    size_t ip = ip6(60, "::1", "::2");
    for (int i = 0; i < 30; i++)
        ext6(60, 0);
    ip6_end(ip);
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_IPV6_EXT);
    CHECK_EQ_U(P.n_ipl, 1);
    /* An extension header longer than the payload length. */
    fb_reset();
    eth(0x86dd);
    ip = ip6(60, "::1", "::2");
    ext6(59, 3);
    ip6_end(ip);
    set16(ip + 4, 16);
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_IPV6_EXT);
    /* ... or cut by the capture. */
    set16(ip + 4, 32);
    dec_cut(1, F.n - 4);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_IPV6_EXT);
    /* Bad version. */
    F.b[14] = 0x40;
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_IPV6);
    CHECK_EQ_U(P.n_ipl, 0);
}

static void test_ipv6_jumbo(void)
{
    fb_reset();
    eth(0x86dd);
    ip6(0, "2001:db8::1", "2001:db8::2");
    u8(17);
    u8(0);
    u8(0xc2); /* jumbo payload option */
    u8(4);
    be32(70000);
    size_t u = udp(7, 9);
    payload(20);
    set16(u + 4, 0);
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->ip_len, F.n - 14);
    CHECK_EQ_U(L(0)->hdr_len, 48);
    CHECK_EQ_U(L(0)->sport, 7);
}

/* ---- ICMP ---- */

static void test_icmp_echo(void)
{
    fb_reset();
    eth(0x0800);
    size_t ip = ip4(1, "10.0.0.1", "10.0.0.2");
    icmp(8, 0, 0x00010002);
    payload(56);
    ip4_end(ip);
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->icmp_type, 8);
    CHECK_EQ_U(L(0)->icmp_code, 0);
    CHECK_EQ_U(L(0)->sport, 8);
    CHECK_EQ_U(L(0)->dport, 0);
    CHECK_EQ_U(L(0)->payload_len, 56);
    CHECK(L(0)->l4_ok);
    CHECK(!L(0)->quoted.valid);
    dec_cut(1, 14 + 20 + 5);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_ICMP);
    CHECK_EQ_U(L(0)->sport, 8);
    CHECK(!L(0)->l4_ok);
}

static void test_icmp_errors_quote(void)
{
    static const unsigned types[] = {3, 4, 5, 11, 12};
    for (size_t i = 0; i < ASC_ARRAY_LEN(types); i++) {
        fb_reset();
        eth(0x0800);
        size_t ip = ip4(1, "192.0.2.254", "10.0.0.1");
        icmp(types[i], 1, 0);
        size_t q = ip4(17, "10.0.0.1", "203.0.113.9");
        size_t u = udp(33000, 33434);
        payload(4);
        udp_end(u);
        ip4_end(q);
        ip4_end(ip);
        dec(1);
        CHECK_OK(1);
        const struct asc_ipl *l = L(0);
        CHECK_EQ_U(l->icmp_type, types[i]);
        CHECK_EQ_U(l->dport, 1);
        CHECK(l->quoted.valid);
        CHECK_EQ_U(l->quoted.proto, 17);
        CHECK(addr_is(&l->quoted.src, "10.0.0.1"));
        CHECK(addr_is(&l->quoted.dst, "203.0.113.9"));
        CHECK_EQ_U(l->quoted.sport, 33000);
        CHECK_EQ_U(l->quoted.dport, 33434);
    }
    /* Quoted TCP, only 8 bytes of it (RFC 792 minimum). */
    fb_reset();
    eth(0x0800);
    size_t ip = ip4(1, "192.0.2.254", "10.0.0.1");
    icmp(3, 3, 0);
    ip4(6, "10.0.0.1", "203.0.113.9");
    be16(1234);
    be16(80);
    be32(99);
    ip4_end(ip);
    dec(1);
    CHECK_OK(1);
    CHECK(L(0)->quoted.valid);
    CHECK_EQ_U(L(0)->quoted.proto, 6);
    CHECK_EQ_U(L(0)->quoted.sport, 1234);
    CHECK_EQ_U(L(0)->quoted.dport, 80);
    /* A quote cut by the capture is no fault; it is just not valid. */
    dec_cut(1, F.n - 12);
    CHECK_OK(1);
    CHECK(!L(0)->quoted.valid);
}

static void test_icmp6(void)
{
    fb_reset();
    eth(0x86dd);
    size_t ip = ip6(58, "fe80::1", "ff02::1");
    icmp(128, 0, 0x12340001);
    payload(8);
    ip6_end(ip);
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->proto, 58);
    CHECK_EQ_U(L(0)->sport, 128);
    CHECK_EQ_U(L(0)->icmp_type, 128);
    CHECK(!L(0)->quoted.valid);
    for (unsigned t = 1; t <= 4; t++) {
        fb_reset();
        eth(0x86dd);
        ip = ip6(58, "2001:db8::ff", "2001:db8::1");
        icmp(t, 0, 1280);
        size_t q = ip6(60, "2001:db8::1", "2001:db8:5::9");
        ext6(44, 0);
        frag6(6, 0, true, 5);
        tcp(5555, 443, ASC_TH_SYN, NULL, 0);
        ip6_end(q);
        ip6_end(ip);
        dec(1);
        CHECK_OK(1);
        const struct asc_ipl *l = L(0);
        CHECK_EQ_U(l->icmp_type, t);
        CHECK(l->quoted.valid);
        CHECK_EQ_U(l->quoted.proto, 6);
        CHECK(addr_is(&l->quoted.src, "2001:db8::1"));
        CHECK(addr_is(&l->quoted.dst, "2001:db8:5::9"));
        CHECK_EQ_U(l->quoted.sport, 5555);
        CHECK_EQ_U(l->quoted.dport, 443);
    }
}

static void test_vlan_qinq(void)
{
    static const unsigned outer[] = {0x8100, 0x88a8, 0x9100};
    for (size_t i = 0; i < ASC_ARRAY_LEN(outer); i++) {
        fb_reset();
        eth(outer[i]);
        vlan(0x2000 | 100, 0x8100);
        vlan(200, 0x0800);
        build_ip_udp();
        dec(1);
        check_udp_1000();
        CHECK_EQ_U(P.n_vlan, 2);
        CHECK_EQ_U(P.vlan[0], 100);
        CHECK_EQ_U(P.vlan[1], 200);
        CHECK_EQ_U(L(0)->l3_off, 22);
    }
    fb_reset();
    eth(0x8100);
    vlan(7, 0x86dd);
    build_ip6_tcp();
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(P.n_vlan, 1);
    CHECK_EQ_U(P.vlan[0], 7);
    CHECK_EQ_U(L(0)->sport, 3000);
    /* Three tags: keep the innermost two. */
    fb_reset();
    eth(0x88a8);
    vlan(1, 0x8100);
    vlan(2, 0x8100);
    vlan(3, 0x0800);
    build_ip_udp();
    dec(1);
    check_udp_1000();
    CHECK_EQ_U(P.n_vlan, 2);
    CHECK_EQ_U(P.vlan[0], 2);
    CHECK_EQ_U(P.vlan[1], 3);
    dec_cut(1, 16);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_VLAN);
}

static void test_mpls(void)
{
    fb_reset();
    eth(0x8847);
    mpls(100, false);
    mpls(200, true);
    build_ip_udp();
    dec(1);
    check_udp_1000();
    CHECK_EQ_U(P.n_mpls, 2);
    CHECK_EQ_U(L(0)->l3_off, 22);
    fb_reset();
    eth(0x8100);
    vlan(5, 0x8848);
    mpls(16, true);
    build_ip6_tcp();
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(P.n_mpls, 1);
    CHECK_EQ_U(P.n_vlan, 1);
    CHECK_EQ_U(L(0)->ipver, 6);
    /* Ethernet pseudowire with a control word. */
    fb_reset();
    eth(0x8847);
    mpls(300, true);
    be32(0);
    eth(0x0800);
    build_ip_udp();
    dec(1);
    check_udp_1000();
    /* Label stack without bottom, and one too deep. */
    fb_reset();
    eth(0x8847);
    mpls(1, false);
    dec(1);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_MPLS);
    fb_reset();
    eth(0x8847);
    for (int i = 0; i < 20; i++)
        mpls((unsigned)i, false);
    mpls(99, true);
    build_ip_udp();
    dec(1);
    CHECK_FAIL(ASC_DEC_UNSUPPORTED, ASC_DR_DEPTH);
    fb_reset();
    eth(0x8847);
    mpls(1, true);
    u8(0x55);
    zeros(30);
    dec(1);
    CHECK_FAIL(ASC_DEC_UNSUPPORTED, ASC_DR_MPLS);
}


static void test_pppoe(void)
{
    fb_reset();
    eth(0x8864);
    pppoe_hdr(0x0021);
    build_ip_udp();
    dec(1);
    check_udp_1000();
    CHECK_EQ_U(L(0)->l3_off, 22);
    fb_reset();
    eth(0x88a8);
    vlan(10, 0x8100);
    vlan(20, 0x8864);
    pppoe_hdr(0x0057);
    build_ip6_tcp();
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(P.n_vlan, 2);
    CHECK_EQ_U(L(0)->sport, 3000);
    fb_reset();
    eth(0x8864);
    pppoe_hdr(0xc021); /* LCP */
    zeros(10);
    dec(1);
    CHECK_STR(asc_dec_status_name(P.status), "nonip");
    CHECK_EQ_U(P.n_ipl, 0);
    fb_reset();
    eth(0x8863); /* discovery */
    zeros(20);
    dec(1);
    CHECK_STR(asc_dec_status_name(P.status), "nonip");
    fb_reset();
    eth(0x8864);
    pppoe_hdr(0x0021);
    F.b[14] = 0x21;
    build_ip_udp();
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_PPPOE);
}

static void test_nonip_and_unknown(void)
{
    fb_reset();
    eth(0x0806);
    zeros(28);
    dec(1);
    CHECK_STR(asc_dec_status_name(P.status), "nonip");
    CHECK_EQ_U(P.n_ipl, 0);
    fb_reset();
    eth(0x88cc);
    zeros(30);
    dec(1);
    CHECK_STR(asc_dec_status_name(P.status), "nonip");
    fb_reset();
    eth(38); /* 802.3 length, STP LLC */
    u8(0x42);
    u8(0x42);
    u8(0x03);
    zeros(35);
    dec(1);
    CHECK_STR(asc_dec_status_name(P.status), "nonip");
    fb_reset();
    eth(0x1234);
    zeros(40);
    dec(1);
    CHECK_FAIL(ASC_DEC_UNSUPPORTED, ASC_DR_ETHERTYPE);
    /* 802.3 + LLC/SNAP carrying IPv4. */
    fb_reset();
    eth(0);
    u8(0xaa);
    u8(0xaa);
    u8(0x03);
    zeros(3);
    be16(0x0800);
    build_ip_udp();
    set16(12, (unsigned)(F.n - 14));
    dec(1);
    check_udp_1000();
    CHECK_EQ_U(L(0)->l3_off, 22);
}

static void test_sll_sll2(void)
{
    fb_reset();
    be16(0); /* to us */
    be16(1); /* ARPHRD_ETHER */
    be16(6);
    zeros(8);
    be16(0x0800);
    build_ip_udp();
    dec(113);
    check_udp_1000();
    CHECK_EQ_U(L(0)->l3_off, 16);
    fb_reset();
    be16(0x86dd);
    be16(0);
    be32(3);
    be16(1);
    u8(4);
    u8(6);
    zeros(8);
    build_ip6_tcp();
    dec(276);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->l3_off, 20);
    CHECK_EQ_U(L(0)->dport, 4000);
    fb_reset();
    be16(0);
    be16(1);
    be16(6);
    zeros(8);
    be16(0x0806);
    zeros(28);
    dec(113);
    CHECK_STR(asc_dec_status_name(P.status), "nonip");
}

static void test_null_loop_raw(void)
{
    static const uint32_t afs6[] = {24, 28, 30};
    for (int dlt = 0; dlt <= 108; dlt += 108) {
        fb_reset();
        le32(2);
        build_ip_udp();
        dec(dlt);
        check_udp_1000();
        fb_reset();
        be32(2);
        build_ip_udp();
        dec(dlt);
        check_udp_1000();
        for (size_t i = 0; i < ASC_ARRAY_LEN(afs6); i++) {
            fb_reset();
            if (i & 1)
                le32(afs6[i]);
            else
                be32(afs6[i]);
            build_ip6_tcp();
            dec(dlt);
            CHECK_OK(1);
            CHECK_EQ_U(L(0)->ipver, 6);
            CHECK_EQ_U(L(0)->l3_off, 4);
        }
        fb_reset();
        be32(7);
        build_ip_udp();
        dec(dlt);
        CHECK_FAIL(ASC_DEC_UNSUPPORTED, ASC_DR_ETHERTYPE);
    }
    static const int raw[] = {12, 14, 101, 228};
    for (size_t i = 0; i < ASC_ARRAY_LEN(raw); i++) {
        fb_reset();
        build_ip_udp();
        dec(raw[i]);
        check_udp_1000();
        CHECK_EQ_U(L(0)->l3_off, 0);
    }
    fb_reset();
    build_ip6_tcp();
    dec(101);
    CHECK_OK(1);
    dec(229);
    CHECK_OK(1);
    dec(228); /* DLT_IPV4 with an IPv6 packet */
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_IPV4);
    F.b[0] = 0x50;
    dec(12);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_IPV4);
}

static void test_ppp_and_chdlc(void)
{
    fb_reset();
    u8(0xff);
    u8(0x03);
    be16(0x0021);
    build_ip_udp();
    dec(9);
    check_udp_1000();
    CHECK_EQ_U(L(0)->l3_off, 4);
    fb_reset();
    u8(0x21); /* protocol-field compression */
    build_ip_udp();
    dec(9);
    check_udp_1000();
    CHECK_EQ_U(L(0)->l3_off, 1);
    fb_reset();
    be16(0x0057);
    build_ip6_tcp();
    dec(9);
    CHECK_OK(1);
    fb_reset();
    u8(0xff);
    u8(0x03);
    be16(0xc021);
    zeros(8);
    dec(9);
    CHECK_STR(asc_dec_status_name(P.status), "nonip");
    fb_reset();
    u8(0x0f);
    u8(0x00);
    be16(0x0800);
    build_ip_udp();
    dec(104);
    check_udp_1000();
    dec(50);
    check_udp_1000();
}



static void test_ieee80211_radiotap(void)
{
    fb_reset();
    wlan_data_hdr(false);
    snap(0x0800);
    build_ip_udp();
    dec(105);
    check_udp_1000();
    CHECK_EQ_U(L(0)->l3_off, 32);
    fb_reset();
    wlan_data_hdr(true);
    snap(0x86dd);
    build_ip6_tcp();
    dec(105);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->l3_off, 34);
    fb_reset();
    u8(0x80); /* beacon */
    u8(0);
    zeros(40);
    dec(105);
    CHECK_STR(asc_dec_status_name(P.status), "nonip");
    fb_reset();
    u8(0x48); /* null function */
    u8(0x01);
    zeros(22);
    dec(105);
    CHECK_STR(asc_dec_status_name(P.status), "nonip");
    fb_reset();
    u8(0x08);
    u8(0x42); /* protected */
    zeros(60);
    dec(105);
    CHECK_FAIL(ASC_DEC_UNSUPPORTED, ASC_DR_LINK);

    /* Radiotap: TSFT, flags, rate. */
    fb_reset();
    u8(0);
    u8(0);
    le16(18);
    le32(0x7);
    zeros(8);
    u8(0x10); /* flags: FCS at end */
    u8(2);
    wlan_data_hdr(false);
    snap(0x0800);
    build_ip_udp();
    zeros(4); /* FCS */
    dec(127);
    check_udp_1000();
    CHECK_EQ_U(L(0)->l3_off, 18 + 32);
    /* Extended present bitmap, flags say the 802.11 header is padded. */
    fb_reset();
    u8(0);
    u8(0);
    le16(13);
    le32(0x80000002);
    le32(0);
    u8(0x20);
    wlan_data_hdr(true);
    zeros(2);
    snap(0x0800);
    build_ip_udp();
    dec(127);
    check_udp_1000();
    CHECK_EQ_U(L(0)->l3_off, 13 + 28 + 8);
    F.b[0] = 1;
    dec(127);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_LINK);
}

static void test_fabricpath(void)
{
    fb_reset();
    eth(0x8903);
    be16(0x0040);
    eth(0x8100);
    vlan(30, 0x0800);
    build_ip_udp();
    dec(1);
    check_udp_1000();
    CHECK_EQ_U(L(0)->l3_off, 16 + 18);
    CHECK_EQ_U(P.vlan[0], 30);
}

static void test_linktypes(void)
{
    static const int ok[] = {0, 1, 9, 12, 14, 50, 51, 101, 104, 105, 108, 113, 127, 228, 229, 276};
    for (size_t i = 0; i < ASC_ARRAY_LEN(ok); i++)
        CHECK(asc_decode_linktype_supported(ok[i]));
    CHECK(!asc_decode_linktype_supported(147));
    CHECK(!asc_decode_linktype_supported(-1));
    build_v4_tcp(0);
    dec(147);
    CHECK_FAIL(ASC_DEC_UNSUPPORTED, ASC_DR_LINKTYPE);
    CHECK_EQ_U(P.n_ipl, 0);
    asc_decode(&P, 1, NULL, 0, 0, 0);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_LINK);
    asc_decode(&P, 50, NULL, 0, 0, 0);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_LINK);
    asc_decode(&P, 12, NULL, 0, 0, 0);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_IPV4);
    fb_reset();
    eth(0x0800);
    dec(1);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_IPV4);
}

static void test_names(void)
{
    for (int r = 0; r < ASC_DR__COUNT; r++) {
        CHECK(strcmp(asc_dec_reason_name((enum asc_dec_reason)r), "unknown") != 0);
        for (int s = 0; s < r; s++)
            CHECK(strcmp(asc_dec_reason_name((enum asc_dec_reason)r),
                         asc_dec_reason_name((enum asc_dec_reason)s)) != 0);
    }
    CHECK_STR(asc_dec_reason_name(ASC_DR__COUNT), "unknown");
    CHECK_STR(asc_dec_reason_name(ASC_DR_DEPTH), "depth");
    for (int s = 0; s < ASC_DEC__COUNT; s++)
        CHECK(strcmp(asc_dec_status_name((enum asc_dec_status)s), "unknown") != 0);
    CHECK_STR(asc_dec_status_name(ASC_DEC_TRUNCATED), "truncated");
    CHECK_STR(asc_dec_status_name(ASC_DEC__COUNT), "unknown");
}

TEST_MAIN(T(test_eth_ipv4_tcp), T(test_tcp_no_options_and_padding), T(test_snaplen_payload_is_ok), T(test_ipv4_invalid), T(test_ipv4_tso_zero_length), T(test_ipv4_options_udp), T(test_sctp_and_unknown_proto), T(test_ipv4_fragments), T(test_ipv6_fragments), T(test_ipv6_ext_chain), T(test_ipv6_ext_limit_and_faults), T(test_ipv6_jumbo), T(test_icmp_echo), T(test_icmp_errors_quote), T(test_icmp6), T(test_vlan_qinq), T(test_mpls), T(test_pppoe), T(test_nonip_and_unknown), T(test_sll_sll2), T(test_null_loop_raw), T(test_ppp_and_chdlc), T(test_ieee80211_radiotap), T(test_fabricpath), T(test_linktypes), T(test_names))
