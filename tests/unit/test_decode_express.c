/*
 * test_decode_express.c - the decoder's express lane (src/decode/express.c)
 * against the general state machine.
 *
 * Every frame is decoded twice, express lane on and off, and the two
 * packets must be identical: the header and every IP layer found, byte for
 * byte. Inputs: every capture under $ASCRIBE_DATA (the attack and benign
 * captures, the peers' test traces and the malformed corpus), then
 * generated frames -- Ethernet IPv4/IPv6 with TCP, UDP and ICMP, each cut
 * at every length and with every byte of its link, IP and transport
 * headers set to a spread of values (lengths, versions, fragment bits,
 * next headers), so every check the lane makes is crossed both ways.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <pcap/pcap.h>
#include <stddef.h>
#include <sys/stat.h>

#include "decode/decode.h"
#include "harness.h"
#include "testdata.h"

#define MAX_FILE_BYTES (200u << 20)

struct totals {
    uint64_t files, frames, mismatches;
};

static struct totals tot;

/* Same packet? Header up to the layers, then each layer found. */
static const char *pkt_diff(const struct asc_pkt *a, const struct asc_pkt *b)
{
    if (memcmp(a, b, offsetof(struct asc_pkt, ipl)) != 0)
        return "header";
    for (unsigned i = 0; i < a->n_ipl && i < ASC_MAX_IPL; i++)
        if (memcmp(&a->ipl[i], &b->ipl[i], sizeof(a->ipl[i])) != 0)
            return "layer";
    return NULL;
}

/* Decode one frame both ways; report the first few mismatches. */
static void both_ways(int dlt, const uint8_t *d, uint32_t caplen, const char *what, uint64_t no)
{
    static struct asc_pkt a, b;
    memset(&a, 0xa5, sizeof(a));
    memset(&b, 0x5a, sizeof(b));
    asc_decode(&a, dlt, d, caplen, caplen, 7);
    asc_decode_general(&b, dlt, d, caplen, caplen, 7);
    tot.frames++;
    const char *diff = pkt_diff(&a, &b);
    if (diff) {
        if (tot.mismatches++ < 10)
            fprintf(stderr, "  %s frame %llu (caplen %u): %s differs (status %u/%u reason %u/%u)\n",
                    what, (unsigned long long)no, caplen, diff, a.status, b.status, a.reason,
                    b.reason);
    }
}

static int one_capture(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type != FTW_F || st->st_size > (off_t)MAX_FILE_BYTES)
        return 0;
    const char *dot = strrchr(path, '.');
    if (!dot || (strcmp(dot, ".pcap") && strcmp(dot, ".pcapng") && strcmp(dot, ".cap")))
        return 0;
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, eb);
    if (!pc)
        return 0; /* the malformed corpus has files libpcap refuses */
    tot.files++;
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t no = 0;
    while (pcap_next_ex(pc, &h, &d) == 1)
        both_ways(pcap_datalink(pc), d, h->caplen, path, ++no);
    pcap_close(pc);
    return 0;
}

static void test_shared_captures(void)
{
    char buf[4096];
    const char *root = td_path("", buf, sizeof(buf));
    if (!root)
        return;
    struct totals before = tot;
    CHECK(nftw(root, one_capture, 16, FTW_PHYS) == 0);
    printf("# %llu captures, %llu frames, %llu mismatches\n",
           (unsigned long long)(tot.files - before.files),
           (unsigned long long)(tot.frames - before.frames),
           (unsigned long long)(tot.mismatches - before.mismatches));
    CHECK(tot.files - before.files > 500);
    CHECK(tot.frames - before.frames > 100000);
    CHECK_EQ_U(tot.mismatches - before.mismatches, 0);
}

/* ---- generated frames ---- */

static size_t put16(uint8_t *b, size_t at, uint16_t v)
{
    b[at] = (uint8_t)(v >> 8);
    b[at + 1] = (uint8_t)v;
    return at + 2;
}

/* Ethernet + IPv4 (ihl 5 or 6) or IPv6, then `proto` with a 20-byte
 * header-ish body and a few payload bytes. Returns the frame length. */
static size_t gen_frame(uint8_t *b, int ipver, int ihl_words, uint8_t proto)
{
    memset(b, 0, 128);
    size_t o = 12;
    o = put16(b, o, ipver == 4 ? 0x0800 : 0x86dd);
    size_t l3 = o, l4;
    if (ipver == 4) {
        b[o] = (uint8_t)(0x40 | ihl_words);
        l4 = o + (size_t)ihl_words * 4;
        put16(b, o + 2, (uint16_t)(l4 - l3 + 28));
        put16(b, o + 4, 0x1234);
        b[o + 8] = 64;
        b[o + 9] = proto;
        memcpy(b + o + 12, "\xc0\x00\x02\x01\xc6\x33\x64\x07", 8);
    } else {
        b[o] = 0x60;
        put16(b, o + 4, 28);
        b[o + 6] = proto;
        b[o + 7] = 64;
        b[o + 8] = 0x20;
        b[o + 9] = 0x01;
        b[o + 24] = 0x20;
        b[o + 25] = 0x01;
        b[o + 39] = 2;
        l4 = o + 40;
    }
    put16(b, l4, 40000);
    put16(b, l4 + 2, proto == 17 ? 53 : 443);
    if (proto == 17)
        put16(b, l4 + 4, 28);
    else
        b[l4 + 12] = 0x50;
    b[l4 + 13] = 0x12;
    return l4 + 28;
}

/* Values that cross the lane's checks: zero, small, around the header
 * sizes, version nibbles, fragment and DF bits, extension next headers. */
static const uint8_t probe_vals[] = {0x00, 0x01, 0x05, 0x06, 0x0f, 0x11, 0x14, 0x20, 0x2b, 0x2c,
                                     0x33, 0x3a, 0x3c, 0x40, 0x45, 0x46, 0x4f, 0x60, 0x81, 0x86,
                                     0x87, 0x8b, 0x8c, 0xdd, 0xe0, 0xff};

static void test_generated_frames(void)
{
    static const struct {
        int ipver, ihl;
        uint8_t proto;
    } shapes[] = {{4, 5, 6}, {4, 6, 6}, {4, 5, 17}, {4, 5, 1}, {4, 5, 47}, {6, 0, 6},
                  {6, 0, 17}, {6, 0, 58}, {6, 0, 0}, {6, 0, 44}, {4, 5, 41}, {6, 0, 4}};
    struct totals before = tot;
    uint8_t f[128], m[128];
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        size_t n = gen_frame(f, shapes[s].ipver, shapes[s].ihl, shapes[s].proto);
        for (size_t cut = 0; cut <= n; cut++) {
            /* exact-size heap copy: ASan sees any read past the frame */
            uint8_t *h = malloc(cut ? cut : 1);
            memcpy(h, f, cut);
            both_ways(1, h, (uint32_t)cut, "cut", s * 1000 + cut);
            free(h);
        }
        for (size_t at = 12; at < n; at++) {
            for (size_t v = 0; v < sizeof(probe_vals); v++) {
                memcpy(m, f, n);
                m[at] = probe_vals[v];
                both_ways(1, m, (uint32_t)n, "mutated", s * 100000 + at * 100 + v);
            }
        }
    }
    printf("# %llu generated frames\n", (unsigned long long)(tot.frames - before.frames));
    CHECK(tot.frames - before.frames > 10000);
    CHECK_EQ_U(tot.mismatches - before.mismatches, 0);
}

/* The lane must not change what a frame it declines looks like either:
 * an 802.1Q-tagged frame goes the general way and keeps its VLAN id. */
static void test_vlan_declined(void)
{
    uint8_t f[128], v[132];
    size_t n = gen_frame(f, 4, 5, 6);
    memcpy(v, f, 12);
    put16(v, 12, 0x8100);
    put16(v, 14, 42);
    memcpy(v + 16, f + 12, n - 12);
    struct asc_pkt p;
    asc_decode(&p, 1, v, (uint32_t)(n + 4), (uint32_t)(n + 4), 1);
    CHECK_EQ_U(p.status, ASC_DEC_OK);
    CHECK_EQ_U(p.n_vlan, 1);
    CHECK_EQ_U(p.vlan[0], 42);
    CHECK_EQ_U(p.ipl[0].l3_off, 18);
    CHECK_EQ_U(p.ipl[0].sport, 40000);
}

TEST_MAIN(T(test_generated_frames), T(test_vlan_declined), T(test_shared_captures))
