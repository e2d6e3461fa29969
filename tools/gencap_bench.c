/*
 * gencap_bench.c - the benchmark scenario: millions of packets from a pool of
 * concurrently active flows, streamed with constant memory (see gencap.c).
 */
#include "gencap.h"

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

void run_bench(const char *out, uint64_t seed, uint64_t packets, uint64_t flows, uint32_t active,
               bool quiet)
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
