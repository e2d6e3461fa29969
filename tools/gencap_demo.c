/*
 * gencap_demo.c - the demo scenario: a home network's border traffic over ten
 * minutes with four attacks and a ground-truth file (see gencap.c). Built in
 * memory and sorted by time. The scene builder and the home network's hosts and
 * sessions (declared in gencap.h) are shared with the attack scenario.
 */
#include "gencap.h"

/* ============================================================ demo scenario */

enum { ATT_SCAN, ATT_BRUTE, ATT_SYNFLOOD, ATT_DNSAMP, ATT_NTPAMP, ATT_N };

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fprintf(stderr, "gencap: out of memory\n");
        exit(1);
    }
    return p;
}

uint8_t *dm_reserve(struct demo *d, size_t n)
{
    if (d->alen + n > d->acap) {
        d->acap = (d->acap + n) * 2;
        d->arena = xrealloc(d->arena, d->acap);
    }
    return d->arena + d->alen;
}

void dm_commit(struct demo *d, uint64_t ts, size_t len)
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

void dm_emit(struct demo *d, uint64_t ts, const struct pkt *p)
{
    uint8_t *o = dm_reserve(d, 128 + p->plen);
    dm_commit(d, ts, build_frame(o, p));
}

void att_source(struct attack *a, const struct addr *s)
{
    if (a->nsrc == a->capsrc) {
        a->capsrc = a->capsrc ? a->capsrc * 2 : 64;
        a->srcs = xrealloc(a->srcs, a->capsrc * sizeof(*a->srcs));
    }
    a->srcs[a->nsrc++] = *s;
}

/* Fragment a UDP/IPv4 datagram described by p (payload up to 64 KiB) at a 1500-byte MTU. */
void dm_emit_fragmented(struct demo *d, uint64_t ts, const struct pkt *p)
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

const struct site sites[] = {
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
const char *const isp_prefixes[] = {
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

static const char *const home6_web = "2001:db8:100::10";

/* Per-host IPv4 identification counters, keyed by a small hash (close enough to real stacks). */
uint16_t ipid_next(struct demo *d, const struct addr *a)
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

bool is_home(const struct addr *a)
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

void dm_udp(struct demo *d, uint64_t ts, const struct addr *src, const struct addr *dst,
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
void dm_echo(struct demo *d, uint64_t ts, const struct addr *src, const struct addr *dst,
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

void conn_init(struct demo *d, struct conn *c, const struct addr *cli, uint16_t cport,
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
void conn_send(struct demo *d, struct conn *c, bool from_client, uint8_t flags, const uint8_t *pay,
               uint32_t len)
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

void conn_open(struct demo *d, struct conn *c)
{
    conn_send(d, c, true, TH_SYN, NULL, 0);
    conn_send(d, c, false, TH_SYN | TH_ACK, NULL, 0);
    conn_send(d, c, true, TH_ACK, NULL, 0);
}

/* Send a byte stream as MSS-sized segments; the receiver ACKs every second one and the end. */
void conn_stream(struct demo *d, struct conn *c, bool from_client, const uint8_t *buf, size_t len)
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

void conn_close(struct demo *d, struct conn *c, bool client_first)
{
    conn_send(d, c, client_first, TH_FIN | TH_ACK, NULL, 0);
    conn_send(d, c, !client_first, TH_FIN | TH_ACK, NULL, 0);
    conn_send(d, c, client_first, TH_ACK, NULL, 0);
}

/* ------------------------------------------------------------ normal traffic */

const struct addr resolver4[] = {
    {0, {8, 8, 8, 8}}, {0, {1, 1, 1, 1}}, {0, {9, 9, 9, 9}}, {0, {8, 8, 4, 4}}};

struct addr home_client(struct demo *d, bool v6)
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
uint64_t dm_dns(struct demo *d, uint64_t t, const struct addr *cli, const char *name,
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
void dm_web_session(struct demo *d, uint64_t t, const struct addr *cli, const struct addr *srv,
                    const char *host, bool http)
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
uint64_t dm_ssh_session(struct demo *d, uint64_t t, const struct addr *cli, uint16_t cport,
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

int rec_cmp(const void *x, const void *y)
{
    const struct rec *a = x, *b = y;
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void iso_time(char *buf, size_t n, uint64_t us)
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

void run_demo(const char *out, uint64_t seed, bool quiet)
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
