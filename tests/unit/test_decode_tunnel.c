/*
 * test_decode_tunnel.c - unit tests for the decoder's tunnels (IP-in-IP, GRE,
 * ERSPAN, PPTP, VXLAN, Geneve, GTP-U, Teredo, AYIYA), its depth limit, and the
 * robustness tests: every prefix of complex frames from exact-size heap copies
 * (so ASan sees any overread) and pseudo-random junk on every link type.
 */

#include "frame_build.h"

/* ---- tunnels ---- */

static void test_ip_in_ip(void)
{
    fb_reset();
    eth(0x0800);
    size_t o = ip4(4, "1.1.1.1", "2.2.2.2");
    build_ip_udp();
    ip4_end(o);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(0)->proto, 4);
    CHECK_EQ_U(L(0)->l4_off, 0);
    CHECK_EQ_U(L(0)->payload_len, 20 + 12);
    CHECK_EQ_U(L(1)->tun, ASC_TUN_IPIP);
    CHECK(addr_is(&L(1)->src, "172.16.0.1"));
    CHECK_EQ_U(L(1)->sport, 1000);
    CHECK_EQ_U(L(1)->l3_off, 34);
    fb_reset();
    eth(0x0800);
    o = ip4(41, "1.1.1.1", "2.2.2.2"); /* 6in4 */
    build_ip6_tcp();
    ip4_end(o);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->ipver, 6);
    CHECK_EQ_U(L(1)->tun, ASC_TUN_IPIP);
    fb_reset();
    eth(0x86dd);
    o = ip6(4, "2001:db8::1", "2001:db8::2"); /* 4in6 */
    build_ip_udp();
    ip6_end(o);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->ipver, 4);
    fb_reset();
    eth(0x86dd);
    o = ip6(41, "2001:db8::1", "2001:db8::2"); /* 6in6 */
    build_ip6_tcp();
    ip6_end(o);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->dport, 4000);
    /* Inner header broken: outer layer stays. */
    fb_reset();
    eth(0x0800);
    o = ip4(4, "1.1.1.1", "2.2.2.2");
    build_ip_udp();
    ip4_end(o);
    F.b[34] = 0x43;
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_IPV4);
    CHECK_EQ_U(P.n_ipl, 1);
    CHECK(addr_is(&L(0)->src, "1.1.1.1"));
}

static void test_depth_limit(void)
{
    fb_reset();
    eth(0x0800);
    size_t at[40];
    for (int i = 0; i < 40; i++)
        at[i] = ip4(4, "10.0.0.1", "10.0.0.2");
    build_ip_udp();
    for (int i = 39; i >= 0; i--)
        ip4_end(at[i]);
    dec(1);
    CHECK_FAIL(ASC_DEC_UNSUPPORTED, ASC_DR_DEPTH);
    CHECK_EQ_U(P.n_ipl, ASC_MAX_IPL);
    for (unsigned i = 1; i < ASC_MAX_IPL; i++)
        CHECK_EQ_U(L(i)->tun, ASC_TUN_IPIP);
    /* The step limit catches long chains of non-IP layers. */
    fb_reset();
    eth(0x8100);
    for (int i = 0; i < 40; i++)
        vlan((unsigned)i, 0x8100);
    vlan(99, 0x0800);
    build_ip_udp();
    dec(1);
    CHECK_FAIL(ASC_DEC_UNSUPPORTED, ASC_DR_DEPTH);
    CHECK_EQ_U(P.n_ipl, 0);
    CHECK_EQ_U(P.n_vlan, 2);
}

/* Outer Ethernet/IPv4/GRE with the given flags, then the payload. */
static size_t gre_outer(unsigned flags, unsigned ptype, uint32_t key)
{
    fb_reset();
    eth(0x0800);
    size_t o = ip4(47, "192.0.2.1", "192.0.2.2");
    gre(flags, ptype, key);
    return o;
}

static void test_gre(void)
{
    size_t o = gre_outer(0, 0x0800, 0);
    build_ip_udp();
    ip4_end(o);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(0)->proto, 47);
    CHECK_EQ_U(L(0)->l4_off, 34);
    CHECK(L(0)->l4_ok);
    CHECK_EQ_U(L(0)->payload_len, 32);
    CHECK_EQ_U(L(1)->tun, ASC_TUN_GRE);
    CHECK_EQ_U(L(1)->tun_id, 0);
    CHECK_EQ_U(L(1)->l3_off, 38);
    CHECK_EQ_U(L(1)->sport, 1000);
    o = gre_outer(0xb000, 0x86dd, 0xfeed); /* checksum, key, sequence */
    build_ip6_tcp();
    ip4_end(o);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->tun_id, 0xfeed);
    CHECK_EQ_U(L(1)->l3_off, 34 + 16);
    CHECK_EQ_U(L(1)->ipver, 6);
    o = gre_outer(0x2000, 0x6558, 5001); /* NVGRE-style TEB */
    eth(0x8100);
    vlan(12, 0x0800);
    build_ip_udp();
    ip4_end(o);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->tun_id, 5001);
    CHECK_EQ_U(L(1)->l3_off, 34 + 8 + 18);
    CHECK_EQ_U(P.n_vlan, 0);          /* tags inside a tunnel are not the link's */
    o = gre_outer(0x4000, 0x0800, 0); /* RFC 1701 routing */
    build_ip_udp();
    ip4_end(o);
    dec(1);
    CHECK_FAIL(ASC_DEC_UNSUPPORTED, ASC_DR_GRE);
    CHECK_EQ_U(P.n_ipl, 1);
    o = gre_outer(0xb000, 0x0800, 1);
    ip4_end(o);
    dec_cut(1, F.n - 2);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_GRE);
    CHECK_EQ_U(P.n_ipl, 1);
    /* Inner non-IP (ARP over TEB) leaves the frame OK. */
    o = gre_outer(0, 0x6558, 0);
    eth(0x0806);
    zeros(28);
    ip4_end(o);
    dec(1);
    CHECK_OK(1);
}

static void test_erspan(void)
{
    size_t o = gre_outer(0x1000, 0x88be, 0); /* type II */
    be16(0x1000 | 10);
    be16(0x0000 | 77); /* session 77 */
    be32(0);
    eth(0x0800);
    build_ip_udp();
    ip4_end(o);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->tun, ASC_TUN_GRE);
    CHECK_EQ_U(L(1)->tun_id, 0); /* the session id is not a network id */
    CHECK_EQ_U(L(1)->l3_off, 34 + 8 + 8 + 14);
    F.b[42] = 0x30; /* bad version */
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_ERSPAN);
    CHECK_EQ_U(P.n_ipl, 1);
    o = gre_outer(0, 0x88be, 0); /* type I: no header */
    eth(0x0800);
    build_ip_udp();
    ip4_end(o);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->l3_off, 34 + 4 + 14);
    o = gre_outer(0x1000, 0x22eb, 0); /* type III with the optional subheader */
    be16(0x2000);
    be16(300);
    be32(123456);
    be32(1);
    zeros(8);
    eth(0x0800);
    build_ip_udp();
    ip4_end(o);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->tun_id, 0);
    CHECK_EQ_U(L(1)->l3_off, 34 + 8 + 20 + 14);
}

static void test_pptp(void)
{
    fb_reset();
    eth(0x0800);
    size_t o = ip4(47, "192.0.2.1", "192.0.2.2");
    be16(0x3081); /* K S A, version 1 */
    be16(0x880b);
    size_t pl = F.n;
    be16(0);
    be16(0x4321); /* call id */
    be32(5);
    be32(4);
    u8(0xff);
    u8(0x03);
    be16(0x0021);
    build_ip_udp();
    set16(pl, (unsigned)(F.n - pl - 14));
    ip4_end(o);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->tun, ASC_TUN_GRE);
    CHECK_EQ_U(L(1)->tun_id, 0); /* call ids differ per direction */
    CHECK_EQ_U(L(1)->l3_off, 34 + 16 + 4);
    CHECK_EQ_U(L(1)->sport, 1000);
    /* Acknowledgment only: no payload. */
    fb_reset();
    eth(0x0800);
    o = ip4(47, "192.0.2.1", "192.0.2.2");
    be16(0x2081);
    be16(0x880b);
    be16(0);
    be16(1);
    be32(9);
    ip4_end(o);
    dec(1);
    CHECK_OK(1);
}

/* Outer Ethernet/IPv4/UDP to port dport; returns the IP and UDP offsets. */
static void udp_outer(unsigned sport, unsigned dport, size_t *ip, size_t *u)
{
    fb_reset();
    eth(0x0800);
    *ip = ip4(17, "203.0.113.1", "203.0.113.2");
    *u = udp(sport, dport);
}

static void udp_outer_end(size_t ip, size_t u)
{
    udp_end(u);
    ip4_end(ip);
}

static void test_vxlan(void)
{
    size_t ip, u;
    udp_outer(49152, 4789, &ip, &u);
    vxlan(0x123456);
    eth(0x0800);
    size_t in = ip4(6, "10.10.0.1", "10.10.0.2");
    tcp(8080, 51000, ASC_TH_ACK, syn_opts, 8);
    payload(3);
    ip4_end(in);
    udp_outer_end(ip, u);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(0)->proto, 17);
    CHECK_EQ_U(L(0)->sport, 49152);
    CHECK_EQ_U(L(0)->dport, 4789);
    CHECK(L(0)->l4_ok);
    CHECK_EQ_U(L(0)->payload_len, 8 + 14 + 20 + 28 + 3);
    CHECK_EQ_U(L(0)->tun, ASC_TUN_NONE);
    CHECK_EQ_U(L(1)->tun, ASC_TUN_VXLAN);
    CHECK_EQ_U(L(1)->tun_id, 0x123456);
    CHECK(addr_is(&L(1)->src, "10.10.0.1"));
    CHECK_EQ_U(L(1)->sport, 8080);
    CHECK_EQ_U(L(1)->tcp_mss, 1460);
    CHECK_EQ_U(L(1)->payload_len, 3);
    CHECK_EQ_U(L(1)->l3_off, 14 + 20 + 8 + 8 + 14);
    /* I flag clear: not VXLAN, plain UDP. */
    F.b[42] = 0;
    dec(1);
    CHECK_OK(1);
    /* Inner IPv4 broken. */
    F.b[42] = 0x08;
    F.b[64] = 0x46;
    F.b[66] = 0;
    F.b[67] = 10;
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_IPV4);
    CHECK_EQ_U(P.n_ipl, 1);
    /* Cut in the VXLAN header. */
    dec_cut(1, 14 + 20 + 8 + 5);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_VXLAN);
    CHECK_EQ_U(P.n_ipl, 1);
}

static void test_geneve(void)
{
    size_t ip, u;
    udp_outer(50000, 6081, &ip, &u);
    u8(0x02); /* version 0, 2 words of options */
    u8(0);
    be16(0x6558);
    be32(0xabcdef00);
    be16(0x0102); /* option class */
    u8(0x03);
    u8(0x01); /* length 1 word */
    be32(0xcafe);
    eth(0x0800);
    build_ip_udp();
    udp_outer_end(ip, u);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->tun, ASC_TUN_GENEVE);
    CHECK_EQ_U(L(1)->tun_id, 0xabcdef);
    CHECK_EQ_U(L(1)->l3_off, 42 + 16 + 14);
    CHECK_EQ_U(L(1)->sport, 1000);
    udp_outer(50000, 6081, &ip, &u);
    u8(0);
    u8(0);
    be16(0x86dd);
    be32(0x00000700);
    build_ip6_tcp();
    udp_outer_end(ip, u);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->tun_id, 7);
    CHECK_EQ_U(L(1)->ipver, 6);
    /* Options longer than the datagram. */
    F.b[42] = 0x3f;
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_GENEVE);
    CHECK_EQ_U(P.n_ipl, 1);
}

static void test_gtpu(void)
{
    size_t ip, u;
    udp_outer(2152, 2152, &ip, &u);
    size_t g = gtp(0x30, 0xff, 0x01020304);
    build_ip_udp();
    gtp_end(g);
    udp_outer_end(ip, u);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->tun, ASC_TUN_GTPU);
    CHECK_EQ_U(L(1)->tun_id, 0); /* TEIDs differ per direction */
    CHECK_EQ_U(L(1)->l3_off, 42 + 8);
    CHECK_EQ_U(L(1)->sport, 1000);
    /* Sequence number and an extension header chain (PDU session). */
    udp_outer(40000, 2152, &ip, &u);
    g = gtp(0x36, 0xff, 9);
    be16(77);
    u8(0);
    u8(0x85);
    u8(1);
    u8(0x10);
    u8(0x05);
    u8(0x00);
    build_ip6_tcp();
    gtp_end(g);
    udp_outer_end(ip, u);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->l3_off, 42 + 12 + 4);
    CHECK_EQ_U(L(1)->ipver, 6);
    CHECK_EQ_U(L(1)->sport, 3000);
    /* Extension header with length 0. */
    F.b[42 + 12] = 0;
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_GTP);
    CHECK_EQ_U(P.n_ipl, 1);
    /* Echo request: just the outer flow. */
    udp_outer(2152, 2152, &ip, &u);
    g = gtp(0x32, 0x01, 0);
    be16(1);
    u8(0);
    u8(0);
    gtp_end(g);
    udp_outer_end(ip, u);
    dec(1);
    CHECK_OK(1);
    /* GTPv2-C on the GTP-U port is plain UDP. */
    F.b[42] = 0x48;
    dec(1);
    CHECK_OK(1);
    /* Cut inside the GTP header. */
    udp_outer(2152, 2152, &ip, &u);
    g = gtp(0x30, 0xff, 1);
    build_ip_udp();
    gtp_end(g);
    udp_outer_end(ip, u);
    dec_cut(1, 42 + 6);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_GTP);
    dec_cut(1, 42 + 8 + 10);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_IPV4);
    CHECK_EQ_U(P.n_ipl, 1);
}

static void test_teredo(void)
{
    size_t ip, u;
    udp_outer(3544, 61000, &ip, &u);
    size_t in = ip6(59, "2001:0:4136:e378::1", "2001:db8::99"); /* bubble */
    ip6_end(in);
    udp_outer_end(ip, u);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->tun, ASC_TUN_TEREDO);
    CHECK_EQ_U(L(1)->proto, 59);
    CHECK_EQ_U(L(1)->l3_off, 42);
    /* Authentication then origin indication. */
    udp_outer(61000, 3544, &ip, &u);
    u8(0);
    u8(1);
    u8(2);
    u8(3);
    zeros(2 + 3 + 8 + 1);
    u8(0);
    u8(0);
    be16(0x1234);
    be32(0x01020304);
    build_ip6_tcp();
    udp_outer_end(ip, u);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->l3_off, 42 + 18 + 8);
    CHECK_EQ_U(L(1)->sport, 3000);
    /* Payload length that does not fit: not Teredo. */
    udp_outer(3544, 61000, &ip, &u);
    in = ip6(59, "2001:0:4136:e378::1", "2001:db8::99");
    ip6_end(in);
    set16(in + 4, 100);
    udp_outer_end(ip, u);
    dec(1);
    CHECK_OK(1);
    CHECK_EQ_U(L(0)->dport, 61000);
    /* Not IPv6 at all. */
    udp_outer(3544, 61000, &ip, &u);
    payload(60);
    udp_outer_end(ip, u);
    dec(1);
    CHECK_OK(1);
}

/* Teredo relays and peers use any port: exact fit and a Teredo address. */
static void test_teredo_any_port(void)
{
    size_t ip, u;
    udp_outer(32900, 3797, &ip, &u);
    size_t in = ip6(6, "2001:4860:0:2001::68", "2001:0:4137:9e50:8000:f12a:b9c8:2815");
    tcp(80, 1286, ASC_TH_ACK, NULL, 0);
    payload(7);
    ip6_end(in);
    udp_outer_end(ip, u);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(0)->sport, 32900);
    CHECK_EQ_U(L(1)->tun, ASC_TUN_TEREDO);
    CHECK_EQ_U(L(1)->sport, 80);
    CHECK_EQ_U(L(1)->dport, 1286);
    CHECK_EQ_U(L(1)->payload_len, 7);
    /* With an origin indication. */
    udp_outer(32900, 3797, &ip, &u);
    u8(0);
    u8(0);
    be16(0xffff);
    be32(0xfefefefe);
    in = ip6(59, "2001:0:4137:9e50::1", "2001:db8::1");
    ip6_end(in);
    udp_outer_end(ip, u);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->l3_off, 42 + 8);
    /* Neither address is a Teredo address: plain UDP. */
    udp_outer(32900, 3797, &ip, &u);
    in = ip6(59, "2001:db8::1", "2001:db8::2");
    ip6_end(in);
    udp_outer_end(ip, u);
    dec(1);
    CHECK_OK(1);
    /* Trailing bytes after the IPv6 packet: plain UDP off port 3544 ... */
    udp_outer(32900, 3797, &ip, &u);
    in = ip6(59, "2001:0:4137:9e50::1", "2001:db8::1");
    ip6_end(in);
    zeros(4);
    udp_outer_end(ip, u);
    dec(1);
    CHECK_OK(1);
    /* ... but Teredo on it. */
    set16(u, 3544);
    dec(1);
    CHECK_OK(2);
}

static void test_ayiya(void)
{
    size_t ip, u;
    udp_outer(53859, 5072, &ip, &u);
    u8(0x41); /* 16-byte identity */
    u8(0x52); /* 20-byte signature */
    u8(0x21); /* opcode forward */
    u8(41);
    be32(1300000000);
    zeros(16 + 20);
    build_ip6_tcp();
    udp_outer_end(ip, u);
    dec(1);
    CHECK_OK(2);
    CHECK_EQ_U(L(1)->tun, ASC_TUN_AYIYA);
    CHECK_EQ_U(L(1)->l3_off, 42 + 44);
    CHECK_EQ_U(L(1)->dport, 4000);
    F.b[44] = 0x22; /* opcode echo: not forwarded */
    dec(1);
    CHECK_OK(1);
    F.b[44] = 0x21;
    dec_cut(1, 42 + 20);
    CHECK_FAIL(ASC_DEC_TRUNCATED, ASC_DR_AYIYA);
}

/* ---- robustness ---- */

/* Every prefix of the frame from an exact-size heap copy: shorter than
 * hdr_end must be TRUNCATED, longer must give `full` as for the whole. */
static void check_prefixes(int dlt, size_t hdr_end, enum asc_dec_status full, unsigned nipl)
{
    for (size_t cut = 0; cut <= F.n; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        if (!copy)
            return;
        memcpy(copy, F.b, cut);
        asc_decode(&P, dlt, copy, (uint32_t)cut, (uint32_t)F.n, 0);
        CHECK(P.n_ipl <= ASC_MAX_IPL);
        if (cut < hdr_end) {
            if (P.status != ASC_DEC_TRUNCATED)
                fprintf(stderr, "  prefix %zu of %zu (dlt %d): %s/%s\n", cut, F.n, dlt,
                        asc_dec_status_name(P.status), asc_dec_reason_name(P.reason));
            CHECK_EQ_U(P.status, ASC_DEC_TRUNCATED);
        } else {
            CHECK_EQ_U(P.status, full);
            CHECK_EQ_U(P.n_ipl, nipl);
        }
        free(copy);
    }
}

static void test_prefixes(void)
{
    /* Ethernet/VLAN/IPv4/UDP/VXLAN/Ethernet/IPv6+ext/TCP with options. */
    size_t ip, u;
    fb_reset();
    eth(0x8100);
    vlan(3, 0x0800);
    ip = ip4x(17, "10.0.0.1", "10.0.0.2", 1, 0, 1);
    u = udp(1234, 4789);
    vxlan(42);
    eth(0x86dd);
    size_t in = ip6(0, "2001:db8::1", "2001:db8::2");
    ext6(6, 0);
    tcp(1, 2, ASC_TH_SYN, syn_opts, sizeof(syn_opts));
    size_t hdr_end = F.n;
    payload(30);
    ip6_end(in);
    udp_end(u);
    ip4_end(ip);
    check_prefixes(1, hdr_end, ASC_DEC_OK, 2);

    /* MPLS/IPv4/GRE(key)/IPv4/ICMP error quoting UDP. */
    fb_reset();
    eth(0x8847);
    mpls(5, false);
    mpls(6, true);
    ip = ip4(47, "10.0.0.1", "10.0.0.2");
    gre(0x2000, 0x0800, 9);
    in = ip4(1, "10.9.0.1", "10.9.0.2");
    icmp(11, 0, 0);
    hdr_end = F.n;
    size_t q = ip4(17, "10.9.0.2", "8.8.8.8");
    size_t qu = udp(5, 53);
    udp_end(qu);
    ip4_end(q);
    ip4_end(in);
    ip4_end(ip);
    check_prefixes(1, hdr_end, ASC_DEC_OK, 2);

    /* PPPoE over QinQ/IPv6 first fragment/UDP/GTP-U(seq)/IPv4/TCP. */
    fb_reset();
    eth(0x88a8);
    vlan(1, 0x8100);
    vlan(2, 0x8864);
    pppoe_hdr(0x0057);
    ip = ip6(44, "2001:db8::1", "2001:db8::2");
    frag6(17, 0, true, 3);
    u = udp(2152, 2152);
    size_t g = gtp(0x32, 0xff, 5);
    be32(0);
    in = ip4(6, "100.64.0.1", "93.184.216.34");
    tcp(50000, 80, ASC_TH_ACK, NULL, 0);
    hdr_end = F.n;
    payload(20);
    ip4_end(in);
    gtp_end(g);
    udp_end(u);
    ip6_end(ip);
    check_prefixes(1, hdr_end, ASC_DEC_OK, 2);
}

static void test_prefixes_links(void)
{
    size_t ip, u, in, hdr_end;
    /* Radiotap/802.11/SNAP/IPv4/GRE TEB/Ethernet/ARP: OK with one layer. */
    fb_reset();
    u8(0);
    u8(0);
    le16(8);
    le32(0);
    wlan_data_hdr(true);
    snap(0x0800);
    ip = ip4(47, "10.0.0.1", "10.0.0.2");
    gre(0, 0x6558, 0);
    eth(0x0806);
    hdr_end = F.n;
    zeros(28);
    ip4_end(ip);
    check_prefixes(127, hdr_end, ASC_DEC_OK, 1);

    /* SLL/ARP: NONIP once the link header is there. */
    fb_reset();
    zeros(14);
    be16(0x0806);
    hdr_end = F.n;
    zeros(28);
    check_prefixes(113, hdr_end, ASC_DEC_NONIP, 0);

    /* AYIYA/IPv6/ICMPv6 over IPv6/UDP over null/loopback. */
    fb_reset();
    be32(30);
    ip = ip6(17, "2001:db8::1", "2001:db8::2");
    u = udp(5072, 40000);
    u8(0x11);
    u8(0x00);
    u8(0x01);
    u8(41);
    be32(0);
    zeros(2);
    in = ip6(58, "fe80::1", "fe80::2");
    icmp(135, 0, 0);
    hdr_end = F.n;
    payload(16);
    ip6_end(in);
    udp_end(u);
    ip6_end(ip);
    check_prefixes(108, hdr_end, ASC_DEC_OK, 2);
}

static uint32_t rng_state = 12345;

static uint32_t rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static void test_junk(void)
{
    static const int dlts[] = {0, 1, 9, 12, 50, 51, 101, 104, 105, 113, 127, 228, 229, 276};
    memset(F.b, 0xff, 64);
    F.n = 64;
    dec(1);
    CHECK_FAIL(ASC_DEC_UNSUPPORTED, ASC_DR_ETHERTYPE);
    memset(F.b, 0, 64);
    dec(1);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_LINK);
    dec(12);
    CHECK_FAIL(ASC_DEC_INVALID, ASC_DR_IPV4);
    unsigned seen[ASC_DEC__COUNT] = {0};
    for (int i = 0; i < 20000; i++) {
        size_t n = rnd() % 200;
        uint8_t *buf = malloc(n ? n : 1);
        if (!buf)
            return;
        for (size_t k = 0; k < n; k++)
            buf[k] = (uint8_t)rnd();
        /* Plausible starts, so the walk goes deeper than the first byte. */
        if (n > 20 && (i & 1)) {
            buf[12] = 0x08;
            buf[13] = 0x00;
            buf[14] = 0x45;
        }
        int dlt = dlts[rnd() % ASC_ARRAY_LEN(dlts)];
        if (i & 1)
            dlt = 1;
        asc_decode(&P, dlt, buf, (uint32_t)n, (uint32_t)n, 0);
        CHECK(P.status < ASC_DEC__COUNT);
        CHECK(P.reason < ASC_DR__COUNT);
        CHECK(P.n_ipl <= ASC_MAX_IPL);
        if (P.status < ASC_DEC__COUNT)
            seen[P.status]++;
        free(buf);
    }
    CHECK(seen[ASC_DEC_INVALID] > 0);
    CHECK(seen[ASC_DEC_UNSUPPORTED] > 0);
    CHECK(seen[ASC_DEC_TRUNCATED] > 0);
}

TEST_MAIN(T(test_ip_in_ip), T(test_depth_limit), T(test_gre), T(test_erspan), T(test_pptp), T(test_vxlan), T(test_geneve), T(test_gtpu), T(test_teredo), T(test_teredo_any_port), T(test_ayiya), T(test_prefixes), T(test_prefixes_links), T(test_junk))
