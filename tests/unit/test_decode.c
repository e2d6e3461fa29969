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
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "harness.h"

/* ---- frame builder ---- */

struct fb {
    uint8_t b[4096];
    size_t n;
};

static struct fb F;
static struct asc_pkt P;

static void fb_reset(void)
{
    memset(&F, 0, sizeof(F));
}

static void u8(unsigned v)
{
    F.b[F.n++] = (uint8_t)v;
}

static void be16(unsigned v)
{
    u8(v >> 8);
    u8(v);
}

static void be32(uint32_t v)
{
    be16(v >> 16);
    be16(v & 0xffff);
}

static void le16(unsigned v)
{
    u8(v);
    u8(v >> 8);
}

static void le32(uint32_t v)
{
    le16(v & 0xffff);
    le16(v >> 16);
}

static void zeros(size_t n)
{
    while (n--)
        u8(0);
}

static void set16(size_t at, unsigned v)
{
    F.b[at] = (uint8_t)(v >> 8);
    F.b[at + 1] = (uint8_t)v;
}

static void addr(const char *s)
{
    uint8_t b[16];
    if (inet_pton(AF_INET, s, b) == 1) {
        memcpy(F.b + F.n, b, 4);
        F.n += 4;
    } else if (inet_pton(AF_INET6, s, b) == 1) {
        memcpy(F.b + F.n, b, 16);
        F.n += 16;
    }
}

static void eth(unsigned type)
{
    static const uint8_t macs[12] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
                                     0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
    memcpy(F.b + F.n, macs, 12);
    F.n += 12;
    be16(type);
}

/* A tag after an ethertype that announced it: TCI then the next type. */
static void vlan(unsigned vid, unsigned type)
{
    be16(vid);
    be16(type);
}

static void mpls(unsigned label, bool bos)
{
    be32((uint32_t)label << 12 | (bos ? 0x100u : 0u) | 64u);
}

static size_t ip4x(unsigned proto, const char *src, const char *dst, unsigned optwords,
                   unsigned fragw, unsigned id)
{
    size_t at = F.n;
    u8(0x45 + optwords);
    u8(0);
    be16(0); /* total length, fixed by ip4_end */
    be16(id);
    be16(fragw);
    u8(64);
    u8(proto);
    be16(0);
    addr(src);
    addr(dst);
    for (unsigned i = 0; i < optwords * 4; i++)
        u8(1); /* NOP options */
    return at;
}

static size_t ip4(unsigned proto, const char *src, const char *dst)
{
    return ip4x(proto, src, dst, 0, 0, 0x1234);
}

static void ip4_end(size_t at)
{
    set16(at + 2, (unsigned)(F.n - at));
}

static size_t ip6(unsigned nh, const char *src, const char *dst)
{
    size_t at = F.n;
    be32(0x60000000);
    be16(0); /* payload length, fixed by ip6_end */
    u8(nh);
    u8(57);
    addr(src);
    addr(dst);
    return at;
}

static void ip6_end(size_t at)
{
    set16(at + 4, (unsigned)(F.n - at - 40));
}

/* Generic extension header of (len8 + 1) * 8 bytes, Pad1-filled. */
static void ext6(unsigned nh, unsigned len8)
{
    u8(nh);
    u8(len8);
    zeros((len8 + 1) * 8 - 2);
}

static void frag6(unsigned nh, unsigned off_bytes, bool more, uint32_t id)
{
    u8(nh);
    u8(0);
    be16((off_bytes & 0xfff8) | (more ? 1 : 0));
    be32(id);
}

static size_t tcp(unsigned sport, unsigned dport, unsigned flags, const uint8_t *opts,
                  size_t optlen)
{
    size_t at = F.n;
    be16(sport);
    be16(dport);
    be32(1000);
    be32(2000);
    u8((unsigned)((20 + optlen) / 4) << 4);
    u8(flags);
    be16(29200);
    be16(0);
    be16(0);
    if (optlen) {
        memcpy(F.b + F.n, opts, optlen);
        F.n += optlen;
    }
    return at;
}

static size_t udp(unsigned sport, unsigned dport)
{
    size_t at = F.n;
    be16(sport);
    be16(dport);
    be16(0); /* fixed by udp_end */
    be16(0);
    return at;
}

static void udp_end(size_t at)
{
    set16(at + 4, (unsigned)(F.n - at));
}

static void icmp(unsigned type, unsigned code, uint32_t rest)
{
    u8(type);
    u8(code);
    be16(0);
    be32(rest);
}

static void payload(size_t n)
{
    for (size_t i = 0; i < n; i++)
        u8(0xa0 + (unsigned)(i % 16));
}

/* GRE v0: checksum, key and sequence fields by flags. */
static void gre(unsigned flags, unsigned ptype, uint32_t key)
{
    be16(flags);
    be16(ptype);
    if (flags & 0x8000)
        be32(0);
    if (flags & 0x2000)
        be32(key);
    if (flags & 0x1000)
        be32(7);
}

static void vxlan(uint32_t vni)
{
    u8(0x08);
    zeros(3);
    be32(vni << 8);
}

static size_t gtp(unsigned flags, unsigned type, uint32_t teid)
{
    size_t at = F.n;
    u8(flags);
    u8(type);
    be16(0); /* fixed by gtp_end */
    be32(teid);
    return at;
}

static void gtp_end(size_t at)
{
    set16(at + 2, (unsigned)(F.n - at - 8));
}

/* ---- decoding and checks ---- */

static void dec(int dlt)
{
    asc_decode(&P, dlt, F.b, (uint32_t)F.n, (uint32_t)F.n, 42);
}

static void dec_cut(int dlt, size_t caplen)
{
    asc_decode(&P, dlt, F.b, (uint32_t)caplen, (uint32_t)F.n, 42);
}

static bool addr_is(const struct asc_addr *a, const char *s)
{
    struct asc_addr want;
    if (asc_addr_parse(s, &want) != 0)
        return false;
    return asc_addr_cmp(a, &want) == 0;
}

static const struct asc_ipl *L(unsigned i)
{
    return &P.ipl[i];
}

#define CHECK_OK(nipl)                                                                             \
    do {                                                                                           \
        CHECK_STR(asc_dec_status_name(P.status), "ok");                                            \
        CHECK_EQ_U(P.n_ipl, (nipl));                                                               \
    } while (0)

#define CHECK_FAIL(st, rs)                                                                         \
    do {                                                                                           \
        CHECK_STR(asc_dec_status_name(P.status), asc_dec_status_name(st));                         \
        CHECK_STR(asc_dec_reason_name(P.reason), asc_dec_reason_name(rs));                         \
    } while (0)

static const uint8_t syn_opts[20] = {2, 4,  0x05, 0xb4, 1, 3, 3, 7, 4, 2,
                                     8, 10, 0,    0,    0, 1, 0, 0, 0, 0};

/* Ethernet / IPv4 / TCP frame used by several tests. */
static void build_v4_tcp(size_t pl)
{
    fb_reset();
    eth(0x0800);
    size_t ip = ip4(6, "192.0.2.1", "198.51.100.7");
    tcp(40000, 443, ASC_TH_SYN | ASC_TH_ACK, syn_opts, sizeof(syn_opts));
    payload(pl);
    ip4_end(ip);
}

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

/* ---- link layers ---- */

static void build_ip_udp(void)
{
    size_t ip = ip4(17, "172.16.0.1", "172.16.0.2");
    size_t u = udp(1000, 2000);
    payload(4);
    udp_end(u);
    ip4_end(ip);
}

static void build_ip6_tcp(void)
{
    size_t ip = ip6(6, "2001:db8::1", "2001:db8::2");
    tcp(3000, 4000, ASC_TH_FIN, NULL, 0);
    ip6_end(ip);
}

static void check_udp_1000(void)
{
    CHECK_OK(1);
    CHECK(addr_is(&L(0)->src, "172.16.0.1"));
    CHECK_EQ_U(L(0)->sport, 1000);
    CHECK_EQ_U(L(0)->dport, 2000);
    CHECK_EQ_U(L(0)->payload_len, 4);
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

static void pppoe_hdr(unsigned proto)
{
    u8(0x11);
    u8(0);
    be16(0x0bad);
    be16(0); /* length: not used for bounds */
    be16(proto);
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

static void wlan_data_hdr(bool qos)
{
    u8(qos ? 0x88 : 0x08); /* data, QoS data */
    u8(0x02);              /* FromDS */
    be16(0);
    zeros(18);
    be16(0x10);
    if (qos)
        be16(0);
}

static void snap(unsigned type)
{
    u8(0xaa);
    u8(0xaa);
    u8(0x03);
    zeros(3);
    be16(type);
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

TEST_MAIN(T(test_eth_ipv4_tcp), T(test_tcp_no_options_and_padding), T(test_snaplen_payload_is_ok),
          T(test_ipv4_invalid), T(test_ipv4_tso_zero_length), T(test_ipv4_options_udp),
          T(test_sctp_and_unknown_proto), T(test_ipv4_fragments), T(test_ipv6_fragments),
          T(test_ipv6_ext_chain), T(test_ipv6_ext_limit_and_faults), T(test_ipv6_jumbo),
          T(test_icmp_echo), T(test_icmp_errors_quote), T(test_icmp6), T(test_vlan_qinq),
          T(test_mpls), T(test_pppoe), T(test_nonip_and_unknown), T(test_sll_sll2),
          T(test_null_loop_raw), T(test_ppp_and_chdlc), T(test_ieee80211_radiotap),
          T(test_fabricpath), T(test_linktypes), T(test_names), T(test_ip_in_ip),
          T(test_depth_limit), T(test_gre), T(test_erspan), T(test_pptp), T(test_vxlan),
          T(test_geneve), T(test_gtpu), T(test_teredo), T(test_teredo_any_port), T(test_ayiya),
          T(test_prefixes), T(test_prefixes_links), T(test_junk))
