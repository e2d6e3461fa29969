/*
 * gencap - deterministic synthetic pcap generator for ascribe's demo and benchmarks.
 *
 * Writes classic pcap (microsecond timestamps, LINKTYPE_ETHERNET) from a seed with its own
 * PRNG (xoshiro256** seeded by splitmix64): the same arguments always give the same bytes.
 * No rand(), no wall clock; data time starts at 2026-01-05 09:00:00 UTC.
 *
 *   gencap --scenario demo -o FILE [--seed N]
 *       ~55k packets over 10 minutes seen at the border of a home network (198.51.100.0/24,
 *       2001:db8:100::/48): web (TLS with SNI, HTTP), ssh, DNS, NTP, ICMP echo, IPv6 sessions,
 *       VLAN-tagged hosts, plus four attacks: a spoofed SYN flood, DNS+NTP amplification
 *       (with IP fragments), a zmap-style horizontal scan and an SSH brute force. Ground truth
 *       goes to FILE.truth.json. The demo is built in memory (it is small) and sorted by time.
 *   gencap --scenario bench -o FILE [--packets N] [--flows M] [--active K] [--seed S]
 *       Large capture for benchmarks (default 15M packets, 1M flows), streamed with constant
 *       memory: a pool of K concurrently active flows (TCP ~70%, UDP ~25%, ICMP, ~20% IPv6),
 *       each advanced one packet at a time in random order.
 *
 * Invariants: every IPv4/TCP/UDP/ICMP checksum is valid, IP total length and UDP length are
 * exact, frames shorter than 60 bytes are zero-padded like on the wire, timestamps never go
 * backwards. Outside addresses come from a fixed table of public prefixes (checked with
 * libloc), except the spoofed flood sources, which are uniformly random.
 *
 * Tool, not product: it may exit() and print freely.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define T0_SEC 1767603600u /* 2026-01-05 09:00:00 UTC */
#define T0_US ((uint64_t)T0_SEC * 1000000u)
#define MAXFRAME 1536u         /* largest frame built directly: 1514 + VLAN tag, rounded up */
#define WBUF_SIZE (256u << 10) /* fits in L2: the kernel copies from cache */
#define SEC(x) ((uint64_t)(x)*1000000u)
#define MS(x) ((uint64_t)(x)*1000u)
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ===================================================================== PRNG */

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Uniform in [0, n) by multiply-shift (bias below 2^-32, irrelevant here). */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
    return lo + rng_below(r, hi - lo + 1);
}

static inline double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline bool rng_chance(struct rng *r, double p)
{
    return rng_unit(r) < p;
}

/* Exponential with the given mean. */
static double rng_exp(struct rng *r, double mean)
{
    return -log(1.0 - rng_unit(r)) * mean;
}

static void rng_fill(struct rng *r, uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint64_t v = rng_next(r);
        memcpy(p, &v, 8);
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t v = rng_next(r);
        memcpy(p, &v, n);
    }
}

/* ============================================================ bytes, sums */

static inline void be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* One's-complement partial sum of big-endian 16-bit words; an odd tail byte is padded.
 * Pieces added one after the other must all have even length except the last. */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
    while (n >= 2) {
        sum += (uint32_t)p[0] << 8 | p[1];
        p += 2;
        n -= 2;
    }
    if (n)
        sum += (uint32_t)p[0] << 8;
    return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* ================================================================ addresses */

struct addr {
    uint8_t v6;
    uint8_t b[16]; /* IPv4 in b[0..3] */
};

struct prefix {
    struct addr net;
    int len;
};

static struct addr addr4(uint32_t v)
{
    struct addr a = {0};
    be32(a.b, v);
    return a;
}

static struct addr addr_parse(const char *s)
{
    struct addr a = {0};
    if (inet_pton(AF_INET, s, a.b) == 1)
        return a;
    if (inet_pton(AF_INET6, s, a.b) == 1) {
        a.v6 = 1;
        return a;
    }
    fprintf(stderr, "gencap: bad address %s\n", s);
    exit(1);
}

static struct prefix prefix_parse(const char *s)
{
    char buf[64];
    const char *slash = strchr(s, '/');
    struct prefix p;
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n >= sizeof(buf))
        n = sizeof(buf) - 1;
    memcpy(buf, s, n);
    buf[n] = 0;
    p.net = addr_parse(buf);
    p.len = slash ? atoi(slash + 1) : (p.net.v6 ? 128 : 32);
    return p;
}

/* A random host inside the prefix, avoiding all-zero and all-one host bytes. */
static struct addr prefix_host(struct rng *r, const struct prefix *p)
{
    struct addr a = p->net;
    int bytes = a.v6 ? 16 : 4;
    for (int i = 0; i < bytes; i++) {
        int lo = i * 8, hi = lo + 8; /* bit range of this byte */
        if (hi <= p->len)
            continue;
        uint8_t keep = lo >= p->len ? 0 : (uint8_t)(0xff << (hi - p->len));
        a.b[i] = (uint8_t)((a.b[i] & keep) | ((uint8_t)rng_next(r) & ~keep));
    }
    uint8_t *last = &a.b[bytes - 1];
    if (p->len <= (bytes * 8 - 8) && (*last == 0 || *last == 255))
        *last = (uint8_t)rng_range(r, 1, 254);
    return a;
}

static uint64_t addr_hash(const struct addr *a)
{
    uint64_t x = 0, h;
    for (int i = 0; i < 16; i++)
        x = x * 131 + a->b[i];
    h = x ^ a->v6;
    return splitmix64(&h);
}

/* TTL as seen at the border: initial TTL of the host's OS minus its hop distance. */
static uint8_t far_ttl(const struct addr *a)
{
    uint64_t h = addr_hash(a);
    unsigned os = h % 10, hops = 6 + (unsigned)((h >> 8) % 19);
    unsigned init = os < 6 ? 64 : os < 9 ? 128 : 255;
    return (uint8_t)(init - hops);
}

static const char *addr_str(const struct addr *a, char *buf, size_t n)
{
    inet_ntop(a->v6 ? AF_INET6 : AF_INET, a->b, buf, (socklen_t)n);
    return buf;
}

/* ============================================================ frame builder */

enum { OPT_NONE, OPT_SYN, OPT_TS };
enum { TH_FIN = 1, TH_SYN = 2, TH_RST = 4, TH_PSH = 8, TH_ACK = 16 };
enum { P_ICMP = 1, P_TCP = 6, P_UDP = 17, P_ICMP6 = 58 };

/* What one packet looks like. ICMP echo uses sport as identifier and dport as sequence. */
struct pkt {
    const struct addr *src, *dst;
    bool inbound; /* towards the inside host (sets which side's MAC is the router) */
    uint16_t vlan;
    uint8_t proto, ttl, flags, topt, icmp_type, icmp_code;
    bool df;
    uint16_t ipid, sport, dport, win;
    uint32_t seq, ack, tsval, tsecr;
    const uint8_t *pay;
    uint32_t plen;
    int64_t psum; /* precomputed csum_add(0, pay, plen), or -1 */
};

static const uint8_t router_mac[6] = {0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x01};

static void host_mac(uint8_t *m, const struct addr *a)
{
    const uint8_t *tail = a->b + (a->v6 ? 12 : 0);
    m[0] = 0x02;
    m[1] = 0x42;
    memcpy(m + 2, tail, 4);
}

static size_t put_eth(uint8_t *o, const struct pkt *p)
{
    size_t off = 12;
    if (p->inbound) {
        host_mac(o, p->dst);
        memcpy(o + 6, router_mac, 6);
    } else {
        memcpy(o, router_mac, 6);
        host_mac(o + 6, p->src);
    }
    if (p->vlan) {
        be16(o + off, 0x8100);
        be16(o + off + 2, p->vlan);
        off += 4;
    }
    be16(o + off, p->src->v6 ? 0x86dd : 0x0800);
    return off + 2;
}

static void put_ipv4(uint8_t *ip, const struct pkt *p, uint32_t l4len, uint32_t frag)
{
    ip[0] = 0x45;
    ip[1] = 0;
    be16(ip + 2, 20 + l4len);
    be16(ip + 4, p->ipid);
    be16(ip + 6, frag | (p->df ? 0x4000 : 0));
    ip[8] = p->ttl;
    ip[9] = p->proto;
    be16(ip + 10, 0);
    memcpy(ip + 12, p->src->b, 4);
    memcpy(ip + 16, p->dst->b, 4);
    be16(ip + 10, csum_fold(csum_add(0, ip, 20)));
}

static void put_ipv6(uint8_t *ip, const struct pkt *p, uint32_t l4len)
{
    be32(ip, 0x60000000u | (p->sport ^ p->dport)); /* flow label from the ports */
    be16(ip + 4, l4len);
    ip[6] = p->proto;
    ip[7] = p->ttl;
    memcpy(ip + 8, p->src->b, 16);
    memcpy(ip + 24, p->dst->b, 16);
}

static size_t put_tcp_hdr(uint8_t *t, const struct pkt *p)
{
    size_t hl = 20;
    be16(t, p->sport);
    be16(t + 2, p->dport);
    be32(t + 4, p->seq);
    be32(t + 8, (p->flags & TH_ACK) ? p->ack : 0);
    t[13] = p->flags;
    be16(t + 14, p->win);
    be32(t + 16, 0); /* checksum, urgent */
    if (p->topt == OPT_SYN) {
        uint8_t *o = t + 20;
        o[0] = 2; /* MSS */
        o[1] = 4;
        be16(o + 2, p->src->v6 ? 1440 : 1460);
        o[4] = 4; /* SACK permitted */
        o[5] = 2;
        o[6] = 8; /* timestamps */
        o[7] = 10;
        be32(o + 8, p->tsval);
        be32(o + 12, p->tsecr);
        o[16] = 1; /* NOP, window scale 7 */
        o[17] = 3;
        o[18] = 3;
        o[19] = 7;
        hl = 40;
    } else if (p->topt == OPT_TS) {
        uint8_t *o = t + 20;
        o[0] = 1;
        o[1] = 1;
        o[2] = 8;
        o[3] = 10;
        be32(o + 4, p->tsval);
        be32(o + 8, p->tsecr);
        hl = 32;
    }
    t[12] = (uint8_t)(hl / 4) << 4;
    return hl;
}

/* Build one Ethernet frame into o (room for 60 + headers + plen bytes). Returns its length. */
static size_t build_frame(uint8_t *o, const struct pkt *p)
{
    size_t eth = put_eth(o, p), l3len = p->src->v6 ? 40 : 20, hl;
    uint8_t *ip = o + eth, *l4 = ip + l3len;
    uint64_t sum = 0;
    if (p->proto == P_TCP) {
        hl = put_tcp_hdr(l4, p);
    } else if (p->proto == P_UDP) {
        hl = 8;
        be16(l4, p->sport);
        be16(l4 + 2, p->dport);
        be16(l4 + 4, 8 + p->plen);
        be16(l4 + 6, 0);
    } else {
        hl = 8;
        l4[0] = p->icmp_type;
        l4[1] = p->icmp_code;
        be16(l4 + 2, 0);
        be16(l4 + 4, p->sport);
        be16(l4 + 6, p->dport);
    }
    uint32_t l4len = (uint32_t)hl + p->plen;
    memcpy(l4 + hl, p->pay, p->plen);
    if (p->src->v6)
        put_ipv6(ip, p, l4len);
    else
        put_ipv4(ip, p, l4len, 0);

    if (p->proto != P_ICMP) { /* pseudo-header */
        if (p->src->v6) {
            sum = csum_add(sum, ip + 8, 32);
        } else {
            sum = csum_add(sum, ip + 12, 8);
        }
        sum += p->proto + l4len;
    }
    sum = csum_add(sum, l4, hl);
    sum += p->psum >= 0 ? (uint64_t)p->psum : csum_add(0, p->pay, p->plen);
    uint16_t ck = csum_fold(sum);
    if (p->proto == P_UDP && ck == 0)
        ck = 0xffff;
    be16(l4 + (p->proto == P_TCP ? 16 : p->proto == P_UDP ? 6 : 2), ck);

    size_t len = eth + l3len + l4len;
    if (len < 60) {
        memset(o + len, 0, 60 - len);
        len = 60;
    }
    return len;
}

/* ============================================================== pcap writer */

struct pcapw {
    FILE *f;
    uint8_t *buf;
    size_t len;
    uint64_t pkts, bytes;
};

static void pw_flush(struct pcapw *w)
{
    if (w->len && fwrite(w->buf, 1, w->len, w->f) != w->len) {
        perror("gencap: write");
        exit(1);
    }
    w->len = 0;
}

static void pw_open(struct pcapw *w, const char *path)
{
    struct stat st;
    memset(w, 0, sizeof(*w));
    /* Unlinking an old capture first is much cheaper than truncating gigabytes in place. */
    if (strcmp(path, "-") && stat(path, &st) == 0 && S_ISREG(st.st_mode))
        remove(path);
    w->f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
    w->buf = malloc(WBUF_SIZE);
    if (!w->f || !w->buf) {
        fprintf(stderr, "gencap: cannot open %s\n", path);
        exit(1);
    }
    uint8_t *h = w->buf;
    le32(h, 0xa1b2c3d4u); /* microsecond pcap, written little-endian */
    h[4] = 2;             /* version 2.4 */
    h[5] = 0;
    h[6] = 4;
    h[7] = 0;
    le32(h + 8, 0);  /* thiszone */
    le32(h + 12, 0); /* sigfigs */
    le32(h + 16, 65535);
    le32(h + 20, 1); /* LINKTYPE_ETHERNET */
    w->len = 24;
}

/* Room for one frame of up to n bytes; valid until pw_commit. */
static inline uint8_t *pw_reserve(struct pcapw *w, size_t n)
{
    if (w->len + 16 + n > WBUF_SIZE)
        pw_flush(w);
    return w->buf + w->len + 16;
}

static inline void pw_commit(struct pcapw *w, uint64_t ts_us, size_t len)
{
    uint8_t *h = w->buf + w->len;
    le32(h, (uint32_t)(ts_us / 1000000u));
    le32(h + 4, (uint32_t)(ts_us % 1000000u));
    le32(h + 8, (uint32_t)len);
    le32(h + 12, (uint32_t)len);
    w->len += 16 + len;
    w->pkts++;
    w->bytes += len;
}

static void pw_close(struct pcapw *w)
{
    pw_flush(w);
    if (w->f != stdout ? fclose(w->f) != 0 : fflush(w->f) != 0) {
        perror("gencap: close");
        exit(1);
    }
    free(w->buf);
}

/* ========================================================= payload builders */

/* DNS name in wire format; returns bytes written. */
static size_t dns_name(uint8_t *o, const char *name)
{
    size_t n = 0;
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t l = dot ? (size_t)(dot - name) : strlen(name);
        o[n++] = (uint8_t)l;
        memcpy(o + n, name, l);
        n += l;
        name += l + (dot ? 1 : 0);
    }
    o[n++] = 0;
    return n;
}

static size_t dns_query(uint8_t *o, uint16_t id, const char *name, uint16_t qtype)
{
    be16(o, id);
    be16(o + 2, 0x0100); /* RD */
    be16(o + 4, 1);
    memset(o + 6, 0, 6);
    size_t n = 12 + dns_name(o + 12, name);
    be16(o + n, qtype);
    be16(o + n + 2, 1);
    return n + 4;
}

/* Answer with `count` A or AAAA records; the first is `first`, others random in its /24 or /64. */
static size_t dns_answer(uint8_t *o, struct rng *r, uint16_t id, const char *name,
                         const struct addr *first, int count)
{
    uint16_t qtype = first->v6 ? 28 : 1;
    size_t n = dns_query(o, id, name, qtype);
    be16(o + 2, 0x8180); /* QR RD RA */
    be16(o + 6, (uint32_t)count);
    for (int i = 0; i < count; i++) {
        struct addr a = *first;
        size_t rdlen = first->v6 ? 16 : 4;
        if (i)
            a.b[rdlen - 1] = (uint8_t)rng_range(r, 1, 254);
        be16(o + n, 0xc00c);
        be16(o + n + 2, qtype);
        be16(o + n + 4, 1);
        be32(o + n + 6, rng_range(r, 30, 3600));
        be16(o + n + 10, (uint32_t)rdlen);
        memcpy(o + n + 12, a.b, rdlen);
        n += 12 + rdlen;
    }
    return n;
}

/* A large ANY answer (TXT and A records plus EDNS0 OPT) of at least `target` bytes. */
static size_t dns_any_answer(uint8_t *o, struct rng *r, uint16_t id, const char *name,
                             size_t target)
{
    static const char words[] = "v=spf1 include:_spf.mx.example ip4:192.0.2.0/24 -all "
                                "google-site-verification=Q2xGh9kZp0aW3nRt8yBvC1dEfH "
                                "MS=ms81273645 docusign=1b0a6d3c-9f2e-4a7b-8c5d-e6f7a8b9c0d1 ";
    size_t n = dns_query(o, id, name, 255);
    uint16_t an = 0;
    be16(o + 2, 0x8580); /* QR AA RD RA */
    while (n < target) {
        if (an % 4 == 3) { /* an A record now and then */
            be16(o + n, 0xc00c);
            be16(o + n + 2, 1);
            be16(o + n + 4, 1);
            be32(o + n + 6, 300);
            be16(o + n + 10, 4);
            be32(o + n + 12, 0xc6336400u | rng_range(r, 1, 254)); /* in TEST-NET-2 */
            n += 16;
        } else {
            size_t tl = 120 + rng_below(r, 130), start = rng_below(r, sizeof(words) - 1);
            be16(o + n, 0xc00c);
            be16(o + n + 2, 16);
            be16(o + n + 4, 1);
            be32(o + n + 6, 3600);
            be16(o + n + 10, (uint32_t)tl + 1);
            o[n + 12] = (uint8_t)tl;
            for (size_t i = 0; i < tl; i++)
                o[n + 13 + i] = (uint8_t)words[(start + i) % (sizeof(words) - 1)];
            n += 13 + tl;
        }
        an++;
    }
    be16(o + 6, an);
    be16(o + 10, 1); /* OPT: udp payload size 4096 */
    o[n] = 0;
    be16(o + n + 1, 41);
    be16(o + n + 3, 4096);
    be32(o + n + 5, 0);
    be16(o + n + 9, 0);
    return n + 11;
}

static size_t ntp_packet(uint8_t *o, struct rng *r, bool server, uint64_t t_us)
{
    uint32_t sec = (uint32_t)(t_us / 1000000u + 2208988800u);
    memset(o, 0, 48);
    o[0] = server ? 0x24 : 0x23; /* LI 0, VN 4, mode 4 or 3 */
    if (server) {
        o[1] = 2;    /* stratum */
        o[2] = 6;    /* poll */
        o[3] = 0xe9; /* precision */
        be32(o + 4, rng_range(r, 0x10, 0x400));
        be32(o + 8, rng_range(r, 0x10, 0x800));
        be32(o + 12, 0xc0a80001u ^ (uint32_t)rng_next(r)); /* reference id */
        be32(o + 16, sec - 40);
        be32(o + 32, sec);
        be32(o + 36, (uint32_t)rng_next(r));
    }
    be32(o + 40, sec);
    be32(o + 44, (uint32_t)rng_next(r));
    return 48;
}

/* NTP mode 7 MON_GETLIST_1 response: 6 items of 72 bytes (440 bytes, like real monlist). */
static size_t ntp_monlist(uint8_t *o, struct rng *r, bool more)
{
    o[0] = more ? 0xd7 : 0x97; /* response, more bit, VN 2, mode 7 */
    o[1] = 0;
    o[2] = 3;  /* implementation XNTPD */
    o[3] = 42; /* MON_GETLIST_1 */
    be16(o + 4, 6);
    be16(o + 6, 72);
    rng_fill(r, o + 8, 432);
    return 440;
}

static uint8_t *tls_rec(uint8_t *p, uint8_t type, uint16_t ver)
{
    p[0] = type;
    be16(p + 1, ver);
    return p + 5; /* length patched by the caller */
}

static size_t tls_client_hello(uint8_t *b, struct rng *r, const char *sni)
{
    static const uint16_t suites[] = {0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f,
                                      0xcca9, 0xcca8, 0xc02c, 0xc030, 0xc013,
                                      0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    static const uint16_t sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503,
                                       0x0805, 0x0501, 0x0806, 0x0601};
    uint8_t *hs = tls_rec(b, 0x16, 0x0301), *p = hs + 4, *ext;
    size_t sl = strlen(sni);
    hs[0] = 1;
    be16(p, 0x0303);
    rng_fill(r, p + 2, 32);
    p[34] = 32;
    rng_fill(r, p + 35, 32);
    p += 67;
    be16(p, 2 * ARRAY_LEN(suites));
    for (size_t i = 0; i < ARRAY_LEN(suites); i++)
        be16(p + 2 + 2 * i, suites[i]);
    p += 2 + 2 * ARRAY_LEN(suites);
    *p++ = 1;
    *p++ = 0;
    ext = p;
    p += 2;
    be16(p, 0); /* server_name */
    be16(p + 2, (uint32_t)sl + 5);
    be16(p + 4, (uint32_t)sl + 3);
    p[6] = 0;
    be16(p + 7, (uint32_t)sl);
    memcpy(p + 9, sni, sl);
    p += 9 + sl;
    be16(p, 0x17); /* extended_master_secret */
    be16(p + 2, 0);
    p += 4;
    be16(p, 0xff01); /* renegotiation_info */
    be16(p + 2, 1);
    p[4] = 0;
    p += 5;
    be16(p, 10); /* supported_groups: x25519, secp256r1, secp384r1 */
    be16(p + 2, 8);
    be16(p + 4, 6);
    be16(p + 6, 0x1d);
    be16(p + 8, 0x17);
    be16(p + 10, 0x18);
    p += 12;
    be16(p, 11); /* ec_point_formats */
    be16(p + 2, 2);
    p[4] = 1;
    p[5] = 0;
    p += 6;
    be16(p, 16); /* ALPN h2, http/1.1 */
    be16(p + 2, 14);
    be16(p + 4, 12);
    memcpy(p + 6, "\x02h2\x08http/1.1", 12);
    p += 18;
    be16(p, 13); /* signature_algorithms */
    be16(p + 2, 2 + 2 * ARRAY_LEN(sigalgs));
    be16(p + 4, 2 * ARRAY_LEN(sigalgs));
    for (size_t i = 0; i < ARRAY_LEN(sigalgs); i++)
        be16(p + 6 + 2 * i, sigalgs[i]);
    p += 6 + 2 * ARRAY_LEN(sigalgs);
    be16(p, 0x2b); /* supported_versions: 1.3, 1.2 */
    be16(p + 2, 5);
    p[4] = 4;
    be16(p + 5, 0x0304);
    be16(p + 7, 0x0303);
    p += 9;
    be16(p, 0x2d); /* psk_key_exchange_modes */
    be16(p + 2, 2);
    p[4] = 1;
    p[5] = 1;
    p += 6;
    be16(p, 0x33); /* key_share x25519 */
    be16(p + 2, 38);
    be16(p + 4, 36);
    be16(p + 6, 0x1d);
    be16(p + 8, 32);
    rng_fill(r, p + 10, 32);
    p += 42;
    be16(ext, (uint32_t)(p - ext - 2));
    size_t hl = (size_t)(p - hs - 4);
    hs[1] = (uint8_t)(hl >> 16);
    be16(hs + 2, (uint32_t)hl);
    be16(b + 3, (uint32_t)(p - b - 5));
    return (size_t)(p - b);
}

/* ServerHello + ChangeCipherSpec + the encrypted rest of the handshake (one record). */
static size_t tls_server_flight(uint8_t *b, struct rng *r, size_t enc_len)
{
    uint8_t *hs = tls_rec(b, 0x16, 0x0303), *p = hs + 4;
    hs[0] = 2;
    be16(p, 0x0303);
    rng_fill(r, p + 2, 32);
    p[34] = 32;
    rng_fill(r, p + 35, 32);
    p += 67;
    be16(p, 0x1301);
    p[2] = 0;
    be16(p + 3, 46);
    p += 5;
    be16(p, 0x2b);
    be16(p + 2, 2);
    be16(p + 4, 0x0304);
    be16(p + 6, 0x33);
    be16(p + 8, 36);
    be16(p + 10, 0x1d);
    be16(p + 12, 32);
    rng_fill(r, p + 14, 32);
    p += 46;
    size_t hl = (size_t)(p - hs - 4);
    hs[1] = 0;
    be16(hs + 2, (uint32_t)hl);
    be16(b + 3, (uint32_t)(p - b - 5));
    memcpy(p, "\x14\x03\x03\x00\x01\x01", 6);
    p += 6;
    uint8_t *body = tls_rec(p, 0x17, 0x0303);
    be16(p + 3, (uint32_t)enc_len);
    rng_fill(r, body, enc_len);
    return (size_t)(body + enc_len - b);
}

/* `total` bytes of TLS application data records (each at most 16 KiB + overhead). */
static size_t tls_app_data(uint8_t *b, struct rng *r, size_t total)
{
    size_t n = 0;
    while (total - n > 5 + 17) {
        size_t rl = total - n - 5;
        if (rl > 16401)
            rl = 16401;
        uint8_t *body = tls_rec(b + n, 0x17, 0x0303);
        be16(b + n + 3, (uint32_t)rl);
        rng_fill(r, body, rl);
        n += 5 + rl;
    }
    return n;
}

/* SSH binary packet around payload already at p + 5; returns total length. */
static size_t ssh_wrap(uint8_t *p, size_t plen, struct rng *r)
{
    size_t pad = 8 - ((5 + plen) % 8);
    if (pad < 4)
        pad += 8;
    be32(p, (uint32_t)(1 + plen + pad));
    p[4] = (uint8_t)pad;
    rng_fill(r, p + 5 + plen, pad);
    return 5 + plen + pad;
}

static size_t ssh_kexinit(uint8_t *p, struct rng *r, bool server)
{
    static const char *const lists[10] = {
        ("curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
         "diffie-hellman-group14-sha256"),
        "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256",
        "chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com",
        "chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com",
        "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-256",
        "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-256",
        "none,zlib@openssh.com",
        "none,zlib@openssh.com",
        "",
        ""};
    uint8_t *q = p + 5;
    size_t n = 17;
    q[0] = 20;
    rng_fill(r, q + 1, 16);
    for (int i = 0; i < 10; i++) {
        const char *s = (i == 0 && !server) ? "curve25519-sha256,ecdh-sha2-nistp256,"
                                              "diffie-hellman-group14-sha256,ext-info-c"
                                            : lists[i];
        size_t l = strlen(s);
        be32(q + n, (uint32_t)l);
        memcpy(q + n + 4, s, l);
        n += 4 + l;
    }
    q[n] = 0;
    be32(q + n + 1, 0);
    return ssh_wrap(p, n + 5, r);
}

/* SSH payload made of `strings` random-length strings after a message code. */
static size_t ssh_msg(uint8_t *p, struct rng *r, uint8_t code, const uint16_t *lens, int strings)
{
    uint8_t *q = p + 5;
    size_t n = 1;
    q[0] = code;
    for (int i = 0; i < strings; i++) {
        be32(q + n, lens[i]);
        rng_fill(r, q + n + 4, lens[i]);
        n += 4 + lens[i];
    }
    return ssh_wrap(p, n, r);
}

/* KEX_ECDH_REPLY with an ed25519 host key blob and signature blob, as OpenSSH sends. */
static size_t ssh_ecdh_reply(uint8_t *p, struct rng *r)
{
    uint8_t *q = p + 5;
    size_t n = 1;
    q[0] = 31;
    for (int blob = 0; blob < 3; blob++) {
        size_t raw = blob == 0 ? 32 : blob == 1 ? 32 : 64;
        if (blob == 1) { /* Q_S: server ephemeral public key */
            be32(q + n, 32);
            rng_fill(r, q + n + 4, 32);
            n += 36;
            continue;
        }
        be32(q + n, (uint32_t)(4 + 11 + 4 + raw));
        be32(q + n + 4, 11);
        memcpy(q + n + 8, "ssh-ed25519", 11);
        be32(q + n + 19, (uint32_t)raw);
        rng_fill(r, q + n + 23, raw);
        n += 23 + raw;
    }
    return ssh_wrap(p, n, r);
}

/* ============================================================ demo scenario */

struct rec {
    uint64_t ts, seq;
    size_t off;
    uint32_t len;
};

enum { ATT_SCAN, ATT_BRUTE, ATT_SYNFLOOD, ATT_DNSAMP, ATT_NTPAMP, ATT_N };

struct attack {
    const char *type, *vector, *grade, *notes;
    struct addr victim, attacker;
    bool spoofed, reflected;
    const char *ports;
    uint16_t rport; /* reflected attacks: the service port the reflectors answer from */
    uint64_t t0, t1, pkts, to_victim, from_victim, sessions;
    struct addr *srcs; /* distinct sources (attack reflectors or attackers) */
    size_t nsrc, capsrc;
};

struct demo {
    struct rng r;
    struct rec *recs;
    size_t nrec, caprec;
    uint8_t *arena;
    size_t alen, acap;
    int cur; /* attack being generated, or -1 */
    struct attack att[ATT_N];
    uint8_t big[1 << 18]; /* scratch for byte streams */
};

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fprintf(stderr, "gencap: out of memory\n");
        exit(1);
    }
    return p;
}

static uint8_t *dm_reserve(struct demo *d, size_t n)
{
    if (d->alen + n > d->acap) {
        d->acap = (d->acap + n) * 2;
        d->arena = xrealloc(d->arena, d->acap);
    }
    return d->arena + d->alen;
}

static void dm_commit(struct demo *d, uint64_t ts, size_t len)
{
    if (d->nrec == d->caprec) {
        d->caprec = d->caprec ? d->caprec * 2 : 65536;
        d->recs = xrealloc(d->recs, d->caprec * sizeof(*d->recs));
    }
    d->recs[d->nrec] = (struct rec){.ts = ts, .seq = d->nrec, .off = d->alen, .len = (uint32_t)len};
    d->nrec++;
    d->alen += len;
    if (d->cur >= 0) {
        struct attack *a = &d->att[d->cur];
        if (!a->pkts || ts < a->t0)
            a->t0 = ts;
        if (ts > a->t1)
            a->t1 = ts;
        a->pkts++;
    }
}

static void dm_emit(struct demo *d, uint64_t ts, const struct pkt *p)
{
    uint8_t *o = dm_reserve(d, 128 + p->plen);
    dm_commit(d, ts, build_frame(o, p));
}

static void att_source(struct attack *a, const struct addr *s)
{
    if (a->nsrc == a->capsrc) {
        a->capsrc = a->capsrc ? a->capsrc * 2 : 64;
        a->srcs = xrealloc(a->srcs, a->capsrc * sizeof(*a->srcs));
    }
    a->srcs[a->nsrc++] = *s;
}

/* Fragment a UDP/IPv4 datagram described by p (payload up to 64 KiB) at a 1500-byte MTU. */
static void dm_emit_fragmented(struct demo *d, uint64_t ts, const struct pkt *p)
{
    static uint8_t full[70000];
    size_t flen = build_frame(full, p), eth = p->vlan ? 18 : 14;
    const uint8_t *l4 = full + eth + 20;
    size_t l4len = flen - eth - 20, off = 0;
    while (off < l4len) {
        size_t chunk = l4len - off > 1480 ? 1480 : l4len - off;
        bool more = off + chunk < l4len;
        uint8_t *o = dm_reserve(d, eth + 20 + chunk + 60);
        memcpy(o, full, eth);
        struct pkt fp = *p;
        fp.df = false;
        put_ipv4(o + eth, &fp, (uint32_t)chunk, (uint32_t)(off / 8) | (more ? 0x2000 : 0));
        memcpy(o + eth + 20, l4 + off, chunk);
        dm_commit(d, ts, eth + 20 + chunk);
        off += chunk;
        ts += 1 + rng_below(&d->r, 20);
    }
}

/* ---------------------------------------------------------------- hosts */

struct site {
    const char *name, *v4, *v6; /* country per libloc in the comment */
};

static const struct site sites[] = {
    {"www.google.com", "142.250.0.0/16", "2a00:1450:4001::/48"},   /* US, IE */
    {"www.wikipedia.org", "91.198.174.0/24", "2620:0:862::/48"},   /* NL, US */
    {"www.bbc.co.uk", "212.58.224.0/20", NULL},                    /* GB */
    {"ya.ru", "77.88.0.0/18", "2a02:6b8::/32"},                    /* RU */
    {"vk.com", "87.240.128.0/18", NULL},                           /* RU */
    {"www.baidu.com", "220.181.0.0/16", NULL},                     /* CN */
    {"www.sina.com.cn", "123.125.0.0/16", NULL},                   /* CN */
    {"www.heise.de", "193.99.144.0/24", "2a02:2e0:3fe:1001::/64"}, /* DE */
    {"www.free.fr", "212.27.48.0/20", NULL},                       /* FR */
    {"www.uol.com.br", "200.147.0.0/16", NULL},                    /* BR */
    {"www.naver.com", "223.130.192.0/20", NULL},                   /* KR */
    {"www.yahoo.co.jp", "182.22.0.0/16", NULL},                    /* JP */
    {"github.com", "140.82.112.0/20", NULL},                       /* US */
    {"www.cloudflare.com", "104.16.0.0/16", "2606:4700::/32"},     /* US */
    {"www.python.org", "151.101.0.0/16", "2a04:4e42::/32"},        /* US, EU */
    {"www.amazon.com", "13.32.0.0/16", NULL},                      /* US */
    {"www.facebook.com", "157.240.0.0/16", "2a03:2880::/32"},      /* US */
    {"web.telegram.org", "149.154.160.0/20", NULL},                /* GB */
    {"mail.ru", "217.69.128.0/20", NULL},                          /* RU */
    {"www.india.gov.in", "164.100.0.0/16", NULL},                  /* IN */
    {"www.telkom.co.za", "196.25.0.0/16", NULL},                   /* ZA */
};

/* Inbound visitors of the home web server and DNS/NTP reflectors: ISP and hosting space. */
static const char *const isp_prefixes[] = {
    "85.214.0.0/16",   /* DE Strato */
    "88.198.0.0/16",   /* DE Hetzner */
    "78.46.0.0/15",    /* DE Hetzner */
    "5.9.0.0/16",      /* DE Hetzner */
    "178.62.0.0/16",   /* GB DigitalOcean */
    "51.15.0.0/16",    /* NL Scaleway */
    "212.47.224.0/19", /* FR Scaleway */
    "122.224.0.0/16",  /* CN Chinanet */
    "111.13.0.0/16",   /* CN China Mobile */
    "36.110.0.0/16",   /* CN */
    "113.160.0.0/16",  /* VN VNPT */
    "117.1.0.0/16",    /* VN Viettel */
    "95.24.0.0/16",    /* RU Vimpelcom */
    "176.59.0.0/16",   /* RU T2 Mobile */
    "186.192.0.0/16",  /* BR */
    "189.1.0.0/16",    /* BR */
    "201.6.0.0/16",    /* BR */
    "190.210.0.0/16",  /* AR */
    "41.203.0.0/18",   /* ZA Xneelo */
    "105.112.0.0/16",  /* NG Airtel */
    "197.210.0.0/16",  /* NG MTN */
    "125.16.0.0/16",   /* IN Airtel */
    "14.139.0.0/16",   /* IN NKN */
    "203.113.0.0/18",  /* TH */
    "45.33.0.0/17",    /* US Linode */
};

#define HOME4 0xc6336400u /* 198.51.100.0/24 */
#define WEB_SRV (HOME4 | 10)
#define SSH_SRV (HOME4 | 22)
#define RDP_HOST (HOME4 | 33)
#define AMP_VICTIM (HOME4 | 77)
#define VLAN_ID 20

static const char *const home6_web = "2001:db8:100::10";

/* Per-host IPv4 identification counters, keyed by a small hash (close enough to real stacks). */
static uint16_t ipid_next(struct demo *d, const struct addr *a)
{
    static uint16_t ctr[4096];
    static bool init;
    if (!init) {
        for (size_t i = 0; i < ARRAY_LEN(ctr); i++)
            ctr[i] = (uint16_t)rng_next(&d->r);
        init = true;
    }
    return ++ctr[addr_hash(a) % ARRAY_LEN(ctr)];
}

static bool is_home(const struct addr *a)
{
    if (a->v6)
        return memcmp(a->b, "\x20\x01\x0d\xb8\x01\x00", 6) == 0;
    return (a->b[0] << 16 | a->b[1] << 8 | a->b[2]) == (HOME4 >> 8);
}

static uint16_t vlan_of(const struct addr *a)
{
    return (!a->v6 && is_home(a) && a->b[3] >= 200 && a->b[3] <= 203) ? VLAN_ID : 0;
}

/* Common fields of a packet between two hosts; direction and VLAN follow from the home net. */
static struct pkt base_pkt(struct demo *d, const struct addr *src, const struct addr *dst,
                           uint8_t proto)
{
    bool src_home = is_home(src);
    return (struct pkt){
        .src = src,
        .dst = dst,
        .inbound = !src_home,
        .vlan = (uint16_t)(vlan_of(src) | vlan_of(dst)),
        .proto = proto,
        .ttl = src_home ? 64 : far_ttl(src),
        .df = proto != P_UDP,
        .ipid = src->v6 ? 0 : ipid_next(d, src),
        .psum = -1,
    };
}

static void dm_udp(struct demo *d, uint64_t ts, const struct addr *src, const struct addr *dst,
                   uint16_t sport, uint16_t dport, const uint8_t *pay, uint32_t plen)
{
    struct pkt p = base_pkt(d, src, dst, P_UDP);
    p.sport = sport;
    p.dport = dport;
    p.pay = pay;
    p.plen = plen;
    dm_emit(d, ts, &p);
}

/* ICMP or ICMPv6 echo request/reply (type chosen by the caller). */
static void dm_echo(struct demo *d, uint64_t ts, const struct addr *src, const struct addr *dst,
                    uint8_t type, uint16_t id, uint16_t seq, const uint8_t *pay, uint32_t plen)
{
    struct pkt p = base_pkt(d, src, dst, src->v6 ? P_ICMP6 : P_ICMP);
    p.icmp_type = type;
    p.sport = id;
    p.dport = seq;
    p.pay = pay;
    p.plen = plen;
    dm_emit(d, ts, &p);
}

/* ------------------------------------------------------------ TCP session */

struct conn {
    struct addr c, s;
    uint16_t cport, sport, vlan;
    bool c_home, s_home;
    uint32_t cseq, sseq, cts, sts;
    uint8_t cttl, sttl;
    uint32_t rtt_far; /* border <-> outside host, us */
    uint64_t t;
    int last;            /* 0 none yet, 1 client, 2 server */
    uint16_t ipid_fixed; /* nonzero: client uses this IP-ID on every packet (zmap) */
};

static void conn_init(struct demo *d, struct conn *c, const struct addr *cli, uint16_t cport,
                      const struct addr *srv, uint16_t sport, uint64_t t)
{
    memset(c, 0, sizeof(*c));
    c->c = *cli;
    c->s = *srv;
    c->cport = cport;
    c->sport = sport;
    c->c_home = is_home(cli);
    c->s_home = is_home(srv);
    c->vlan = (uint16_t)(vlan_of(cli) | vlan_of(srv));
    c->cseq = (uint32_t)rng_next(&d->r);
    c->sseq = (uint32_t)rng_next(&d->r);
    c->cts = (uint32_t)rng_next(&d->r);
    c->sts = (uint32_t)rng_next(&d->r);
    c->cttl = c->c_home ? 64 : far_ttl(cli);
    c->sttl = c->s_home ? 64 : far_ttl(srv);
    const struct addr *far = c->c_home ? srv : cli;
    c->rtt_far = 8000 + (uint32_t)(addr_hash(far) % 220000);
    c->t = t;
}

/* Send one segment; time advances by the responder's round trip when the direction flips. */
static void conn_send(struct demo *d, struct conn *c, bool from_client, uint8_t flags,
                      const uint8_t *pay, uint32_t len)
{
    int dir = from_client ? 1 : 2;
    if (c->last && c->last != dir) {
        bool near = from_client ? c->c_home : c->s_home;
        c->t +=
            near ? rng_range(&d->r, 80, 900) : c->rtt_far + rng_below(&d->r, c->rtt_far / 8 + 1);
    } else if (c->last) {
        c->t += rng_range(&d->r, 8, 150);
    }
    c->last = dir;
    uint32_t ms = (uint32_t)(c->t / 1000u);
    struct pkt p = {
        .src = from_client ? &c->c : &c->s,
        .dst = from_client ? &c->s : &c->c,
        .inbound = from_client ? !c->c_home : !c->s_home,
        .vlan = c->vlan,
        .proto = P_TCP,
        .ttl = from_client ? c->cttl : c->sttl,
        .flags = flags,
        .topt = (flags & TH_SYN)   ? OPT_SYN
                : (flags & TH_RST) ? OPT_NONE
                                   : OPT_TS,
        .df = true,
        .sport = from_client ? c->cport : c->sport,
        .dport = from_client ? c->sport : c->cport,
        .win = (flags & TH_SYN) ? 64240 : (from_client ? 502 : 509),
        .seq = from_client ? c->cseq : c->sseq,
        .ack = from_client ? c->sseq : c->cseq,
        .tsval = (from_client ? c->cts : c->sts) + ms,
        .tsecr = (flags == TH_SYN) ? 0 : (from_client ? c->sts : c->cts) + ms - 1,
        .pay = pay,
        .plen = len,
        .psum = -1,
    };
    if (c->ipid_fixed && from_client) {
        p.ipid = c->ipid_fixed;
        p.df = false;
        p.topt = OPT_NONE;
        p.win = 65535;
    } else if (!p.src->v6) {
        p.ipid = ipid_next(d, p.src);
    }
    dm_emit(d, c->t, &p);
    uint32_t adv = len + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0);
    if (from_client)
        c->cseq += adv;
    else
        c->sseq += adv;
}

static void conn_open(struct demo *d, struct conn *c)
{
    conn_send(d, c, true, TH_SYN, NULL, 0);
    conn_send(d, c, false, TH_SYN | TH_ACK, NULL, 0);
    conn_send(d, c, true, TH_ACK, NULL, 0);
}

/* Send a byte stream as MSS-sized segments; the receiver ACKs every second one and the end. */
static void conn_stream(struct demo *d, struct conn *c, bool from_client, const uint8_t *buf,
                        size_t len)
{
    uint32_t mss = (c->c.v6 ? 1428 : 1448) - (c->vlan ? 4 : 0);
    size_t off = 0;
    int segs = 0;
    while (off < len) {
        uint32_t n = (uint32_t)(len - off > mss ? mss : len - off);
        bool last = off + n == len;
        conn_send(d, c, from_client, TH_ACK | (last ? TH_PSH : 0), buf + off, n);
        off += n;
        if (++segs % 2 == 0 || last)
            conn_send(d, c, !from_client, TH_ACK, NULL, 0);
    }
}

static void conn_close(struct demo *d, struct conn *c, bool client_first)
{
    conn_send(d, c, client_first, TH_FIN | TH_ACK, NULL, 0);
    conn_send(d, c, !client_first, TH_FIN | TH_ACK, NULL, 0);
    conn_send(d, c, client_first, TH_ACK, NULL, 0);
}

/* ------------------------------------------------------------ normal traffic */

static const struct addr resolver4[] = {
    {0, {8, 8, 8, 8}}, {0, {1, 1, 1, 1}}, {0, {9, 9, 9, 9}}, {0, {8, 8, 4, 4}}};

static struct addr home_client(struct demo *d, bool v6)
{
    if (v6) {
        struct addr a = addr_parse("2001:db8:100:1::100");
        a.b[15] = (uint8_t)rng_below(&d->r, 12);
        return a;
    }
    if (rng_chance(&d->r, 0.08))
        return addr4(HOME4 | rng_range(&d->r, 200, 203));
    return addr4(HOME4 | rng_range(&d->r, 100, 139));
}

/* Resolve `name` for cli; returns the time the answer was seen. */
static uint64_t dm_dns(struct demo *d, uint64_t t, const struct addr *cli, const char *name,
                       const struct addr *answer)
{
    uint8_t q[512], a[1024];
    struct addr res = resolver4[rng_below(&d->r, ARRAY_LEN(resolver4))];
    if (cli->v6)
        res = addr_parse(rng_chance(&d->r, 0.5) ? "2001:4860:4860::8888" : "2606:4700:4700::1111");
    uint16_t id = (uint16_t)rng_next(&d->r), port = (uint16_t)rng_range(&d->r, 32768, 60999);
    size_t ql = dns_query(q, id, name, answer->v6 ? 28 : 1);
    size_t al = dns_answer(a, &d->r, id, name, answer, (int)rng_range(&d->r, 1, 4));
    dm_udp(d, t, cli, &res, port, 53, q, (uint32_t)ql);
    t += 4000 + rng_below(&d->r, 40000);
    dm_udp(d, t, &res, cli, 53, port, a, (uint32_t)al);
    return t + rng_range(&d->r, 200, 2000);
}

/* A web session: TLS on 443 (or plain HTTP on 80) with one or more requests. */
static void dm_web_session(struct demo *d, uint64_t t, const struct addr *cli,
                           const struct addr *srv, const char *host, bool http)
{
    struct conn c;
    conn_init(d, &c, cli, (uint16_t)rng_range(&d->r, 32768, 60999), srv, http ? 80 : 443, t);
    conn_open(d, &c);
    int requests = 1 + (rng_chance(&d->r, 0.3) ? (int)rng_below(&d->r, 4) : 0);
    if (!http) {
        size_t n = tls_client_hello(d->big, &d->r, host);
        conn_stream(d, &c, true, d->big, n);
        n = tls_server_flight(d->big, &d->r, rng_range(&d->r, 2200, 4800));
        conn_stream(d, &c, false, d->big, n);
        n = tls_app_data(d->big + 6, &d->r, 74);
        memcpy(d->big, "\x14\x03\x03\x00\x01\x01", 6);
        conn_stream(d, &c, true, d->big, n + 6);
    }
    for (int i = 0; i < requests; i++) {
        size_t body = 200 + (size_t)rng_exp(&d->r, 9000), n;
        if (body > 200000)
            body = 200000;
        if (http) {
            n = (size_t)snprintf((char *)d->big, 512,
                                 "GET /%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0 (X11; "
                                 "Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0\r\n"
                                 "Accept: */*\r\nConnection: keep-alive\r\n\r\n",
                                 i ? "static/app.js" : "", host);
            conn_stream(d, &c, true, d->big, n);
            n = (size_t)snprintf((char *)d->big, 256,
                                 "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html; "
                                 "charset=utf-8\r\nContent-Length: %zu\r\n\r\n",
                                 body);
            for (size_t k = 0; k < body; k++)
                d->big[n + k] = (uint8_t)("<p>lorem ipsum dolor sit amet</p>\n"[k % 34]);
            conn_stream(d, &c, false, d->big, n + body);
        } else {
            n = tls_app_data(d->big, &d->r, rng_range(&d->r, 120, 700));
            conn_stream(d, &c, true, d->big, n);
            n = tls_app_data(d->big, &d->r, body);
            conn_stream(d, &c, false, d->big, n);
        }
        c.t += MS(rng_range(&d->r, 50, 3000));
    }
    if (rng_chance(&d->r, 0.05))
        conn_send(d, &c, true, TH_RST | TH_ACK, NULL, 0);
    else
        conn_close(d, &c, rng_chance(&d->r, 0.7));
}

static void gen_browsing(struct demo *d)
{
    for (uint64_t t = T0_US + MS(300); t < T0_US + SEC(598);) {
        const struct site *s = &sites[rng_below(&d->r, ARRAY_LEN(sites))];
        bool v6 = s->v6 && rng_chance(&d->r, 0.35);
        struct addr cli = home_client(d, v6);
        struct prefix pf = prefix_parse(v6 ? s->v6 : s->v4);
        struct addr srv = prefix_host(&d->r, &pf);
        uint64_t ts = dm_dns(d, t, &cli, s->name, &srv);
        dm_web_session(d, ts, &cli, &srv, s->name, !v6 && rng_chance(&d->r, 0.12));
        t += (uint64_t)rng_exp(&d->r, 900000.0);
    }
}

/* Visitors from many countries to the home web server (v4 and v6). */
static void gen_inbound_web(struct demo *d)
{
    struct addr srv4 = addr4(WEB_SRV), srv6 = addr_parse(home6_web);
    for (uint64_t t = T0_US + SEC(2); t < T0_US + SEC(595);) {
        bool v6 = rng_chance(&d->r, 0.12);
        struct addr cli;
        if (v6) {
            struct prefix pf = prefix_parse(sites[rng_below(&d->r, 2) ? 13 : 16].v6);
            cli = prefix_host(&d->r, &pf);
        } else {
            struct prefix pf =
                prefix_parse(isp_prefixes[rng_below(&d->r, ARRAY_LEN(isp_prefixes))]);
            cli = prefix_host(&d->r, &pf);
        }
        dm_web_session(d, t, &cli, v6 ? &srv6 : &srv4, "www.home.example", rng_chance(&d->r, 0.2));
        t += (uint64_t)rng_exp(&d->r, 3500000.0);
    }
}

/* SSH session with key exchange and `exchanges` encrypted round trips; returns end time. */
static uint64_t dm_ssh_session(struct demo *d, uint64_t t, const struct addr *cli, uint16_t cport,
                               const struct addr *srv, const char *cbanner, int exchanges,
                               uint32_t think_ms, bool server_closes)
{
    static const char sbanner[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";
    static const uint16_t ecdh_init[] = {32};
    struct conn c;
    size_t n;
    conn_init(d, &c, cli, cport, srv, 22, t);
    conn_open(d, &c);
    conn_send(d, &c, false, TH_PSH | TH_ACK, (const uint8_t *)sbanner, sizeof(sbanner) - 1);
    conn_send(d, &c, true, TH_PSH | TH_ACK, (const uint8_t *)cbanner, (uint32_t)strlen(cbanner));
    n = ssh_kexinit(d->big, &d->r, false);
    conn_send(d, &c, true, TH_PSH | TH_ACK, d->big, (uint32_t)n);
    n = ssh_kexinit(d->big, &d->r, true);
    conn_send(d, &c, false, TH_PSH | TH_ACK, d->big, (uint32_t)n);
    n = ssh_msg(d->big, &d->r, 30, ecdh_init, 1);
    conn_send(d, &c, true, TH_PSH | TH_ACK, d->big, (uint32_t)n);
    n = ssh_ecdh_reply(d->big, &d->r);
    n += ssh_msg(d->big + n, &d->r, 21, NULL, 0);
    conn_send(d, &c, false, TH_PSH | TH_ACK, d->big, (uint32_t)n);
    n = ssh_msg(d->big, &d->r, 21, NULL, 0);
    conn_send(d, &c, true, TH_PSH | TH_ACK, d->big, (uint32_t)n);
    for (int i = 0; i < exchanges; i++) {
        uint32_t q = 36 + 16 * rng_below(&d->r, 6), a = 36 + 16 * rng_below(&d->r, 40);
        rng_fill(&d->r, d->big, q + a);
        conn_send(d, &c, true, TH_PSH | TH_ACK, d->big, q);
        conn_send(d, &c, false, TH_PSH | TH_ACK, d->big + q, a);
        if (rng_chance(&d->r, 0.5))
            conn_send(d, &c, true, TH_ACK, NULL, 0);
        if (think_ms)
            c.t += MS(rng_range(&d->r, 1, think_ms));
    }
    conn_close(d, &c, !server_closes);
    return c.t;
}

static void gen_admin_ssh(struct demo *d)
{
    struct prefix hz = prefix_parse("88.198.0.0/16"), lin = prefix_parse("45.33.0.0/17");
    struct addr admin = addr4(HOME4 | 101), box = prefix_host(&d->r, &hz);
    struct addr visitor = prefix_host(&d->r, &lin), sshsrv = addr4(SSH_SRV);
    dm_ssh_session(d, T0_US + SEC(40), &admin, 51234, &box, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n",
                   160, 2500, false);
    dm_ssh_session(d, T0_US + SEC(430), &visitor, 40522, &sshsrv, "SSH-2.0-OpenSSH_8.9p1\r\n", 60,
                   1800, false);
}

static void gen_ntp_icmp(struct demo *d)
{
    static const char *const ntp[] = {"162.159.200.1", "216.239.35.0", "129.6.15.28",
                                      "193.204.114.232"};
    uint8_t buf[64];
    struct addr router = addr4(HOME4 | 1);
    for (uint64_t t = T0_US + SEC(5); t < T0_US + SEC(600); t += SEC(64)) {
        for (size_t i = 0; i < ARRAY_LEN(ntp); i++) {
            struct addr s = addr_parse(ntp[i]);
            uint64_t ts = t + MS(i * 7);
            ntp_packet(buf, &d->r, false, ts);
            dm_udp(d, ts, &router, &s, 123, 123, buf, 48);
            ts += 5000 + rng_below(&d->r, 60000);
            ntp_packet(buf, &d->r, true, ts);
            dm_udp(d, ts, &s, &router, 123, 123, buf, 48);
        }
    }
    /* pings: clients to resolvers, a v6 client, an outside monitor to the web server */
    for (int s = 0; s < 14; s++) {
        bool v6 = s % 5 == 4, inbound = s % 4 == 3;
        struct addr in = inbound ? addr4(WEB_SRV) : home_client(d, v6), out;
        if (v6)
            out = addr_parse("2606:4700:4700::1111");
        else if (inbound)
            out = addr_parse("45.33.32.156");
        else
            out = resolver4[rng_below(&d->r, ARRAY_LEN(resolver4))];
        const struct addr *req_src = inbound ? &out : &in, *req_dst = inbound ? &in : &out;
        uint64_t t = T0_US + SEC(rng_range(&d->r, 10, 580));
        uint8_t req = v6 ? 128 : 8, rep = v6 ? 129 : 0;
        uint16_t id = (uint16_t)rng_range(&d->r, 1, 0xffff);
        int count = (int)rng_range(&d->r, 4, 10);
        for (int i = 1; i <= count; i++) {
            rng_fill(&d->r, buf, 56);
            dm_echo(d, t, req_src, req_dst, req, id, (uint16_t)i, buf, 56);
            dm_echo(d, t + 9000 + rng_below(&d->r, 30000), req_dst, req_src, rep, id, (uint16_t)i,
                    buf, 56);
            t += SEC(1);
        }
    }
}

/* ------------------------------------------------------------ attacks */

/* (c) zmap-style horizontal scan of the home /24 on 22 and 3389, IP-ID 54321. */
static void gen_scan(struct demo *d)
{
    struct attack *a = &d->att[ATT_SCAN];
    struct addr scanner = addr_parse("89.248.165.73");
    uint32_t order[512];
    *a = (struct attack){.type = "scan",
                         .vector = "tcp-syn horizontal 22,3389",
                         .grade = "verified",
                         .attacker = scanner,
                         .victim = addr4(HOME4),
                         .ports = "22, 3389",
                         .notes = "zmap fingerprint: IP-ID 54321, no TCP options; RST/ACK from "
                                  "closed ports, SYN-ACK from open ones (answered by RST)"};
    att_source(a, &scanner);
    d->cur = ATT_SCAN;
    for (uint32_t i = 0; i < 512; i++)
        order[i] = i;
    for (uint32_t i = 511; i > 0; i--) {
        uint32_t j = rng_below(&d->r, i + 1), tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
    uint64_t t = T0_US + SEC(70);
    for (int i = 0; i < 512; i++) {
        uint32_t host = order[i] >> 1;
        uint16_t port = (order[i] & 1) ? 3389 : 22;
        struct addr dst = addr4(HOME4 | host);
        bool open = (host == 22 && port == 22) || (host == 33 && port == 3389);
        bool live = host == 1 || host == 10 || host == 22 || host == 33 || host == 77 ||
                    (host >= 100 && host <= 139 && host % 2 == 0) || (host >= 200 && host <= 203);
        struct conn c;
        conn_init(d, &c, &scanner, 54321 - 10000 + (uint16_t)rng_below(&d->r, 20000), &dst, port,
                  t);
        c.ipid_fixed = 54321;
        conn_send(d, &c, true, TH_SYN, NULL, 0);
        a->to_victim++;
        if (open) {
            conn_send(d, &c, false, TH_SYN | TH_ACK, NULL, 0);
            conn_send(d, &c, true, TH_RST, NULL, 0);
            a->from_victim++;
            a->to_victim++;
        } else if (live) {
            conn_send(d, &c, false, TH_RST | TH_ACK, NULL, 0);
            a->from_victim++;
        }
        t += (uint64_t)rng_exp(&d->r, 55000.0);
    }
    a->sessions = 512;
    d->cur = -1;
}

/* (d) SSH brute force: one host, ~60 short sessions to the home ssh server. */
static void gen_bruteforce(struct demo *d)
{
    struct attack *a = &d->att[ATT_BRUTE];
    struct addr atk = addr_parse("218.92.0.107"), srv = addr4(SSH_SRV);
    *a = (struct attack){.type = "bruteforce",
                         .vector = "ssh",
                         .grade = "verified",
                         .attacker = atk,
                         .victim = srv,
                         .ports = "22",
                         .notes = "60 sessions, each: key exchange, 3 password attempts, server "
                                  "closes"};
    att_source(a, &atk);
    d->cur = ATT_BRUTE;
    uint64_t t = T0_US + SEC(150);
    uint16_t port = 41000;
    for (int i = 0; i < 60; i++) {
        size_t before = d->nrec;
        dm_ssh_session(d, t, &atk, port, &srv, "SSH-2.0-libssh_0.9.6\r\n", 3, 0, true);
        for (size_t k = before; k < d->nrec; k++) {
            const uint8_t *f = d->arena + d->recs[k].off;
            if (f[0] == 0x02) /* destination MAC is the inside host's */
                a->to_victim++;
            else
                a->from_victim++;
        }
        port = (uint16_t)(port + rng_range(&d->r, 1, 9));
        t += MS(rng_range(&d->r, 2200, 3800));
    }
    a->sessions = 60;
    d->cur = -1;
}

/* (a) spoofed-source SYN flood on the home web server; it answers with syncookies. */
static void gen_synflood(struct demo *d)
{
    struct attack *a = &d->att[ATT_SYNFLOOD];
    struct addr srv = addr4(WEB_SRV);
    *a = (struct attack){.type = "ddos",
                         .vector = "tcp-syn-flood",
                         .grade = "spoofed",
                         .spoofed = true,
                         .victim = srv,
                         .ports = "443",
                         .notes = "uniformly random IPv4 sources (bogons included), about one "
                                  "SYN each, random TTL; the server answers a quarter with "
                                  "SYN-ACK (syncookies)"};
    d->cur = ATT_SYNFLOOD;
    uint64_t t = T0_US + SEC(240);
    for (int i = 0; i < 12000; i++) {
        uint32_t v;
        do {
            v = (uint32_t)rng_next(&d->r);
        } while ((v >> 24) == 0 || (v >> 24) == 127 || (v >> 28) >= 14 || (v >> 8) == (HOME4 >> 8));
        struct addr src = addr4(v);
        struct conn c;
        conn_init(d, &c, &src, (uint16_t)rng_range(&d->r, 1024, 65535), &srv, 443, t);
        c.cttl = (uint8_t)rng_range(&d->r, 30, 250);
        c.ipid_fixed = (uint16_t)rng_range(&d->r, 1, 65535);
        conn_send(d, &c, true, TH_SYN, NULL, 0);
        a->to_victim++;
        a->sessions++;
        if (rng_chance(&d->r, 0.25)) {
            conn_send(d, &c, false, TH_SYN | TH_ACK, NULL, 0);
            a->from_victim++;
        }
        t += (uint64_t)rng_exp(&d->r, 40.0 * 1000000 / 12000);
    }
    d->cur = -1;
}

static struct addr reflector(struct demo *d, struct attack *a, const struct attack *other)
{
    for (;;) {
        struct prefix pf = prefix_parse(isp_prefixes[rng_below(&d->r, ARRAY_LEN(isp_prefixes))]);
        struct addr r = prefix_host(&d->r, &pf);
        bool dup = false;
        for (size_t i = 0; i < a->nsrc && !dup; i++)
            dup = !memcmp(a->srcs[i].b, r.b, 4);
        for (size_t i = 0; other && i < other->nsrc && !dup; i++)
            dup = !memcmp(other->srcs[i].b, r.b, 4);
        if (!dup) {
            att_source(a, &r);
            return r;
        }
    }
}

/* (b) DNS and NTP amplification against one home host; large DNS answers arrive fragmented. */
static void gen_amplification(struct demo *d)
{
    struct attack *dn = &d->att[ATT_DNSAMP], *nt = &d->att[ATT_NTPAMP];
    struct addr victim = addr4(AMP_VICTIM);
    uint8_t *buf = d->big;
    *dn = (struct attack){.type = "ddos",
                          .vector = "dns-amplification",
                          .grade = "reflector",
                          .reflected = true,
                          .victim = victim,
                          .ports = "",
                          .rport = 53,
                          .notes = "open resolvers answer spoofed ANY isc.org queries; 70% of "
                                   "answers exceed the MTU and arrive as IP fragments"};
    *nt = (struct attack){.type = "ddos",
                          .vector = "ntp-amplification",
                          .grade = "reflector",
                          .reflected = true,
                          .victim = victim,
                          .ports = "",
                          .rport = 123,
                          .notes = "NTP servers answer spoofed monlist (mode 7, MON_GETLIST_1) "
                                   "requests with 440-byte responses"};
    d->cur = ATT_DNSAMP;
    uint64_t start = T0_US + SEC(390), span = SEC(90);
    for (int i = 0; i < 200; i++) {
        struct addr r = reflector(d, dn, NULL);
        int n = (int)rng_range(&d->r, 5, 15);
        for (int k = 0; k < n; k++) {
            uint64_t t = start + (uint64_t)(rng_unit(&d->r) * (double)span);
            bool big = rng_chance(&d->r, 0.7);
            size_t len =
                dns_any_answer(buf, &d->r, (uint16_t)rng_next(&d->r), "isc.org",
                               big ? rng_range(&d->r, 2900, 4000) : rng_range(&d->r, 1100, 1400));
            struct pkt p = {.src = &r,
                            .dst = &victim,
                            .inbound = true,
                            .proto = P_UDP,
                            .ttl = far_ttl(&r),
                            .ipid = (uint16_t)rng_next(&d->r),
                            .sport = 53,
                            .dport = (uint16_t)rng_range(&d->r, 1024, 65535),
                            .pay = buf,
                            .plen = (uint32_t)len,
                            .psum = -1};
            size_t before = d->nrec;
            if (len + 28 > 1500)
                dm_emit_fragmented(d, t, &p);
            else
                dm_emit(d, t, &p);
            dn->to_victim += d->nrec - before;
            dn->sessions++;
        }
    }
    d->cur = ATT_NTPAMP;
    start += SEC(20);
    for (int i = 0; i < 100; i++) {
        struct addr r = reflector(d, nt, dn);
        uint16_t dport = (uint16_t)rng_range(&d->r, 1024, 65535);
        int bursts = (int)rng_range(&d->r, 1, 3);
        for (int b = 0; b < bursts; b++) {
            uint64_t t = start + (uint64_t)(rng_unit(&d->r) * (double)(span - SEC(25)));
            int n = (int)rng_range(&d->r, 8, 20);
            for (int k = 0; k < n; k++) {
                ntp_monlist(buf, &d->r, k + 1 < n);
                struct pkt p = {.src = &r,
                                .dst = &victim,
                                .inbound = true,
                                .proto = P_UDP,
                                .ttl = far_ttl(&r),
                                .ipid = (uint16_t)rng_next(&d->r),
                                .sport = 123,
                                .dport = dport,
                                .pay = buf,
                                .plen = 440,
                                .psum = -1};
                dm_emit(d, t, &p);
                nt->to_victim++;
                t += rng_range(&d->r, 50, 400);
            }
            nt->sessions++;
        }
    }
    d->cur = -1;
}

/* ------------------------------------------------------------ output */

static int rec_cmp(const void *x, const void *y)
{
    const struct rec *a = x, *b = y;
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void iso_time(char *buf, size_t n, uint64_t us)
{
    uint64_t s = us / 1000000u - T0_SEC; /* all demo times fall on 2026-01-05 */
    snprintf(buf, n, "2026-01-05T%02u:%02u:%02u.%06uZ", (unsigned)(9 + s / 3600),
             (unsigned)(s / 60 % 60), (unsigned)(s % 60), (unsigned)(us % 1000000u));
}

static void write_truth(const struct demo *d, const char *pcap, uint64_t seed)
{
    char path[4096], a1[64], a2[64], t1[40], t2[40];
    snprintf(path, sizeof(path), "%s.truth.json", pcap);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    const char *base = strrchr(pcap, '/') ? strrchr(pcap, '/') + 1 : pcap;
    iso_time(t1, sizeof(t1), d->recs[0].ts);
    iso_time(t2, sizeof(t2), d->recs[d->nrec - 1].ts);
    fprintf(f,
            "{\n  \"generator\": \"gencap\",\n  \"scenario\": \"demo\",\n  \"seed\": %" PRIu64
            ",\n  \"file\": \"%s\",\n  \"packets\": %zu,\n  \"start\": \"%s\",\n  \"end\": "
            "\"%s\",\n  \"home_net\": [\"198.51.100.0/24\", \"2001:db8:100::/48\"],\n"
            "  \"vlan_hosts\": {\"20\": \"198.51.100.200-198.51.100.203\"},\n  \"attacks\": [",
            seed, base, d->nrec, t1, t2);
    for (int i = 0; i < ATT_N; i++) {
        const struct attack *a = &d->att[i];
        iso_time(t1, sizeof(t1), a->t0);
        iso_time(t2, sizeof(t2), a->t1);
        fprintf(f,
                "%s\n    {\"id\": %d, \"type\": \"%s\", \"vector\": \"%s\", \"victim\": \"%s%s\", "
                "\"victim_ports\": [%s],\n     \"attacker\": \"%s\", \"expected_grade\": \"%s\",\n"
                "     \"start\": \"%s\", \"end\": \"%s\", \"start_us\": %" PRIu64
                ", \"end_us\": %" PRIu64 ",\n     \"packets\": %" PRIu64
                ", \"packets_to_victim\": %" PRIu64 ", \"packets_from_victim\": %" PRIu64
                ", \"attempts\": %" PRIu64 ", \"distinct_sources\": %zu,\n     \"notes\": \"%s\"",
                i ? "," : "", i + 1, a->type, a->vector, addr_str(&a->victim, a1, sizeof(a1)),
                i == ATT_SCAN ? "/24" : "", a->ports,
                a->spoofed     ? "spoofed"
                : a->reflected ? "unknown (reflected)"
                               : addr_str(&a->attacker, a2, sizeof(a2)),
                a->grade, t1, t2, a->t0, a->t1, a->pkts, a->to_victim, a->from_victim, a->sessions,
                a->spoofed ? (size_t)a->sessions : a->nsrc, a->notes);
        if (a->reflected) {
            fprintf(f, ",\n     \"reflector_port\": %u, \"reflectors\": [", a->rport);
            for (size_t k = 0; k < a->nsrc; k++)
                fprintf(f, "%s\"%s\"", k ? ", " : "", addr_str(&a->srcs[k], a1, sizeof(a1)));
            fprintf(f, "]");
        }
        fprintf(f, "}");
    }
    fprintf(f, "\n  ]\n}\n");
    if (fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void run_demo(const char *out, uint64_t seed, bool quiet)
{
    struct demo *d = calloc(1, sizeof(*d));
    if (!d) {
        fprintf(stderr, "gencap: out of memory\n");
        exit(1);
    }
    rng_seed(&d->r, seed);
    d->cur = -1;
    gen_browsing(d);
    gen_inbound_web(d);
    gen_admin_ssh(d);
    gen_ntp_icmp(d);
    gen_scan(d);
    gen_bruteforce(d);
    gen_synflood(d);
    gen_amplification(d);
    qsort(d->recs, d->nrec, sizeof(*d->recs), rec_cmp);

    struct pcapw w;
    pw_open(&w, out);
    for (size_t i = 0; i < d->nrec; i++) {
        const struct rec *r = &d->recs[i];
        uint8_t *o = pw_reserve(&w, r->len);
        memcpy(o, d->arena + r->off, r->len);
        pw_commit(&w, r->ts, r->len);
    }
    pw_close(&w);
    if (strcmp(out, "-"))
        write_truth(d, out, seed);
    if (!quiet)
        fprintf(stderr, "gencap: demo: %" PRIu64 " packets, %" PRIu64 " bytes -> %s\n", w.pkts,
                w.bytes, out);
    for (int i = 0; i < ATT_N; i++)
        free(d->att[i].srcs);
    free(d->recs);
    free(d->arena);
    free(d);
}

/* =========================================================== bench scenario */

enum { BK_TCP, BK_TCP_REJ, BK_TCP_NOANS, BK_DNS, BK_UDP, BK_ICMP };
enum { ST_SYN, ST_SYNACK, ST_ACK, ST_REQ, ST_DATA, ST_FIN1, ST_FIN2, ST_LAST, ST_DONE };

struct bflow {
    struct addr c, s;
    uint16_t cport, sport;
    uint8_t kind, step, cttl, sttl;
    bool bulk, rst_close, c_next; /* UDP: who sends next */
    uint32_t cseq, sseq, left, unacked;
    uint16_t cid, sid, txid;
    uint8_t name;
};

struct bench {
    struct rng r;
    uint8_t pattern[2048];
    uint32_t psum[1601]; /* csum_add(0, pattern, n) */
    double tcp_data_mean, udp_mean, icmp_mean;
    uint64_t started, pkts_kind[6], flows_kind[6], v6_pkts;
    struct prefix srv4[32], srv6[8];
    struct addr res4[6], res6[2];
    size_t nsrv4, nsrv6;
};

static const char *const bench_names[] = {
    "www.google.com", "www.wikipedia.org",   "cdn.example.net",     "api.github.com",
    "ya.ru",          "www.baidu.com",       "static.xx.fbcdn.net", "update.microsoft.com",
    "www.bbc.co.uk",  "time.cloudflare.com", "s3.amazonaws.com",    "mail.ru",
    "www.naver.com",  "ntp.ubuntu.com"};

static void bench_new_flow(struct bench *b, struct bflow *f)
{
    struct rng *r = &b->r;
    double u = rng_unit(r);
    bool v6 = rng_chance(r, 0.2);
    memset(f, 0, sizeof(*f));
    f->kind = u < 0.62   ? BK_TCP
              : u < 0.66 ? BK_TCP_REJ
              : u < 0.68 ? BK_TCP_NOANS
              : u < 0.88 ? BK_DNS
              : u < 0.95 ? BK_UDP
                         : BK_ICMP;
    if (v6) {
        f->c = addr_parse("2001:db8:100::");
        rng_fill(r, f->c.b + 6, 10);
        f->s = prefix_host(r, &b->srv6[rng_below(r, (uint32_t)b->nsrv6)]);
    } else {
        f->c = addr4(0x0a000000u | (uint32_t)(rng_next(r) & 0xffffff)); /* 10.0.0.0/8 */
        f->s = prefix_host(r, &b->srv4[rng_below(r, (uint32_t)b->nsrv4)]);
    }
    f->cport = (uint16_t)rng_range(r, 32768, 60999);
    f->cttl = 64;
    f->sttl = far_ttl(&f->s);
    f->cseq = (uint32_t)rng_next(r);
    f->sseq = (uint32_t)rng_next(r);
    f->cid = (uint16_t)rng_next(r);
    f->sid = (uint16_t)rng_next(r);
    f->c_next = true;
    switch (f->kind) {
    case BK_TCP: {
        static const uint16_t ports[] = {443, 443, 443, 443, 443, 80, 80, 22, 8080, 993, 25};
        f->sport = ports[rng_below(r, ARRAY_LEN(ports))];
        f->bulk = rng_chance(r, 0.15);
        double mean = f->bulk ? b->tcp_data_mean * 4.4 : b->tcp_data_mean * 0.4;
        f->left = 1 + (uint32_t)rng_exp(r, mean);
        f->rst_close = rng_chance(r, 0.08);
        break;
    }
    case BK_TCP_REJ:
    case BK_TCP_NOANS:
        f->sport = (uint16_t)(rng_chance(r, 0.5) ? 443 : rng_range(r, 1, 10000));
        break;
    case BK_DNS:
        f->s = v6 ? b->res6[rng_below(r, 2)] : b->res4[rng_below(r, ARRAY_LEN(b->res4))];
        f->sport = 53;
        f->txid = (uint16_t)rng_next(r);
        f->name = (uint8_t)rng_below(r, ARRAY_LEN(bench_names));
        f->left = 2;
        break;
    case BK_UDP: {
        static const uint16_t ports[] = {443, 443, 443, 3478, 19302, 8801, 51820, 27015};
        f->sport = ports[rng_below(r, ARRAY_LEN(ports))];
        f->left = 1 + (uint32_t)rng_exp(r, b->udp_mean);
        break;
    }
    default:
        f->sport = (uint16_t)rng_next(r); /* echo identifier */
        f->left = 2 * (1 + (uint32_t)rng_exp(r, b->icmp_mean / 2));
        break;
    }
    b->flows_kind[f->kind]++;
}

/* Fill p with the flow's next packet; returns false when the flow has ended. */
static bool bench_step(struct bench *b, struct bflow *f, struct pkt *p, uint8_t *dnsbuf)
{
    struct rng *r = &b->r;
    bool fc = true; /* from client */
    uint8_t fl = TH_ACK;
    uint32_t len = 0;
    p->proto = P_TCP;
    p->topt = OPT_TS;
    switch (f->kind) {
    case BK_TCP_NOANS:
        if (f->step >= 2)
            return false;
        fl = TH_SYN;
        f->step++;
        if (f->step == 2)
            f->cseq--; /* retransmission */
        break;
    case BK_TCP_REJ:
        if (f->step >= 2)
            return false;
        if (f->step++ == 0) {
            fl = TH_SYN;
        } else {
            fc = false;
            fl = TH_RST | TH_ACK;
            f->sseq = 0;
        }
        break;
    case BK_TCP:
        switch (f->step) {
        case ST_SYN:
            fl = TH_SYN;
            f->step = ST_SYNACK;
            break;
        case ST_SYNACK:
            fc = false;
            fl = TH_SYN | TH_ACK;
            f->step = ST_ACK;
            break;
        case ST_ACK:
            f->step = ST_REQ;
            break;
        case ST_REQ:
            fl = TH_PSH | TH_ACK;
            len = rng_range(r, 120, 720);
            f->step = ST_DATA;
            break;
        case ST_DATA:
            if (f->unacked >= 2 || (f->left == 0 && f->unacked)) {
                f->unacked = 0; /* client ACK */
            } else if (f->left) {
                uint32_t mss = f->c.v6 ? 1428 : 1448;
                fc = false;
                f->left--;
                f->unacked++;
                len = (f->bulk && f->left) ? mss : rng_range(r, 60, mss);
                if (!f->left)
                    fl |= TH_PSH;
            } else if (f->rst_close) {
                fl = TH_RST | TH_ACK;
                f->step = ST_DONE;
            } else {
                fl = TH_FIN | TH_ACK;
                f->step = ST_FIN2;
            }
            break;
        case ST_FIN2:
            fc = false;
            fl = TH_FIN | TH_ACK;
            f->step = ST_LAST;
            break;
        case ST_LAST:
            f->step = ST_DONE;
            break;
        default:
            return false;
        }
        break;
    case BK_DNS:
        if (!f->left)
            return false;
        fc = f->left-- == 2;
        p->proto = P_UDP;
        if (fc) {
            len = (uint32_t)dns_query(dnsbuf, f->txid, bench_names[f->name], f->s.v6 ? 28 : 1);
        } else {
            /* answers in 23.0.0.0/8 (routed, Akamai) or the 2a00:1450::/32 block */
            struct addr ans = addr4(0x17000000u | ((uint32_t)rng_next(r) & 0xffffff));
            if (f->s.v6) {
                ans = addr_parse("2a00:1450::");
                rng_fill(r, ans.b + 4, 12);
            }
            len = (uint32_t)dns_answer(dnsbuf, r, f->txid, bench_names[f->name], &ans,
                                       (int)rng_range(r, 1, 4));
        }
        p->pay = dnsbuf;
        p->psum = -1;
        break;
    case BK_UDP:
    case BK_ICMP: {
        if (!f->left)
            return false;
        f->left--;
        if (f->kind == BK_ICMP) {
            fc = f->left % 2 == 1;
            p->proto = f->c.v6 ? P_ICMP6 : P_ICMP;
            p->icmp_type = f->c.v6 ? (fc ? 128 : 129) : (fc ? 8 : 0);
            len = 56;
        } else {
            uint32_t k = rng_below(r, 10);
            fc = f->c_next;
            f->c_next = rng_chance(r, 0.5);
            p->proto = P_UDP;
            len = k < 4   ? rng_range(r, 20, 90)
                  : k < 7 ? rng_range(r, 90, 700)
                          : rng_range(r, 1150, f->c.v6 ? 1432 : 1452);
        }
        break;
    }
    }
    p->src = fc ? &f->c : &f->s;
    p->dst = fc ? &f->s : &f->c;
    p->inbound = !fc;
    p->ttl = fc ? f->cttl : f->sttl;
    p->flags = fl;
    p->df = true;
    p->ipid = fc ? f->cid++ : f->sid++;
    p->sport = fc ? f->cport : f->sport;
    p->dport = fc ? f->sport : f->cport;
    if (p->proto == P_ICMP || p->proto == P_ICMP6) {
        p->sport = f->sport;
        p->dport = (uint16_t)(f->left / 2);
    }
    p->plen = len;
    if (p->proto == P_TCP) {
        if (fl & TH_SYN)
            p->topt = OPT_SYN;
        else if (fl & TH_RST)
            p->topt = OPT_NONE;
        p->seq = fc ? f->cseq : f->sseq;
        p->ack = fc ? f->sseq : f->cseq;
        p->win = (fl & TH_SYN) ? 64240 : (fc ? 501 : 1024);
        p->tsval = p->seq ^ 0x5a5a5a5au;
        p->tsecr = p->ack ^ 0x5a5a5a5au;
        uint32_t adv = len + ((fl & (TH_SYN | TH_FIN)) ? 1 : 0);
        if (fc)
            f->cseq += adv;
        else
            f->sseq += adv;
    }
    if (p->pay != dnsbuf) {
        p->pay = b->pattern;
        p->psum = b->psum[len];
    }
    b->pkts_kind[f->kind]++;
    return true;
}

static void bench_init(struct bench *b, uint64_t seed, uint64_t packets, uint64_t flows)
{
    static const char *const s4[] = {
        "142.250.0.0/16",  "91.198.174.0/24",  "212.58.224.0/20",  "77.88.0.0/18",
        "87.240.128.0/18", "220.181.0.0/16",   "123.125.0.0/16",   "193.99.144.0/24",
        "212.27.48.0/20",  "200.147.0.0/16",   "223.130.192.0/20", "182.22.0.0/16",
        "140.82.112.0/20", "104.16.0.0/16",    "151.101.0.0/16",   "13.32.0.0/16",
        "157.240.0.0/16",  "149.154.160.0/20", "217.69.128.0/20",  "164.100.0.0/16",
        "196.25.0.0/16",   "88.198.0.0/16",    "5.9.0.0/16",       "178.62.0.0/16",
        "51.15.0.0/16",    "122.224.0.0/16",   "95.24.0.0/16",     "186.192.0.0/16",
        "105.112.0.0/16",  "125.16.0.0/16",    "203.113.0.0/18",   "45.33.0.0/17"};
    static const char *const s6[] = {
        "2a00:1450:4001::/48", "2620:0:862::/48", "2a02:6b8::/32",          "2606:4700::/32",
        "2a04:4e42::/32",      "2a03:2880::/32",  "2a02:2e0:3fe:1001::/64", "2001:4860:4860::/48"};
    static const char *const res4[] = {"8.8.8.8", "1.1.1.1",   "9.9.9.9",
                                       "8.8.4.4", "77.88.8.8", "208.67.222.222"};
    memset(b, 0, sizeof(*b));
    rng_seed(&b->r, seed ^ 0xbe7c4u);
    rng_fill(&b->r, b->pattern, sizeof(b->pattern));
    for (uint32_t n = 0; n <= 1600; n++)
        b->psum[n] = (uint32_t)csum_add(0, b->pattern, n);
    for (size_t i = 0; i < ARRAY_LEN(s4); i++)
        b->srv4[b->nsrv4++] = prefix_parse(s4[i]);
    for (size_t i = 0; i < ARRAY_LEN(s6); i++)
        b->srv6[b->nsrv6++] = prefix_parse(s6[i]);
    for (size_t i = 0; i < ARRAY_LEN(b->res4); i++)
        b->res4[i] = addr_parse(res4[i]);
    b->res6[0] = addr_parse("2001:4860:4860::8888");
    b->res6[1] = addr_parse("2606:4700:4700::1111");
    /* Per-kind means so that packets/flows = L and the mix is ~70% TCP, ~25% UDP, ~5% ICMP. */
    double L = 1.02 * (double)packets / (double)(flows ? flows : 1); /* truncated tail */
    double tcp = (0.70 * L - 0.06 * 2) / 0.62; /* packets per normal TCP flow */
    b->tcp_data_mean = (tcp - 8) / 1.5;
    if (b->tcp_data_mean < 1)
        b->tcp_data_mean = 1;
    b->udp_mean = (0.25 * L - 0.20 * 2) / 0.07;
    if (b->udp_mean < 1)
        b->udp_mean = 1;
    b->icmp_mean = 0.05 * L / 0.05;
    if (b->icmp_mean < 2)
        b->icmp_mean = 2;
}

static void run_bench(const char *out, uint64_t seed, uint64_t packets, uint64_t flows,
                      uint32_t active, bool quiet)
{
    struct bench *b = malloc(sizeof(*b));
    struct bflow *pool = malloc((size_t)active * sizeof(*pool));
    uint8_t dnsbuf[512];
    struct pcapw w;
    if (!b || !pool) {
        fprintf(stderr, "gencap: out of memory\n");
        exit(1);
    }
    bench_init(b, seed, packets, flows);
    uint32_t live = 0;
    while (live < active && b->started < flows) {
        bench_new_flow(b, &pool[live++]);
        b->started++;
    }
    pw_open(&w, out);
    uint64_t t = T0_US;
    /* Flows are picked PICK_AHEAD steps early and prefetched: the pool is larger than the
     * cache and the miss would otherwise dominate. A pick made stale by a removal is redone. */
    enum { PICK_AHEAD = 8 };
    uint32_t ahead[PICK_AHEAD], slot = 0;
    for (int k = 0; k < PICK_AHEAD; k++)
        ahead[k] = rng_below(&b->r, live);
    while (w.pkts < packets && live > 0) {
        uint32_t i = ahead[slot];
        ahead[slot] = rng_below(&b->r, live);
        __builtin_prefetch(&pool[ahead[slot]]);
        slot = (slot + 1) % PICK_AHEAD;
        if (i >= live)
            i = rng_below(&b->r, live);
        struct pkt p = {.pay = NULL};
        if (!bench_step(b, &pool[i], &p, dnsbuf)) {
            if (b->started < flows) {
                bench_new_flow(b, &pool[i]);
                b->started++;
            } else {
                pool[i] = pool[--live];
            }
            continue;
        }
        if (p.src->v6)
            b->v6_pkts++;
        uint8_t *o = pw_reserve(&w, MAXFRAME);
        size_t len = build_frame(o, &p);
        t += 1 + rng_below(&b->r, 19); /* ~100k packets/s of data time */
        pw_commit(&w, t, len);
    }
    pw_close(&w);
    if (!quiet) {
        uint64_t tcp = b->pkts_kind[BK_TCP] + b->pkts_kind[BK_TCP_REJ] + b->pkts_kind[BK_TCP_NOANS];
        uint64_t udp = b->pkts_kind[BK_DNS] + b->pkts_kind[BK_UDP];
        double n = (double)(w.pkts ? w.pkts : 1);
        fprintf(stderr,
                "gencap: bench: %" PRIu64 " packets, %" PRIu64 " flows started, %" PRIu64
                " bytes (avg %.0f); TCP %.1f%% UDP %.1f%% ICMP %.1f%% IPv6 %.1f%% -> %s\n",
                w.pkts, b->started, w.bytes, (double)w.bytes / n, 100.0 * (double)tcp / n,
                100.0 * (double)udp / n, 100.0 * (double)b->pkts_kind[BK_ICMP] / n,
                100.0 * (double)b->v6_pkts / n, out);
    }
    free(pool);
    free(b);
}

/* ===================================================================== main */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: gencap --scenario demo -o FILE [--seed N]\n"
            "       gencap --scenario bench -o FILE [--packets N] [--flows M] [--active K] "
            "[--seed N]\n"
            "  FILE '-' writes to stdout; demo also writes FILE.truth.json\n"
            "  bench defaults: --packets 15000000 --flows 1000000 --active min(32768, flows/16)\n");
}

static uint64_t parse_u64(const char *s, const char *what)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (!*s || *end) {
        fprintf(stderr, "gencap: bad %s: %s\n", what, s);
        exit(1);
    }
    return v;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"scenario", required_argument, NULL, 's'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"seed", required_argument, NULL, 'S'},
                                         {"packets", required_argument, NULL, 'n'},
                                         {"flows", required_argument, NULL, 'f'},
                                         {"active", required_argument, NULL, 'a'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *scenario = NULL, *out = NULL;
    uint64_t seed = 1, packets = 15000000, flows = 1000000, active = 0;
    bool quiet = false;
    int c;
    while ((c = getopt_long(argc, argv, "s:o:S:n:f:a:qh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            scenario = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'S':
            seed = parse_u64(optarg, "seed");
            break;
        case 'n':
            packets = parse_u64(optarg, "packet count");
            break;
        case 'f':
            flows = parse_u64(optarg, "flow count");
            break;
        case 'a':
            active = parse_u64(optarg, "active flow count");
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 1;
        }
    }
    if (!scenario || !out || optind != argc) {
        usage(stderr);
        return 1;
    }
    if (!strcmp(scenario, "demo")) {
        run_demo(out, seed, quiet);
    } else if (!strcmp(scenario, "bench")) {
        if (!flows || active > 100000000) {
            fprintf(stderr, "gencap: --flows must be > 0 and --active at most 1e8\n");
            return 1;
        }
        if (!active) /* keep flow starts spread over the capture */
            active = flows / 16 < 1 ? 1 : flows / 16 > 32768 ? 32768 : flows / 16;
        run_bench(out, seed, packets, flows, (uint32_t)active, quiet);
    } else {
        fprintf(stderr, "gencap: unknown scenario %s\n", scenario);
        return 1;
    }
    return 0;
}
