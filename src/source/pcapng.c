/*
 * pcapng.c - pcapng block reader (draft-ietf-opsawg-pcapng), own code.
 *
 * Used by pcap_src.c for EVERY pcapng input, not only as a fallback:
 * libpcap 1.10 stops at the first interface whose link type differs from
 * the first one, and a reader cannot switch to us mid-stream (libpcap keeps
 * the section and interface state private), so we read all pcapng here and
 * leave classic pcap to libpcap.
 *
 * Handled: Section Header Blocks in both byte orders, with section restarts
 * (a new SHB resets the interface list); Interface Description Blocks with
 * if_tsresol (power of 10 or of 2) and if_tsoffset; Enhanced, Simple (uses
 * interface 0 and carries no timestamp: we reuse the last one seen) and
 * obsolete Packet Blocks. Every other block is skipped.
 *
 * Invariants: every read is bounded by the block length; a block longer
 * than ASC_PCAPNG_MAX_BLOCK, shorter than its fixed part, not a multiple of
 * 4, or whose trailing length differs from the leading one is corruption.
 * The buffer grows only as bytes actually arrive, so a lying length field
 * cannot make us allocate more than the input holds (plus one chunk).
 * Link types are LINKTYPE_* values mapped to the local DLT_* as libpcap does
 * (only RAW and ATM_RFC1483 differ on Linux). Pseudo-headers are not
 * byte-swapped (libpcap does so for a few link types we do not decode).
 */
#include "source/pcapng.h"

#include <pcap/dlt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"

#define NG_BT_SHB 0x0A0D0D0Au
#define NG_BT_IDB 1u
#define NG_BT_OPB 2u
#define NG_BT_SPB 3u
#define NG_BT_EPB 6u
#define NG_BOM 0x1A2B3C4Du
#define NG_OPT_END 0u
#define NG_OPT_TSRESOL 9u
#define NG_OPT_TSOFFSET 14u
#define NG_LT_ATM_RFC1483 100
#define NG_LT_RAW 101
#define NG_CHUNK (1u << 20)

struct ng_iface {
    int linktype; /* DLT_* */
    uint32_t snaplen;
    uint64_t units;   /* timestamp ticks per second */
    int64_t tsoffset; /* seconds added to every timestamp */
};

struct asc_pcapng {
    asc_pcapng_read_fn rd;
    void *ctx;
    uint64_t consumed; /* bytes taken from rd */
    uint64_t blk_off;  /* start of the block being read */
    bool be;           /* current section is big-endian */
    bool done;         /* clean end or error seen */
    uint8_t *buf;      /* block body: after type+length, before trailer */
    size_t cap;
    struct ng_iface *ifs;
    size_t nif, ifcap;
    asc_time last_ts;
};

/* ------------------------------------------------------------------ */
/* Byte access                                                         */
/* ------------------------------------------------------------------ */

static uint16_t ng_u16(struct asc_cursor *c, bool be)
{
    return be ? asc_cur_be16(c) : asc_cur_le16(c);
}

static uint32_t ng_u32(struct asc_cursor *c, bool be)
{
    return be ? asc_cur_be32(c) : asc_cur_le32(c);
}

static uint64_t ng_u64(struct asc_cursor *c, bool be)
{
    uint64_t a = ng_u32(c, be), b = ng_u32(c, be);
    return be ? (a << 32) | b : (b << 32) | a;
}

static uint32_t ng_load32(const uint8_t *q, bool be)
{
    struct asc_cursor c;
    asc_cur_init(&c, q, 4);
    return ng_u32(&c, be);
}

static size_t ng_read(struct asc_pcapng *r, void *buf, size_t n)
{
    size_t got = n ? r->rd(r->ctx, buf, n) : 0;
    if (got > n)
        got = n;
    r->consumed += got;
    return got;
}

/* Records damage in the current block; the message carries no file name
 * (pcap_src.c adds it) and err->offset is the start of the block. */
__attribute__((format(printf, 4, 5))) static int ng_fail(struct asc_pcapng *r, struct asc_err *err,
                                                         int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        err->offset = r->blk_off;
    }
    return code;
}

/* ------------------------------------------------------------------ */
/* Block framing                                                       */
/* ------------------------------------------------------------------ */

/* Reads `len` body bytes into r->buf at `at`, growing as data arrives. */
static int ng_read_body(struct asc_pcapng *r, size_t at, size_t len, struct asc_err *err)
{
    size_t have = 0;
    while (have < len) {
        size_t want = ASC_MIN(len - have, (size_t)NG_CHUNK);
        if (at + have + want > r->cap) {
            size_t ncap =
                ASC_MIN(ASC_MAX(r->cap * 2, at + have + want), (size_t)ASC_PCAPNG_MAX_BLOCK);
            uint8_t *nb = realloc(r->buf, ncap);
            if (!nb)
                return ng_fail(r, err, ASC_ENOMEM, "out of memory for a block of %zu bytes", ncap);
            r->buf = nb;
            r->cap = ncap;
        }
        size_t got = ng_read(r, r->buf + at + have, want);
        have += got;
        if (got < want)
            return ng_fail(r, err, ASC_ETRUNC, "truncated block: %zu of %zu bytes missing",
                           len - have, len);
    }
    return 0;
}

/* Byte order from an SHB's byte-order magic (first 4 body bytes). */
static int ng_section_order(struct asc_pcapng *r, const uint8_t *bom, struct asc_err *err)
{
    if (ng_load32(bom, false) == NG_BOM)
        r->be = false;
    else if (ng_load32(bom, true) == NG_BOM)
        r->be = true;
    else
        return ng_fail(r, err, ASC_EFORMAT, "bad byte-order magic 0x%08x in section header",
                       (unsigned)ng_load32(bom, true));
    return 0;
}

/* Reads one whole block; *body_len excludes header and trailer.
 * Returns 1 with a block, 0 at clean end of input, negative on damage. */
static int ng_read_block(struct asc_pcapng *r, uint32_t *type, size_t *body_len,
                         struct asc_err *err)
{
    uint8_t hdr[8], trl[4];
    r->blk_off = r->consumed;
    size_t got = ng_read(r, hdr, sizeof(hdr));
    if (got == 0)
        return 0;
    if (got < sizeof(hdr))
        return ng_fail(r, err, ASC_ETRUNC, "truncated block header: %zu of 8 bytes", got);
    *type = ng_load32(hdr, r->be);
    size_t pre = 0;
    if (*type == NG_BT_SHB) {
        int rc = ng_read_body(r, 0, 4, err);
        if (rc < 0)
            return rc;
        if ((rc = ng_section_order(r, r->buf, err)) < 0)
            return rc;
        pre = 4;
    }
    uint32_t len = ng_load32(hdr + 4, r->be);
    if (len < 12 + pre || len % 4 != 0 || len > ASC_PCAPNG_MAX_BLOCK)
        return ng_fail(r, err, ASC_EFORMAT, "bad block length %u", (unsigned)len);
    *body_len = len - 12;
    int rc = ng_read_body(r, pre, *body_len - pre, err);
    if (rc < 0)
        return rc;
    if (ng_read(r, trl, 4) < 4)
        return ng_fail(r, err, ASC_ETRUNC, "truncated block trailer (block length %u)",
                       (unsigned)len);
    if (ng_load32(trl, r->be) != len)
        return ng_fail(r, err, ASC_EFORMAT, "trailing block length %u differs from %u",
                       (unsigned)ng_load32(trl, r->be), (unsigned)len);
    return 1;
}

/* ------------------------------------------------------------------ */
/* Block contents                                                      */
/* ------------------------------------------------------------------ */

static int ng_shb(struct asc_pcapng *r, size_t blen, struct asc_err *err)
{
    struct asc_cursor c;
    asc_cur_init(&c, r->buf, blen);
    asc_cur_skip(&c, 4);
    uint16_t major = ng_u16(&c, r->be), minor = ng_u16(&c, r->be);
    asc_cur_skip(&c, 8); /* section length: not needed to read forward */
    if (c.bad)
        return ng_fail(r, err, ASC_EFORMAT, "section header too short (%zu bytes)", blen);
    if (major != 1)
        return ng_fail(r, err, ASC_ENOTSUP, "unsupported pcapng version %u.%u", (unsigned)major,
                       (unsigned)minor);
    r->nif = 0;
    return 0;
}

/* if_tsresol: high bit clear = 10^-v s, set = 2^-(v&0x7f) s. */
static int ng_tsresol(struct asc_pcapng *r, uint8_t v, uint64_t *units, struct asc_err *err)
{
    unsigned e = v & 0x7f;
    bool pow2 = (v & 0x80) != 0;
    if ((pow2 && e > 63) || (!pow2 && e > 19))
        return ng_fail(r, err, ASC_ENOTSUP, "if_tsresol 0x%02x out of range", (unsigned)v);
    uint64_t u = 1;
    for (unsigned i = 0; i < e; i++)
        u = pow2 ? u * 2 : u * 10;
    *units = u;
    return 0;
}

static int ng_idb_options(struct asc_pcapng *r, struct asc_cursor *c, struct ng_iface *ifc,
                          struct asc_err *err)
{
    while (asc_cur_left(c) >= 4) {
        uint16_t code = ng_u16(c, r->be), olen = ng_u16(c, r->be);
        size_t padded = ((size_t)olen + 3u) & ~(size_t)3u;
        if (code == NG_OPT_END)
            break;
        if (!asc_cur_has(c, padded))
            return ng_fail(r, err, ASC_EFORMAT, "option %u overruns its block", (unsigned)code);
        struct asc_cursor v;
        asc_cur_init(&v, asc_cur_ptr(c), olen);
        if (code == NG_OPT_TSRESOL) {
            if (olen != 1)
                return ng_fail(r, err, ASC_EFORMAT, "bad if_tsresol length %u", (unsigned)olen);
            int rc = ng_tsresol(r, asc_cur_u8(&v), &ifc->units, err);
            if (rc < 0)
                return rc;
        } else if (code == NG_OPT_TSOFFSET) {
            if (olen != 8)
                return ng_fail(r, err, ASC_EFORMAT, "bad if_tsoffset length %u", (unsigned)olen);
            ifc->tsoffset = (int64_t)ng_u64(&v, r->be);
        }
        asc_cur_skip(c, padded);
    }
    return 0;
}

static int ng_linktype_to_dlt(uint16_t lt)
{
    if (lt == NG_LT_RAW)
        return DLT_RAW;
    if (lt == NG_LT_ATM_RFC1483)
        return DLT_ATM_RFC1483;
    return lt;
}

static int ng_idb(struct asc_pcapng *r, size_t blen, struct asc_err *err)
{
    struct asc_cursor c;
    struct ng_iface ifc = {.units = 1000000};
    asc_cur_init(&c, r->buf, blen);
    uint16_t lt = ng_u16(&c, r->be);
    asc_cur_skip(&c, 2);
    ifc.snaplen = ng_u32(&c, r->be);
    if (c.bad)
        return ng_fail(r, err, ASC_EFORMAT, "interface block too short (%zu bytes)", blen);
    ifc.linktype = ng_linktype_to_dlt(lt);
    int rc = ng_idb_options(r, &c, &ifc, err);
    if (rc < 0)
        return rc;
    if (r->nif >= ASC_PCAPNG_MAX_IFACES)
        return ng_fail(r, err, ASC_EFORMAT, "more than %u interfaces in a section",
                       ASC_PCAPNG_MAX_IFACES);
    if (r->nif == r->ifcap) {
        size_t ncap = r->ifcap ? r->ifcap * 2 : 4;
        struct ng_iface *n = realloc(r->ifs, ncap * sizeof(*n));
        if (!n)
            return ng_fail(r, err, ASC_ENOMEM, "out of memory for %zu interfaces", ncap);
        r->ifs = n;
        r->ifcap = ncap;
    }
    r->ifs[r->nif++] = ifc;
    return 0;
}

/* Ticks since the epoch to ns, saturating at the ends of asc_time. */
static asc_time ng_ts(const struct ng_iface *ifc, uint64_t ticks)
{
    __extension__ typedef __int128 i128;
    uint64_t sec = ticks / ifc->units, frac = ticks % ifc->units;
    i128 ns = ((i128)frac * ASC_NS_PER_SEC) / (i128)ifc->units;
    i128 t = ((i128)sec + ifc->tsoffset) * ASC_NS_PER_SEC + ns;
    if (t > INT64_MAX)
        return INT64_MAX;
    if (t < INT64_MIN)
        return INT64_MIN;
    return (asc_time)t;
}

static const struct ng_iface *ng_iface_get(struct asc_pcapng *r, uint32_t id, struct asc_err *err)
{
    if (id >= r->nif) {
        ng_fail(r, err, ASC_EFORMAT, "packet on undeclared interface %u", (unsigned)id);
        return NULL;
    }
    return &r->ifs[id];
}

/* Enhanced (EPB) and obsolete (OPB) packet blocks share one layout but for
 * the interface id width. */
static int ng_packet(struct asc_pcapng *r, uint32_t type, size_t blen, struct asc_frame *fr,
                     struct asc_err *err)
{
    struct asc_cursor c;
    asc_cur_init(&c, r->buf, blen);
    uint32_t id = type == NG_BT_OPB ? ng_u16(&c, r->be) : ng_u32(&c, r->be);
    if (type == NG_BT_OPB)
        asc_cur_skip(&c, 2); /* drops count */
    uint32_t hi = ng_u32(&c, r->be), lo = ng_u32(&c, r->be);
    uint32_t caplen = ng_u32(&c, r->be), wirelen = ng_u32(&c, r->be);
    if (c.bad)
        return ng_fail(r, err, ASC_EFORMAT, "packet block too short (%zu bytes)", blen);
    if (caplen > asc_cur_left(&c))
        return ng_fail(r, err, ASC_EFORMAT, "captured length %u overruns its block",
                       (unsigned)caplen);
    const struct ng_iface *ifc = ng_iface_get(r, id, err);
    if (!ifc)
        return err ? err->code : ASC_EFORMAT;
    r->last_ts = ng_ts(ifc, ((uint64_t)hi << 32) | lo);
    fr->ts = r->last_ts;
    fr->caplen = caplen;
    fr->wirelen = wirelen;
    fr->data = asc_cur_ptr(&c);
    fr->linktype = ifc->linktype;
    return 1;
}

static int ng_simple(struct asc_pcapng *r, size_t blen, struct asc_frame *fr, struct asc_err *err)
{
    struct asc_cursor c;
    asc_cur_init(&c, r->buf, blen);
    uint32_t wirelen = ng_u32(&c, r->be);
    if (c.bad)
        return ng_fail(r, err, ASC_EFORMAT, "simple packet block too short (%zu bytes)", blen);
    const struct ng_iface *ifc = ng_iface_get(r, 0, err);
    if (!ifc)
        return err ? err->code : ASC_EFORMAT;
    size_t caplen = ASC_MIN((size_t)wirelen, asc_cur_left(&c));
    if (ifc->snaplen)
        caplen = ASC_MIN(caplen, (size_t)ifc->snaplen);
    fr->ts = r->last_ts;
    fr->caplen = (uint32_t)caplen;
    fr->wirelen = wirelen;
    fr->data = asc_cur_ptr(&c);
    fr->linktype = ifc->linktype;
    return 1;
}

/* 1: frame; 0: block consumed, no frame; negative: damage. */
static int ng_dispatch(struct asc_pcapng *r, uint32_t type, size_t blen, struct asc_frame *fr,
                       struct asc_err *err)
{
    switch (type) {
    case NG_BT_SHB:
        return ng_shb(r, blen, err);
    case NG_BT_IDB:
        return ng_idb(r, blen, err);
    case NG_BT_EPB:
    case NG_BT_OPB:
        return ng_packet(r, type, blen, fr, err);
    case NG_BT_SPB:
        return ng_simple(r, blen, fr, err);
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------ */
/* Public interface                                                    */
/* ------------------------------------------------------------------ */

int asc_pcapng_new(asc_pcapng_read_fn rd, void *ctx, struct asc_pcapng **out, struct asc_err *err)
{
    *out = NULL;
    struct asc_pcapng *r = calloc(1, sizeof(*r));
    if (!r)
        return asc_err_set(err, ASC_ENOMEM, "out of memory");
    r->rd = rd;
    r->ctx = ctx;
    uint32_t type = 0;
    size_t blen = 0;
    int rc = ng_read_block(r, &type, &blen, err);
    if (rc == 0 || (rc > 0 && type != NG_BT_SHB))
        rc = asc_err_set(err, ASC_EFORMAT, "not a pcapng file (no section header block)");
    if (rc > 0)
        rc = ng_shb(r, blen, err);
    if (rc < 0) {
        asc_pcapng_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int asc_pcapng_next(struct asc_pcapng *r, struct asc_frame *fr, struct asc_err *err)
{
    if (!r || r->done)
        return 0;
    for (;;) {
        uint32_t type = 0;
        size_t blen = 0;
        int rc = ng_read_block(r, &type, &blen, err);
        if (rc > 0)
            rc = ng_dispatch(r, type, blen, fr, err);
        else
            r->done = true; /* clean end (0) or damage (< 0) */
        if (rc < 0)
            r->done = true;
        if (rc != 0 || r->done)
            return rc;
    }
}

uint64_t asc_pcapng_offset(const struct asc_pcapng *r)
{
    return r ? r->consumed : 0;
}

void asc_pcapng_free(struct asc_pcapng *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r->ifs);
    free(r);
}
