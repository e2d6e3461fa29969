/*
 * genexport.c - benchmark generator of NetFlow v9 export traffic: N flow
 * records in datagrams of 45, with the template resent every 20 datagrams,
 * written as a pcap of Ethernet/IPv4/UDP frames (exporter 10.0.0.1 ->
 * 10.0.0.2:2055) or sent to a UDP collector. Tool code, not product; libc
 * only. Used by bench/run (flow-input section).
 *
 *   genexport --records N [--seed S] -o FILE.pcap
 *   genexport --records N [--seed S] --send 127.0.0.1:PORT [--pps N]
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
    for (unsigned i = 0; i < nrec; i++) {
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
    }
    if (!out == !send) {
        fprintf(stderr, "usage: genexport --records N [--seed S] "
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
