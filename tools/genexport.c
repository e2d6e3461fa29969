/*
 * genexport.c - benchmark generator of NetFlow v9 export traffic: N flow
 * records in datagrams of 45, with the template resent every 20 datagrams,
 * written as a pcap of Ethernet/IPv4/UDP frames (exporter 10.0.0.1 ->
 * 10.0.0.2:2055) or sent to a UDP collector. Tool code, not product; libc
 * only. Used by bench/run (flow-input section).
 *
 *   genexport --records N [--seed S] [--mix M] -o FILE.pcap
 *   genexport --records N [--seed S] [--mix M] --send 127.0.0.1:PORT [--pps N]
 *
 * --mix uniform (the default; the benchmark's worst case): every record is
 * one-way, from one of 65,536 sources (10.0.x.y) to one of 65,536
 * destinations (198.51.x.y), drawn uniformly, half TCP to 443, half UDP to
 * 53, 1-100 packets over 0-60 s.
 * --mix realistic: what a border router sees. Conversations between
 * 65,536 inside hosts (10.1.x.y) and 2^20 outside servers (TCP 443 and
 * 80; DNS and NTP go to 8 servers each), both drawn log-uniformly by rank
 * (Zipf-like, exponent 1: a few very busy hosts, a long tail); every TCP
 * conversation and 75 % of UDP ones are exported in both directions (the
 * reply record follows the request, so the two stitch); durations
 * mostly under a second (70 %), 25 % up to 10 s, 5 % up to 60 s; packets
 * heavy-tailed (1 to 8192). About 2 % of records are attack-like: one
 * source SYN-scanning inside hosts (ports 22, 23, 445) and a DNS
 * reflection flood (UDP from port 53 of many reflectors) against one
 * inside host.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PER_DGRAM 45
#define REC_LEN 30
#define T0 1767603600u

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static int realistic;

/* A rank from 0 to 2^bits - 1, log-uniform: each octave [2^e, 2^(e+1))
 * as likely as any other, so P(rank) falls as 1/rank (Zipf, exponent 1). */
static uint32_t zipf_rank(unsigned bits)
{
    unsigned e = rnd() % (bits + 1);
    return e ? (1u << (e - 1)) + rnd() % (1u << (e - 1)) : 0;
}

/* Spread ranks over the address block so busy hosts are not neighbours. */
static uint32_t scatter(uint32_t rank, unsigned bits)
{
    return (rank * 2654435761u) & ((1u << bits) - 1);
}

struct grec {
    uint32_t src, dst;
    unsigned sport, dport, proto, flags;
    uint32_t pkts, bytes, first_ms_ago, last_ms_ago;
};

/* The next record of the realistic mix; a conversation's reply record is
 * kept in *rev and comes next. */
static void realistic_record(struct grec *g, struct grec *rev, int *have_rev)
{
    if (*have_rev) {
        *g = *rev;
        *have_rev = 0;
        return;
    }
    uint32_t kind = rnd() % 1000;
    uint32_t last_ago = rnd() % 15000, dur;
    uint32_t d = rnd() % 100;
    dur = d < 70 ? rnd() % 1000 : d < 95 ? 1000 + rnd() % 9000 : 10000 + rnd() % 50000;
    if (kind < 10) {            /* the scanner: one SYN to an inside host */
        static const unsigned ports[] = {22, 23, 445};
        *g = (struct grec){.src = 0x2d210007u, .dst = 0x0a010000u | (rnd() & 0xffff),
                           .sport = 40000 + rnd() % 20000, .dport = ports[rnd() % 3],
                           .proto = 6, .flags = 0x02, .pkts = 1, .bytes = 44,
                           .first_ms_ago = last_ago, .last_ms_ago = last_ago};
        return;
    }
    if (kind < 20) {            /* DNS reflection: reflectors -> one inside victim */
        uint32_t pk = 20 + rnd() % 200;
        *g = (struct grec){.src = 0xc0000000u | (rnd() & 0xffffff), .dst = 0x0a01000au,
                           .sport = 53, .dport = 1024 + rnd() % 60000, .proto = 17,
                           .pkts = pk, .bytes = pk * (1200 + rnd() % 300),
                           .first_ms_ago = last_ago + 5000 + rnd() % 5000,
                           .last_ms_ago = last_ago};
        return;
    }
    uint32_t in = 0x0a010000u | scatter(zipf_rank(16), 16);
    uint32_t out = 0xcb000000u | scatter(zipf_rank(20), 20);
    uint32_t svc = rnd() % 100;
    unsigned dport = svc < 60 ? 443 : svc < 75 ? 80 : svc < 95 ? 53 : 123;
    unsigned proto = dport == 53 || dport == 123 ? 17 : 6;
    if (proto == 17)            /* a few resolvers and time servers */
        out = (dport == 53 ? 0x08080800u : 0xc0248000u) | rnd() % 8;
    uint32_t pk = proto == 17 ? 1 + rnd() % 2 : 1 + (zipf_rank(13) | 1) % 8192;
    *g = (struct grec){.src = in, .dst = out, .sport = 1024 + rnd() % 60000, .dport = dport,
                       .proto = proto, .flags = proto == 6 ? 0x1b : 0, .pkts = pk,
                       .bytes = pk * (60 + rnd() % 200),
                       .first_ms_ago = last_ago + dur, .last_ms_ago = last_ago};
    if (proto == 6 || rnd() % 100 < 75) {   /* the reply, the router's other direction */
        uint32_t rpk = proto == 6 ? pk - pk / 4 : pk;
        *rev = (struct grec){.src = out, .dst = in, .sport = dport, .dport = g->sport,
                             .proto = proto, .flags = g->flags, .pkts = rpk,
                             .bytes = rpk * (proto == 6 ? 1000 + rnd() % 400 : 80 + rnd() % 400),
                             .first_ms_ago = g->first_ms_ago - (dur > 2 ? 1 : 0),
                             .last_ms_ago = last_ago};
        *have_rev = 1;
    }
}

static size_t p16(uint8_t *b, size_t o, unsigned v)
{
    b[o] = (uint8_t)(v >> 8);
    b[o + 1] = (uint8_t)v;
    return o + 2;
}
static size_t p32(uint8_t *b, size_t o, uint32_t v)
{
    o = p16(b, o, v >> 16);
    return p16(b, o, v & 0xffff);
}

/* One v9 datagram into b (after room for 42 bytes of headers); returns its length. */
static size_t datagram(uint8_t *b, uint64_t seq, unsigned nrec, uint32_t secs)
{
    size_t o = 0;
    uint32_t uptime = 3600000 + (uint32_t)(seq % 1000);
    o = p16(b, o, 9);
    o = p16(b, o, nrec + (seq % 20 == 0));
    o = p32(b, o, uptime);
    o = p32(b, o, secs);
    o = p32(b, o, (uint32_t)seq);
    o = p32(b, o, 1);
    if (seq % 20 == 0) {
        static const unsigned f[][2] = {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1},
                                        {6, 1}, {2, 4}, {1, 4}, {22, 4}, {21, 4}};
        o = p16(b, o, 0);
        o = p16(b, o, 4 + 4 + 4 * 10);
        o = p16(b, o, 256);
        o = p16(b, o, 10);
        for (int i = 0; i < 10; i++) {
            o = p16(b, o, f[i][0]);
            o = p16(b, o, f[i][1]);
        }
    }
    size_t set = o;
    o = p16(b, o, 256);
    o = p16(b, o, 4 + nrec * REC_LEN);
    static struct grec rev;
    static int have_rev;
    for (unsigned i = 0; i < nrec; i++) {
        if (realistic) {
            struct grec g;
            realistic_record(&g, &rev, &have_rev);
            o = p32(b, o, g.src);
            o = p32(b, o, g.dst);
            o = p16(b, o, g.sport);
            o = p16(b, o, g.dport);
            b[o++] = (uint8_t)g.proto;
            b[o++] = (uint8_t)g.flags;
            o = p32(b, o, g.pkts);
            o = p32(b, o, g.bytes);
            o = p32(b, o, uptime - g.first_ms_ago);
            o = p32(b, o, uptime - g.last_ms_ago);
            continue;
        }
        uint32_t r = rnd();
        o = p32(b, o, 0x0a000000u | (r & 0xffff));
        o = p32(b, o, 0xc6330000u | (rnd() & 0xffff));
        o = p16(b, o, 1024 + (r >> 16) % 60000);
        o = p16(b, o, (r & 1) ? 443 : 53);
        b[o++] = (r & 1) ? 6 : 17;
        b[o++] = (r & 1) ? 0x1b : 0;
        uint32_t pk = 1 + rnd() % 100;
        o = p32(b, o, pk);
        o = p32(b, o, pk * (40 + rnd() % 1400));
        o = p32(b, o, uptime - 60000 + rnd() % 30000);
        o = p32(b, o, uptime - rnd() % 30000);
    }
    (void)set;
    return o;
}

static void frame_headers(uint8_t *f, size_t plen)
{
    static const uint8_t eth[14] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 8, 0};
    memcpy(f, eth, 14);
    uint8_t *ip = f + 14;
    memset(ip, 0, 28);
    ip[0] = 0x45;
    p16(ip, 2, (unsigned)(28 + plen));
    ip[8] = 64;
    ip[9] = 17;
    p32(ip, 12, 0x0a000001);
    p32(ip, 16, 0x0a000002);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    sum = (sum & 0xffff) + (sum >> 16);
    p16(ip, 10, ~sum & 0xffff);
    p16(ip, 20, 40000);
    p16(ip, 22, 2055);
    p16(ip, 24, (unsigned)(8 + plen));
}

int main(int argc, char **argv)
{
    uint64_t records = 1000000;
    const char *out = NULL, *send = NULL;
    long pps = 0;
    int bad = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--records"))
            records = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--seed"))
            rng ^= strtoull(argv[i + 1], NULL, 10) * 0x9e3779b97f4a7c15ull;
        else if (!strcmp(argv[i], "-o"))
            out = argv[i + 1];
        else if (!strcmp(argv[i], "--send"))
            send = argv[i + 1];
        else if (!strcmp(argv[i], "--pps"))
            pps = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--mix") && !strcmp(argv[i + 1], "realistic"))
            realistic = 1;
        else if (strcmp(argv[i], "--mix") || strcmp(argv[i + 1], "uniform"))
            bad = 1;
    }
    if (bad || !out == !send) {
        fprintf(stderr, "usage: genexport --records N [--seed S] [--mix uniform|realistic] "
                        "(-o FILE.pcap | --send ADDR:PORT [--pps N])\n");
        return 1;
    }
    FILE *f = NULL;
    int fd = -1;
    struct sockaddr_in sa = {.sin_family = AF_INET};
    if (out) {
        if (!(f = fopen(out, "wb")))
            return perror(out), 1;
        static const uint8_t gh[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
                                       0,    0,    0,    0,    0xff, 0xff, 0, 0, 1, 0, 0, 0};
        fwrite(gh, 1, sizeof(gh), f);
    } else {
        char host[64];
        const char *c = strrchr(send, ':');
        if (!c || (size_t)(c - send) >= sizeof(host))
            return 1;
        memcpy(host, send, (size_t)(c - send));
        host[c - send] = '\0';
        inet_pton(AF_INET, host, &sa.sin_addr);
        sa.sin_port = htons((uint16_t)atoi(c + 1));
        fd = socket(AF_INET, SOCK_DGRAM, 0);
        int big = 8 << 20;
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    }
    uint8_t fr[42 + 1500];
    uint64_t seq = 0, done = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (done < records) {
        unsigned n = records - done < PER_DGRAM ? (unsigned)(records - done) : PER_DGRAM;
        uint32_t secs = T0 + (uint32_t)(seq / 100);
        size_t len = datagram(fr + 42, seq, n, secs);
        if (f) {
            frame_headers(fr, len);
            uint8_t rh[16];
            p32(rh, 0, 0);
            uint32_t ts = secs, us = (uint32_t)(seq % 100) * 10000;
            memcpy(rh, &ts, 4);
            memcpy(rh + 4, &us, 4);
            uint32_t cl = (uint32_t)(42 + len);
            memcpy(rh + 8, &cl, 4);
            memcpy(rh + 12, &cl, 4);
            fwrite(rh, 1, 16, f);
            fwrite(fr, 1, cl, f);
        } else {
            sendto(fd, fr + 42, len, 0, (struct sockaddr *)&sa, sizeof(sa));
            if (pps && seq % 64 == 63) {   /* pace: sleep until on schedule */
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                double el =
                    (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
                double want = (double)(seq + 1) / (double)pps;
                if (want > el) {
                    struct timespec d = {.tv_sec = (time_t)(want - el),
                                         .tv_nsec = (long)((want - el - (time_t)(want - el)) * 1e9)};
                    nanosleep(&d, NULL);
                }
            }
        }
        done += n;
        seq++;
    }
    fprintf(stderr, "genexport: %llu records in %llu datagrams\n", (unsigned long long)done,
            (unsigned long long)seq);
    if (f && fclose(f) != 0)
        return 1;
    if (fd >= 0)
        close(fd);
    return 0;
}
