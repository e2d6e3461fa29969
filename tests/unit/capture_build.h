/*
 * capture_build.h - captures written byte by byte for the reader's unit
 * tests (test_pcap_src.c, test_pcap_batch.c): a byte builder, classic pcap
 * and pcapng writers, temporary files, frame checks and an error log for
 * asc_merge_next's callback. Test-only.
 */
#ifndef ASC_CAPTURE_BUILD_H
#define ASC_CAPTURE_BUILD_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "source/pcap_src.h"

/* ------------------------------------------------------------------ */
/* Byte builder                                                        */
/* ------------------------------------------------------------------ */

struct bb {
    uint8_t d[16384];
    size_t n;
    bool be;    /* byte order of multi-byte writes */
    size_t blk; /* start of the open pcapng block */
};

static inline void put8(struct bb *b, uint8_t v)
{
    if (b->n < sizeof(b->d))
        b->d[b->n++] = v;
}

static inline void put16(struct bb *b, uint16_t v)
{
    put8(b, (uint8_t)(b->be ? v >> 8 : v));
    put8(b, (uint8_t)(b->be ? v : v >> 8));
}

static inline void put32(struct bb *b, uint32_t v)
{
    put16(b, (uint16_t)(b->be ? v >> 16 : v));
    put16(b, (uint16_t)(b->be ? v : v >> 16));
}

static inline void put64(struct bb *b, uint64_t v)
{
    put32(b, (uint32_t)(b->be ? v >> 32 : v));
    put32(b, (uint32_t)(b->be ? v : v >> 32));
}

static inline void putn(struct bb *b, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(b, ((const uint8_t *)p)[i]);
}

static inline void pad4(struct bb *b)
{
    while (b->n % 4)
        put8(b, 0);
}

static inline void set32(struct bb *b, size_t at, uint32_t v)
{
    size_t keep = b->n;
    b->n = at;
    put32(b, v);
    b->n = keep;
}

/* A frame's bytes: tag in every byte so tests can tell frames apart. */
static inline void frame_bytes(uint8_t *p, size_t n, uint8_t tag)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(tag + i);
}

/* ------------------------------------------------------------------ */
/* Writers                                                             */
/* ------------------------------------------------------------------ */

static inline void pcap_hdr(struct bb *b, bool nano, int linktype)
{
    put32(b, nano ? 0xA1B23C4Du : 0xA1B2C3D4u);
    put16(b, 2);
    put16(b, 4);
    put32(b, 0);
    put32(b, 0);
    put32(b, 65535);
    put32(b, (uint32_t)linktype);
}

static inline void pcap_rec(struct bb *b, uint32_t sec, uint32_t frac, uint32_t caplen,
                            uint32_t wirelen,
                     uint8_t tag)
{
    uint8_t data[2048];
    frame_bytes(data, caplen, tag);
    put32(b, sec);
    put32(b, frac);
    put32(b, caplen);
    put32(b, wirelen);
    putn(b, data, caplen);
}

static inline void blk_begin(struct bb *b, uint32_t type)
{
    b->blk = b->n;
    put32(b, type);
    put32(b, 0);
}

static inline void blk_end(struct bb *b)
{
    pad4(b);
    uint32_t len = (uint32_t)(b->n - b->blk + 4);
    put32(b, len);
    set32(b, b->blk + 4, len);
}

static inline void ng_shb(struct bb *b, bool be)
{
    b->be = be;
    blk_begin(b, 0x0A0D0D0Au);
    put32(b, 0x1A2B3C4Du);
    put16(b, 1);
    put16(b, 0);
    put64(b, UINT64_MAX);
    blk_end(b);
}

/* tsresol < 0: no option; tsoffset != 0: if_tsoffset option. */
static inline void ng_idb(struct bb *b, uint16_t linktype, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
    blk_begin(b, 1);
    put16(b, linktype);
    put16(b, 0);
    put32(b, snaplen);
    if (tsresol >= 0) {
        put16(b, 9);
        put16(b, 1);
        put8(b, (uint8_t)tsresol);
        pad4(b);
    }
    if (tsoffset) {
        put16(b, 14);
        put16(b, 8);
        put64(b, (uint64_t)tsoffset);
    }
    put16(b, 0);
    put16(b, 0);
    blk_end(b);
}

static inline void ng_epb(struct bb *b, uint32_t ifid, uint64_t ticks, uint32_t caplen, uint8_t tag)
{
    uint8_t data[2048];
    frame_bytes(data, caplen, tag);
    blk_begin(b, 6);
    put32(b, ifid);
    put32(b, (uint32_t)(ticks >> 32));
    put32(b, (uint32_t)ticks);
    put32(b, caplen);
    put32(b, caplen + 100);
    putn(b, data, caplen);
    blk_end(b);
}

static inline void ng_spb(struct bb *b, uint32_t wirelen, uint32_t stored, uint8_t tag)
{
    uint8_t data[2048];
    frame_bytes(data, stored, tag);
    blk_begin(b, 3);
    put32(b, wirelen);
    putn(b, data, stored);
    blk_end(b);
}

static inline void ng_other(struct bb *b, uint32_t type)
{
    blk_begin(b, type);
    put32(b, 0xdeadbeef);
    blk_end(b);
}

static inline char *tmp_path(const char *tag)
{
    static char path[8][256];
    static unsigned slot;
    char *p = path[slot++ % 8];
    snprintf(p, sizeof(path[0]), "/tmp/asc_test_pcap_%ld_%s", (long)getpid(), tag);
    return p;
}

static inline const char *write_file(const char *tag, const void *p, size_t n)
{
    char *path = tmp_path(tag);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    fclose(f);
    return path;
}


/* ------------------------------------------------------------------ */
/* Frame checks and errors                                             */
/* ------------------------------------------------------------------ */

static inline bool frame_is(const struct asc_frame *fr, uint32_t caplen, uint8_t tag)
{
    if (fr->caplen != caplen)
        return false;
    for (uint32_t i = 0; i < caplen; i++)
        if (fr->data[i] != (uint8_t)(tag + i))
            return false;
    return true;
}

/* A classic pcap of three records: header 0..24, then 24..140, 140..206
 * and 206..292 (the damage tests cut it at chosen offsets). */
static inline void three_records(struct bb *b)
{
    pcap_hdr(b, false, 1);
    pcap_rec(b, 1, 0, 100, 100, 1);
    pcap_rec(b, 2, 0, 50, 50, 2);
    pcap_rec(b, 3, 0, 70, 70, 3);
}

/* three_records() cut at `cut` bytes: frames still read before the damage,
 * and the byte offset the error names (UINT64_MAX: a clean end). */
struct cut_case {
    size_t cut;
    unsigned good;
    uint64_t off;
};
static const struct cut_case three_record_cuts[] = {
    {24, 0, UINT64_MAX},  {25, 0, 24},          {39, 0, 24},   {40, 0, 24},
    {139, 0, 24},         {140, 1, UINT64_MAX}, {145, 1, 140}, {156, 1, 140},
    {205, 1, 140},        {206, 2, UINT64_MAX}, {207, 2, 206}, {291, 2, 206},
    {292, 3, UINT64_MAX},
};

struct err_log {
    unsigned calls;
    char last[256];
};

static inline void on_err(void *ctx, const struct asc_err *err)
{
    struct err_log *l = ctx;
    l->calls++;
    snprintf(l->last, sizeof(l->last), "%s", err->msg);
}

#endif
