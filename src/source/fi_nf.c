/*
 * fi_nf.c - NetFlow v5, NetFlow v9 and IPFIX message walkers.
 *
 * Source stage, flow-record side (see flowin.h). References:
 *   NetFlow v5: Cisco "NetFlow Export Datagram Format" (24-byte header,
 *     48-byte records, at most 30 per datagram).
 *   NetFlow v9: RFC 3954 (20-byte header; FlowSet id 0 templates, 1 options
 *     templates, >= 256 data; times in milliseconds of sysUpTime).
 *   IPFIX: RFC 7011 (16-byte header whose length covers the message; Set id
 *     2 templates, 3 options templates, >= 256 data).
 * Every read goes through the bounded cursor; a set whose length runs past
 * the message is counted and ends the message, never read.
 */
#include <string.h>

#include "source/fi_internal.h"

/* ---- header sanity, for finding exports in captures ---- */

bool fi_nf5_sane(const uint8_t *p, size_t len)
{
    if (len < 24 || asc_load_be16(p) != 5)
        return false;
    uint16_t n = asc_load_be16(p + 2);
    return n >= 1 && n <= 30 && len >= 24u + 48u * n && len < 24u + 48u * (n + 1u);
}

/* Walks sets/flowsets from off; the ids 2..255 (v9) or 4..255 and 0..1
 * (IPFIX) are reserved. strict: every set must fit exactly. */
static bool sets_sane(const uint8_t *p, size_t len, size_t off, bool ipfix, bool strict)
{
    size_t nsets = 0;
    while (off + 4 <= len) {
        uint16_t id = asc_load_be16(p + off), sl = asc_load_be16(p + off + 2);
        bool ok_id = ipfix ? (id == 2 || id == 3 || id >= 256) : (id <= 1 || id >= 256);
        if (!ok_id || sl < 4 || sl > len - off)
            return false;
        nsets++;
        if (!strict)
            return true;
        off += sl;
    }
    return nsets > 0 && (ipfix ? off == len : len - off < 4);
}

bool fi_nf9_sane(const uint8_t *p, size_t len, bool strict)
{
    return len >= 24 && asc_load_be16(p) == 9 && sets_sane(p, len, 20, false, strict);
}

bool fi_ipfix_sane(const uint8_t *p, size_t len)
{
    return len >= 20 && asc_load_be16(p) == 10 && asc_load_be16(p + 2) == len &&
           sets_sane(p, len, 16, true, true);
}

/* ---- NetFlow v5 ---- */

/* Milliseconds of sysUpTime to absolute data time, given the export's
 * uptime and clock (RFC 3954 section 5.1 uses the same scheme). */
static asc_time uptime_to_time(uint32_t unix_secs, uint32_t unix_nsecs, uint32_t uptime,
                               uint32_t at)
{
    int64_t back_ms = (int32_t)(uptime - at);
    return (asc_time)unix_secs * ASC_NS_PER_SEC + unix_nsecs - back_ms * 1000000;
}

void fi_nf5(struct asc_fi *fi, const struct asc_addr *exp, asc_time ts, const uint8_t *p,
            size_t len)
{
    struct asc_cursor c;
    asc_cur_init(&c, p, len);
    asc_cur_skip(&c, 2);
    uint16_t n = asc_cur_be16(&c);
    uint32_t uptime = asc_cur_be32(&c), secs = asc_cur_be32(&c), nsecs = asc_cur_be32(&c);
    asc_cur_skip(&c, 4 + 2);
    uint16_t samp = asc_cur_be16(&c);
    if (c.bad || n == 0 || n > 30) {
        fi_cnt(fi, ASC_FI_BAD_HEADER);
        return;
    }
    if (asc_cur_left(&c) < 48u * n) {
        fi_cnt(fi, ASC_FI_BAD_LENGTH);
        n = (uint16_t)(asc_cur_left(&c) / 48);
    }
    if (nsecs >= 1000000000u)
        nsecs = 0;
    uint32_t rate = samp & 0x3fff;   /* top two bits: sampling mode */
    (void)ts;
    (void)exp;
    for (unsigned i = 0; i < n; i++) {
        struct asc_flow f = {0};
        f.src_kind = ASC_SRC_NETFLOW;
        f.key.orig.family = f.key.resp.family = ASC_AF_INET;
        asc_cur_copy(&c, f.key.orig.b, 4);
        asc_cur_copy(&c, f.key.resp.b, 4);
        asc_cur_skip(&c, 4 + 4);
        uint32_t pk = asc_cur_be32(&c), by = asc_cur_be32(&c);
        uint32_t first = asc_cur_be32(&c), last = asc_cur_be32(&c);
        f.key.orig_port = asc_cur_be16(&c);
        f.key.resp_port = asc_cur_be16(&c);
        asc_cur_skip(&c, 1);
        f.dir[0].tcp_flags = asc_cur_u8(&c);
        f.key.proto = asc_cur_u8(&c);
        asc_cur_skip(&c, 1 + 2 + 2 + 1 + 1 + 2);
        f.first = uptime_to_time(secs, nsecs, uptime, first);
        f.last = uptime_to_time(secs, nsecs, uptime, last);
        f.sampling = rate;
        f.dir[0].pkts = fi_scale32(fi, pk, rate);
        f.dir[0].ip_bytes = (uint64_t)by * (rate > 1 ? rate : 1);
        if (f.key.proto != 6)
            f.dir[0].tcp_flags = 0;
        fi_record(fi, &f);
    }
}

/* ---- NetFlow v9 and IPFIX ---- */

static bool all_zero(const struct asc_cursor *c)
{
    for (size_t i = c->off; i < c->len; i++)
        if (c->p[i])
            return false;
    return true;
}

static void template_set(struct asc_fi *fi, struct fi_exporter *ex, const uint8_t *p, size_t len,
                         bool ipfix, bool options)
{
    struct asc_cursor c;
    asc_cur_init(&c, p, len);
    /* a template record is at least 4 bytes; less is padding (RFC 3954 5.2) */
    while (asc_cur_left(&c) >= 4 && !all_zero(&c))
        if (!fi_tmpl_parse(fi, ex, &c, ipfix, options))
            break;
}

static void walk_sets(struct asc_fi *fi, struct fi_msg *m, struct asc_cursor *c, bool ipfix)
{
    while (asc_cur_left(c) >= 4) {
        uint16_t id = asc_cur_be16(c), sl = asc_cur_be16(c);
        if (sl < 4 || sl - 4u > asc_cur_left(c)) {
            fi_cnt(fi, ASC_FI_BAD_LENGTH);   /* a set past the end ends the message */
            return;
        }
        const uint8_t *body = asc_cur_ptr(c);
        size_t blen = sl - 4u;
        asc_cur_skip(c, blen);
        uint16_t tid = ipfix ? 2 : 0, oid = ipfix ? 3 : 1;
        if (id == tid || id == oid) {
            template_set(fi, m->ex, body, blen, ipfix, id == oid);
        } else if (id >= 256) {
            const struct fi_tmpl *t = fi_tmpl_find(fi, m->ex, id);
            if (t)
                fi_data_set(fi, m, t, body, blen);
            else
                fi_hold(fi, m, id, body, blen);
        } else {
            fi_cnt(fi, ASC_FI_BAD_SET_ID);
        }
    }
    if (asc_cur_left(c) && ipfix)
        fi_cnt(fi, ASC_FI_BAD_LENGTH);
}

void fi_nf9(struct asc_fi *fi, const struct asc_addr *exp, asc_time ts, const uint8_t *p,
            size_t len)
{
    struct asc_cursor c;
    asc_cur_init(&c, p, len);
    asc_cur_skip(&c, 4);   /* version, count (a record count, often wrong: not trusted) */
    struct fi_msg m = {.version = 9, .arrival = ts};
    m.uptime_ms = asc_cur_be32(&c);
    m.unix_secs = asc_cur_be32(&c);
    asc_cur_skip(&c, 4);
    uint32_t source_id = asc_cur_be32(&c);
    if (c.bad) {
        fi_cnt(fi, ASC_FI_TRUNCATED);
        return;
    }
    m.ex = fi_exporter_get(fi, exp, source_id, 9);
    if (!m.ex)
        return;
    walk_sets(fi, &m, &c, false);
}

void fi_ipfix(struct asc_fi *fi, const struct asc_addr *exp, asc_time ts, const uint8_t *p,
              size_t len)
{
    struct asc_cursor c;
    asc_cur_init(&c, p, len);
    asc_cur_skip(&c, 2);
    uint16_t mlen = asc_cur_be16(&c);
    struct fi_msg m = {.version = 10, .arrival = ts};
    m.unix_secs = asc_cur_be32(&c);
    asc_cur_skip(&c, 4);
    uint32_t domain = asc_cur_be32(&c);
    if (c.bad || mlen < 16) {
        fi_cnt(fi, c.bad ? ASC_FI_TRUNCATED : ASC_FI_BAD_HEADER);
        return;
    }
    if (mlen != len) {
        fi_cnt(fi, ASC_FI_BAD_LENGTH);
        if (mlen > len)
            return;
        c.len = mlen;   /* trailing bytes beyond the message are ignored */
    }
    m.ex = fi_exporter_get(fi, exp, domain, 10);
    if (!m.ex)
        return;
    walk_sets(fi, &m, &c, true);
}
