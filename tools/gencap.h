/*
 * gencap.h - shared parts of the scenario generator (tools/gencap*.c): PRNG,
 * byte and checksum helpers, addresses, the frame builder, the pcap writer and
 * payload builders, and the two scenarios' entry points. Tool code, not product.
 */
#ifndef GENCAP_H
#define GENCAP_H

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

/* ================================================================ addresses */

struct addr {
    uint8_t v6;
    uint8_t b[16]; /* IPv4 in b[0..3] */
};

struct prefix {
    struct addr net;
    int len;
};

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

/* ============================================================== pcap writer */

struct pcapw {
    FILE *f;
    uint8_t *buf;
    size_t len;
    uint64_t pkts, bytes;
};

uint64_t splitmix64(uint64_t *x);
void rng_seed(struct rng *r, uint64_t seed);
double rng_exp(struct rng *r, double mean);
void rng_fill(struct rng *r, uint8_t *p, size_t n);
uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n);
uint16_t csum_fold(uint64_t sum);
struct addr addr4(uint32_t v);
struct addr addr_parse(const char *s);
struct prefix prefix_parse(const char *s);
struct addr prefix_host(struct rng *r, const struct prefix *p);
uint64_t addr_hash(const struct addr *a);
uint8_t far_ttl(const struct addr *a);
const char *addr_str(const struct addr *a, char *buf, size_t n);
void host_mac(uint8_t *m, const struct addr *a);
size_t put_eth(uint8_t *o, const struct pkt *p);
void put_ipv4(uint8_t *ip, const struct pkt *p, uint32_t l4len, uint32_t frag);
void put_ipv6(uint8_t *ip, const struct pkt *p, uint32_t l4len);
size_t put_tcp_hdr(uint8_t *t, const struct pkt *p);
size_t build_frame(uint8_t *o, const struct pkt *p);
void pw_flush(struct pcapw *w);
void pw_open(struct pcapw *w, const char *path);
void pw_close(struct pcapw *w);
size_t dns_name(uint8_t *o, const char *name);
size_t dns_query(uint8_t *o, uint16_t id, const char *name, uint16_t qtype);
size_t dns_answer(uint8_t *o, struct rng *r, uint16_t id, const char *name,
                  const struct addr *first, int count);
size_t dns_any_answer(uint8_t *o, struct rng *r, uint16_t id, const char *name, size_t target);
size_t ntp_packet(uint8_t *o, struct rng *r, bool server, uint64_t t_us);
size_t ntp_monlist(uint8_t *o, struct rng *r, bool more);
uint8_t *tls_rec(uint8_t *p, uint8_t type, uint16_t ver);
size_t tls_client_hello(uint8_t *b, struct rng *r, const char *sni);
size_t tls_server_flight(uint8_t *b, struct rng *r, size_t enc_len);
size_t tls_app_data(uint8_t *b, struct rng *r, size_t total);
size_t ssh_wrap(uint8_t *p, size_t plen, struct rng *r);
size_t ssh_kexinit(uint8_t *p, struct rng *r, bool server);
size_t ssh_msg(uint8_t *p, struct rng *r, uint8_t code, const uint16_t *lens, int strings);
size_t ssh_ecdh_reply(uint8_t *p, struct rng *r);

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

/* ============================================= scene builder (gencap_demo.c)
 *
 * The in-memory scene the demo and attack scenarios are built in: frames go to an arena with
 * one record each, sorted by time before writing. Helpers for hosts, TCP sessions and normal
 * traffic of the home network live in gencap_demo.c and are shared with gencap_attack.c. */

#define ATT_MAX 8 /* attacks per scene */

struct rec {
    uint64_t ts, seq;
    size_t off;
    uint32_t len;
};

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
    struct attack att[ATT_MAX];
    uint8_t big[1 << 18]; /* scratch for byte streams */
};

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

struct site {
    const char *name, *v4, *v6; /* country per libloc in the comment */
};

#define HOME4 0xc6336400u /* 198.51.100.0/24 */
#define WEB_SRV (HOME4 | 10)
#define SSH_SRV (HOME4 | 22)
#define RDP_HOST (HOME4 | 33)
#define AMP_VICTIM (HOME4 | 77)
#define VLAN_ID 20
#define N_SITES 21
#define N_ISP_PREFIXES 25

extern const struct site sites[N_SITES];
extern const char *const isp_prefixes[N_ISP_PREFIXES]; /* ISP and hosting space */
extern const struct addr resolver4[4];

void *xrealloc(void *p, size_t n);
uint8_t *dm_reserve(struct demo *d, size_t n);
void dm_commit(struct demo *d, uint64_t ts, size_t len);
void dm_emit(struct demo *d, uint64_t ts, const struct pkt *p);
void att_source(struct attack *a, const struct addr *s);
void dm_emit_fragmented(struct demo *d, uint64_t ts, const struct pkt *p);
uint16_t ipid_next(struct demo *d, const struct addr *a);
bool is_home(const struct addr *a);
void dm_udp(struct demo *d, uint64_t ts, const struct addr *src, const struct addr *dst,
            uint16_t sport, uint16_t dport, const uint8_t *pay, uint32_t plen);
void dm_echo(struct demo *d, uint64_t ts, const struct addr *src, const struct addr *dst,
             uint8_t type, uint16_t id, uint16_t seq, const uint8_t *pay, uint32_t plen);
void conn_init(struct demo *d, struct conn *c, const struct addr *cli, uint16_t cport,
               const struct addr *srv, uint16_t sport, uint64_t t);
void conn_send(struct demo *d, struct conn *c, bool from_client, uint8_t flags, const uint8_t *pay,
               uint32_t len);
void conn_open(struct demo *d, struct conn *c);
void conn_stream(struct demo *d, struct conn *c, bool from_client, const uint8_t *buf, size_t len);
void conn_close(struct demo *d, struct conn *c, bool client_first);
struct addr home_client(struct demo *d, bool v6);
uint64_t dm_dns(struct demo *d, uint64_t t, const struct addr *cli, const char *name,
                const struct addr *answer);
void dm_web_session(struct demo *d, uint64_t t, const struct addr *cli, const struct addr *srv,
                    const char *host, bool http);
uint64_t dm_ssh_session(struct demo *d, uint64_t t, const struct addr *cli, uint16_t cport,
                        const struct addr *srv, const char *cbanner, int exchanges,
                        uint32_t think_ms, bool server_closes);
int rec_cmp(const void *x, const void *y);
void iso_time(char *buf, size_t n, uint64_t us);

/* The scenarios (gencap_demo.c, gencap_bench.c, gencap_attack.c). */
void run_demo(const char *out, uint64_t seed, bool quiet);
void run_bench(const char *out, uint64_t seed, uint64_t packets, uint64_t flows, uint32_t active,
               bool quiet);
void run_attack(const char *out, uint64_t seed, bool quiet);

#endif
