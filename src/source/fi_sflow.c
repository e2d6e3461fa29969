/*
 * fi_sflow.c - sFlow version 5 datagrams to flow records.
 *
 * Source stage, flow-record side (see flowin.h). Reference: "sFlow Version
 * 5" (sflow.org/sflow_version_5.txt, 2004): XDR encoding, a datagram header
 * (version, agent address, sub-agent id, sequence, uptime, sample count)
 * then samples tagged enterprise << 12 | format with a byte length. Flow
 * samples (format 1, expanded 3) carry the sampling rate and flow records;
 * the raw packet header record (format 1) goes through the packet decoder
 * (src/decode), each IP layer becoming a one-packet record scaled by the
 * sampling rate. Without a raw header, the sampled IPv4/IPv6 records
 * (formats 3, 4) are used. Counter samples (2, 4) are counted only.
 */
#include <string.h>

#include "decode/decode.h"
#include "source/fi_internal.h"

#define SFLOW_MAX_SAMPLES 1024   /* more in one datagram is not sane */

bool fi_sflow_sane(const uint8_t *p, size_t len, bool strict)
{
    struct asc_cursor c;
    asc_cur_init(&c, p, len);
    if (asc_cur_be32(&c) != 5)
        return false;
    uint32_t at = asc_cur_be32(&c);
    if (at != 1 && at != 2)
        return false;
    asc_cur_skip(&c, at == 1 ? 4 : 16);
    asc_cur_skip(&c, 12);
    uint32_t n = asc_cur_be32(&c);
    if (c.bad || n > SFLOW_MAX_SAMPLES)
        return false;
    if (!strict)
        return true;
    for (uint32_t i = 0; i < n; i++) {
        asc_cur_skip(&c, 4);
        uint32_t sl = asc_cur_be32(&c);
        if (c.bad || !asc_cur_skip(&c, sl))
            return false;
    }
    return !c.bad && asc_cur_left(&c) == 0 && n > 0;
}

/* Linktype of an sFlow header_protocol (sFlow v5 "header_protocol"). */
static int sflow_linktype(uint32_t hp)
{
    switch (hp) {
    case 1: return 1;     /* ethernet-ISO88023 -> DLT_EN10MB */
    case 11: return 228;  /* IPv4 -> LINKTYPE_IPV4 */
    case 12: return 229;  /* IPv6 -> LINKTYPE_IPV6 */
    default: return -1;
    }
}

struct fsample {
    asc_time ts;
    uint32_t rate;
    bool got_header;
};

static void emit_layer(struct asc_fi *fi, const struct fsample *s, const struct asc_ipl *l,
                       uint32_t bytes, uint16_t vlan)
{
    struct asc_flow f = {0};
    f.src_kind = ASC_SRC_SFLOW;
    f.key.orig = l->src;
    f.key.resp = l->dst;
    f.key.orig_port = l->sport;
    f.key.resp_port = l->dport;
    f.key.proto = l->proto;
    f.key.vlan = vlan;
    f.key.tun_id = l->tun_id;
    f.tun = l->tun;
    f.first = f.last = s->ts;
    f.sampling = s->rate;
    f.dir[0].pkts = fi_scale32(fi, 1, s->rate);
    f.dir[0].frames = f.dir[0].pkts;
    f.dir[0].ip_bytes = (uint64_t)bytes * (s->rate > 1 ? s->rate : 1);
    f.dir[0].tcp_flags = l->proto == 6 ? l->tcp_flags : 0;
    f.dir[0].ttl_min = f.dir[0].ttl_max = l->ttl;
    fi_record(fi, &f);
}

static void raw_header(struct asc_fi *fi, struct fsample *s, struct asc_cursor *c)
{
    uint32_t hp = asc_cur_be32(c), frame_len = asc_cur_be32(c);
    asc_cur_skip(c, 4);   /* stripped */
    uint32_t hl = asc_cur_be32(c);
    if (c->bad || hl > asc_cur_left(c)) {
        fi_cnt(fi, ASC_FI_TRUNCATED);
        return;
    }
    int lt = sflow_linktype(hp);
    if (lt < 0) {
        fi_cnt(fi, ASC_FI_SFLOW_UNKNOWN);
        return;
    }
    struct asc_pkt pkt;
    asc_decode(&pkt, lt, asc_cur_ptr(c), hl, frame_len, s->ts);
    s->got_header = true;
    if (pkt.n_ipl == 0) {
        fi_cnt(fi, ASC_FI_SFLOW_UNDECODED);
        return;
    }
    uint16_t vlan = pkt.n_vlan ? pkt.vlan[pkt.n_vlan > 1 ? 1 : 0] : 0;
    for (unsigned i = 0; i < pkt.n_ipl && i < ASC_MAX_IPL; i++) {
        const struct asc_ipl *l = &pkt.ipl[i];
        uint32_t bytes = l->ip_len;
        if (!bytes && frame_len > l->l3_off)
            bytes = frame_len - l->l3_off;
        emit_layer(fi, s, l, bytes, vlan);
    }
}

/* sampled_ipv4 (format 3) / sampled_ipv6 (format 4). */
static void sampled_ip(struct asc_fi *fi, const struct fsample *s, struct asc_cursor *c, bool v6)
{
    struct asc_ipl l;
    memset(&l, 0, sizeof(l));
    uint32_t len = asc_cur_be32(c);
    l.proto = (uint8_t)asc_cur_be32(c);
    l.src.family = l.dst.family = v6 ? ASC_AF_INET6 : ASC_AF_INET;
    asc_cur_copy(c, l.src.b, v6 ? 16 : 4);
    asc_cur_copy(c, l.dst.b, v6 ? 16 : 4);
    l.sport = (uint16_t)asc_cur_be32(c);
    l.dport = (uint16_t)asc_cur_be32(c);
    l.tcp_flags = (uint8_t)asc_cur_be32(c);
    if (c->bad) {
        fi_cnt(fi, ASC_FI_TRUNCATED);
        return;
    }
    emit_layer(fi, s, &l, len, 0);
}

static void flow_sample(struct asc_fi *fi, asc_time ts, struct asc_cursor *c, bool expanded)
{
    struct fsample s = {.ts = ts};
    asc_cur_skip(c, expanded ? 12 : 8);   /* sequence, source id (type, index) */
    s.rate = asc_cur_be32(c);
    asc_cur_skip(c, 8 + (expanded ? 16 : 8));   /* pool, drops, input, output */
    uint32_t nrec = asc_cur_be32(c);
    if (c->bad || nrec > SFLOW_MAX_SAMPLES) {
        fi_cnt(fi, c->bad ? ASC_FI_TRUNCATED : ASC_FI_BAD_LENGTH);
        return;
    }
    if (!s.rate)
        s.rate = 1;
    /* two passes: a raw header wins over the sampled-IP summaries */
    size_t start = c->off;
    for (int pass = 0; pass < 2; pass++) {
        c->off = start;
        for (uint32_t i = 0; i < nrec; i++) {
            uint32_t fmt = asc_cur_be32(c), rl = asc_cur_be32(c);
            if (c->bad || rl > asc_cur_left(c)) {
                fi_cnt(fi, ASC_FI_TRUNCATED);
                return;
            }
            struct asc_cursor rc;
            asc_cur_init(&rc, asc_cur_ptr(c), rl);
            asc_cur_skip(c, rl);
            if (pass == 0 && fmt == 1)
                raw_header(fi, &s, &rc);
            else if (pass == 1 && !s.got_header && (fmt == 3 || fmt == 4))
                sampled_ip(fi, &s, &rc, fmt == 4);
        }
    }
}

void fi_sflow(struct asc_fi *fi, const struct asc_addr *exp, asc_time ts, const uint8_t *p,
              size_t len)
{
    struct asc_cursor c;
    asc_cur_init(&c, p, len);
    asc_cur_skip(&c, 4);
    uint32_t at = asc_cur_be32(&c);
    asc_cur_skip(&c, at == 2 ? 16 : 4);
    asc_cur_skip(&c, 12);
    uint32_t n = asc_cur_be32(&c);
    if (c.bad || (at != 1 && at != 2) || n > SFLOW_MAX_SAMPLES) {
        fi_cnt(fi, c.bad ? ASC_FI_TRUNCATED : ASC_FI_BAD_HEADER);
        return;
    }
    (void)exp;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t tag = asc_cur_be32(&c), sl = asc_cur_be32(&c);
        if (c.bad || sl > asc_cur_left(&c)) {
            fi_cnt(fi, ASC_FI_TRUNCATED);
            return;
        }
        struct asc_cursor sc;
        asc_cur_init(&sc, asc_cur_ptr(&c), sl);
        asc_cur_skip(&c, sl);
        uint32_t ent = tag >> 12, fmt = tag & 0xfff;
        if (ent == 0 && (fmt == 1 || fmt == 3)) {
            fi_cnt(fi, ASC_FI_SFLOW_FLOW_SAMPLES);
            flow_sample(fi, ts, &sc, fmt == 3);
        } else if (ent == 0 && (fmt == 2 || fmt == 4)) {
            fi_cnt(fi, ASC_FI_SFLOW_COUNTER_SAMPLES);
        } else {
            fi_cnt(fi, ASC_FI_SFLOW_UNKNOWN);
        }
    }
    if (asc_cur_left(&c))
        fi_cnt(fi, ASC_FI_BAD_LENGTH);
}
