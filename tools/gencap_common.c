/*
 * gencap_common.c - building blocks of the scenario generator: PRNG seeding,
 * checksums, addresses, frames, the buffered pcap writer and application payloads
 * (DNS, NTP, TLS, SSH). Declarations in gencap.h.
 */
#include "gencap.h"

uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

/* Exponential with the given mean. */
double rng_exp(struct rng *r, double mean)
{
    return -log(1.0 - rng_unit(r)) * mean;
}

void rng_fill(struct rng *r, uint8_t *p, size_t n)
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

/* One's-complement partial sum of big-endian 16-bit words; an odd tail byte is padded.
 * Pieces added one after the other must all have even length except the last. */
uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
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

uint16_t csum_fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

struct addr addr4(uint32_t v)
{
    struct addr a = {0};
    be32(a.b, v);
    return a;
}

struct addr addr_parse(const char *s)
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

struct prefix prefix_parse(const char *s)
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
struct addr prefix_host(struct rng *r, const struct prefix *p)
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

uint64_t addr_hash(const struct addr *a)
{
    uint64_t x = 0, h;
    for (int i = 0; i < 16; i++)
        x = x * 131 + a->b[i];
    h = x ^ a->v6;
    return splitmix64(&h);
}

/* TTL as seen at the border: initial TTL of the host's OS minus its hop distance. */
uint8_t far_ttl(const struct addr *a)
{
    uint64_t h = addr_hash(a);
    unsigned os = h % 10, hops = 6 + (unsigned)((h >> 8) % 19);
    unsigned init = os < 6 ? 64 : os < 9 ? 128 : 255;
    return (uint8_t)(init - hops);
}

const char *addr_str(const struct addr *a, char *buf, size_t n)
{
    inet_ntop(a->v6 ? AF_INET6 : AF_INET, a->b, buf, (socklen_t)n);
    return buf;
}

static const uint8_t router_mac[6] = {0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x01};

void host_mac(uint8_t *m, const struct addr *a)
{
    const uint8_t *tail = a->b + (a->v6 ? 12 : 0);
    m[0] = 0x02;
    m[1] = 0x42;
    memcpy(m + 2, tail, 4);
}

size_t put_eth(uint8_t *o, const struct pkt *p)
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

void put_ipv4(uint8_t *ip, const struct pkt *p, uint32_t l4len, uint32_t frag)
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

void put_ipv6(uint8_t *ip, const struct pkt *p, uint32_t l4len)
{
    be32(ip, 0x60000000u | (p->sport ^ p->dport)); /* flow label from the ports */
    be16(ip + 4, l4len);
    ip[6] = p->proto;
    ip[7] = p->ttl;
    memcpy(ip + 8, p->src->b, 16);
    memcpy(ip + 24, p->dst->b, 16);
}

size_t put_tcp_hdr(uint8_t *t, const struct pkt *p)
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
size_t build_frame(uint8_t *o, const struct pkt *p)
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

void pw_flush(struct pcapw *w)
{
    if (w->len && fwrite(w->buf, 1, w->len, w->f) != w->len) {
        perror("gencap: write");
        exit(1);
    }
    w->len = 0;
}

void pw_open(struct pcapw *w, const char *path)
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

void pw_close(struct pcapw *w)
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
size_t dns_name(uint8_t *o, const char *name)
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

size_t dns_query(uint8_t *o, uint16_t id, const char *name, uint16_t qtype)
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
size_t dns_answer(uint8_t *o, struct rng *r, uint16_t id, const char *name,
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
size_t dns_any_answer(uint8_t *o, struct rng *r, uint16_t id, const char *name, size_t target)
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

size_t ntp_packet(uint8_t *o, struct rng *r, bool server, uint64_t t_us)
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
size_t ntp_monlist(uint8_t *o, struct rng *r, bool more)
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

uint8_t *tls_rec(uint8_t *p, uint8_t type, uint16_t ver)
{
    p[0] = type;
    be16(p + 1, ver);
    return p + 5; /* length patched by the caller */
}

size_t tls_client_hello(uint8_t *b, struct rng *r, const char *sni)
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
size_t tls_server_flight(uint8_t *b, struct rng *r, size_t enc_len)
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
size_t tls_app_data(uint8_t *b, struct rng *r, size_t total)
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
size_t ssh_wrap(uint8_t *p, size_t plen, struct rng *r)
{
    size_t pad = 8 - ((5 + plen) % 8);
    if (pad < 4)
        pad += 8;
    be32(p, (uint32_t)(1 + plen + pad));
    p[4] = (uint8_t)pad;
    rng_fill(r, p + 5 + plen, pad);
    return 5 + plen + pad;
}

size_t ssh_kexinit(uint8_t *p, struct rng *r, bool server)
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
size_t ssh_msg(uint8_t *p, struct rng *r, uint8_t code, const uint16_t *lens, int strings)
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
size_t ssh_ecdh_reply(uint8_t *p, struct rng *r)
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
