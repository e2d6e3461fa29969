/*
 * frame_build.h - builders for hand-made frames and decode checks, shared by
 * the decoder's unit tests (test_decode.c, test_decode_tunnel.c). Test-only.
 */
#ifndef ASC_FRAME_BUILD_H
#define ASC_FRAME_BUILD_H

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

static inline void fb_reset(void)
{
    memset(&F, 0, sizeof(F));
}

static inline void u8(unsigned v)
{
    F.b[F.n++] = (uint8_t)v;
}

static inline void be16(unsigned v)
{
    u8(v >> 8);
    u8(v);
}

static inline void be32(uint32_t v)
{
    be16(v >> 16);
    be16(v & 0xffff);
}

static inline void le16(unsigned v)
{
    u8(v);
    u8(v >> 8);
}

static inline void le32(uint32_t v)
{
    le16(v & 0xffff);
    le16(v >> 16);
}

static inline void zeros(size_t n)
{
    while (n--)
        u8(0);
}

static inline void set16(size_t at, unsigned v)
{
    F.b[at] = (uint8_t)(v >> 8);
    F.b[at + 1] = (uint8_t)v;
}

static inline void addr(const char *s)
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

static inline void eth(unsigned type)
{
    static const uint8_t macs[12] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
                                     0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
    memcpy(F.b + F.n, macs, 12);
    F.n += 12;
    be16(type);
}

/* A tag after an ethertype that announced it: TCI then the next type. */
static inline void vlan(unsigned vid, unsigned type)
{
    be16(vid);
    be16(type);
}

static inline void mpls(unsigned label, bool bos)
{
    be32((uint32_t)label << 12 | (bos ? 0x100u : 0u) | 64u);
}

static inline size_t ip4x(unsigned proto, const char *src, const char *dst, unsigned optwords,
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

static inline size_t ip4(unsigned proto, const char *src, const char *dst)
{
    return ip4x(proto, src, dst, 0, 0, 0x1234);
}

static inline void ip4_end(size_t at)
{
    set16(at + 2, (unsigned)(F.n - at));
}

static inline size_t ip6(unsigned nh, const char *src, const char *dst)
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

static inline void ip6_end(size_t at)
{
    set16(at + 4, (unsigned)(F.n - at - 40));
}

/* Generic extension header of (len8 + 1) * 8 bytes, Pad1-filled. */
static inline void ext6(unsigned nh, unsigned len8)
{
    u8(nh);
    u8(len8);
    zeros((len8 + 1) * 8 - 2);
}

static inline void frag6(unsigned nh, unsigned off_bytes, bool more, uint32_t id)
{
    u8(nh);
    u8(0);
    be16((off_bytes & 0xfff8) | (more ? 1 : 0));
    be32(id);
}

static inline size_t tcp(unsigned sport, unsigned dport, unsigned flags, const uint8_t *opts,
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

static inline size_t udp(unsigned sport, unsigned dport)
{
    size_t at = F.n;
    be16(sport);
    be16(dport);
    be16(0); /* fixed by udp_end */
    be16(0);
    return at;
}

static inline void udp_end(size_t at)
{
    set16(at + 4, (unsigned)(F.n - at));
}

static inline void icmp(unsigned type, unsigned code, uint32_t rest)
{
    u8(type);
    u8(code);
    be16(0);
    be32(rest);
}

static inline void payload(size_t n)
{
    for (size_t i = 0; i < n; i++)
        u8(0xa0 + (unsigned)(i % 16));
}

/* GRE v0: checksum, key and sequence fields by flags. */
static inline void gre(unsigned flags, unsigned ptype, uint32_t key)
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

static inline void vxlan(uint32_t vni)
{
    u8(0x08);
    zeros(3);
    be32(vni << 8);
}

static inline size_t gtp(unsigned flags, unsigned type, uint32_t teid)
{
    size_t at = F.n;
    u8(flags);
    u8(type);
    be16(0); /* fixed by gtp_end */
    be32(teid);
    return at;
}

static inline void gtp_end(size_t at)
{
    set16(at + 2, (unsigned)(F.n - at - 8));
}

/* ---- decoding and checks ---- */

static inline void dec(int dlt)
{
    asc_decode(&P, dlt, F.b, (uint32_t)F.n, (uint32_t)F.n, 42);
}

static inline void dec_cut(int dlt, size_t caplen)
{
    asc_decode(&P, dlt, F.b, (uint32_t)caplen, (uint32_t)F.n, 42);
}

static inline bool addr_is(const struct asc_addr *a, const char *s)
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
static inline void build_v4_tcp(size_t pl)
{
    fb_reset();
    eth(0x0800);
    size_t ip = ip4(6, "192.0.2.1", "198.51.100.7");
    tcp(40000, 443, ASC_TH_SYN | ASC_TH_ACK, syn_opts, sizeof(syn_opts));
    payload(pl);
    ip4_end(ip);
}

/* ---- link layers ---- */

static inline void build_ip_udp(void)
{
    size_t ip = ip4(17, "172.16.0.1", "172.16.0.2");
    size_t u = udp(1000, 2000);
    payload(4);
    udp_end(u);
    ip4_end(ip);
}

static inline void build_ip6_tcp(void)
{
    size_t ip = ip6(6, "2001:db8::1", "2001:db8::2");
    tcp(3000, 4000, ASC_TH_FIN, NULL, 0);
    ip6_end(ip);
}

static inline void check_udp_1000(void)
{
    CHECK_OK(1);
    CHECK(addr_is(&L(0)->src, "172.16.0.1"));
    CHECK_EQ_U(L(0)->sport, 1000);
    CHECK_EQ_U(L(0)->dport, 2000);
    CHECK_EQ_U(L(0)->payload_len, 4);
}


static inline void pppoe_hdr(unsigned proto)
{
    u8(0x11);
    u8(0);
    be16(0x0bad);
    be16(0); /* length: not used for bounds */
    be16(proto);
}

static inline void wlan_data_hdr(bool qos)
{
    u8(qos ? 0x88 : 0x08); /* data, QoS data */
    u8(0x02);              /* FromDS */
    be16(0);
    zeros(18);
    be16(0x10);
    if (qos)
        be16(0);
}

static inline void snap(unsigned type)
{
    u8(0xaa);
    u8(0xaa);
    u8(0x03);
    zeros(3);
    be16(type);
}

#endif
