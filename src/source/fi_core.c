/*
 * fi_core.c - the flow-export input's driver: configuration, the exporter
 * table, protocol detection, datagram dispatch, time and record emission.
 *
 * Source stage, flow-record side (see flowin.h). The protocol walkers live
 * in fi_nf.c (NetFlow v5/v9, IPFIX), fi_sflow.c (sFlow v5) and
 * fi_record.c; templates and held sets in fi_tmpl.c; stitching in
 * fi_stitch.c. Invariants: the exporter table never holds more than
 * cf.max_exporters entries, and no datagram is read outside its bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "source/fi_internal.h"

#define SWEEP_EVERY (10 * ASC_NS_PER_SEC)
#define SEQ_BASE (UINT64_C(1) << 40)   /* keeps export record numbers apart from pcap flows */

static const char *const counter_names[ASC_FI__COUNT] = {
    [ASC_FI_DGRAMS] = "datagrams",
    [ASC_FI_DG_NF5] = "netflow_v5",
    [ASC_FI_DG_NF9] = "netflow_v9",
    [ASC_FI_DG_IPFIX] = "ipfix",
    [ASC_FI_DG_SFLOW] = "sflow_v5",
    [ASC_FI_RECORDS] = "records",
    [ASC_FI_TEMPLATES] = "templates",
    [ASC_FI_OPT_TEMPLATES] = "options_templates",
    [ASC_FI_TMPL_WITHDRAWN] = "templates_withdrawn",
    [ASC_FI_TMPL_EXPIRED] = "templates_expired",
    [ASC_FI_OPT_RECORDS] = "options_records",
    [ASC_FI_SAMPLING_UPDATES] = "sampling_updates",
    [ASC_FI_SETS_HELD] = "sets_held",
    [ASC_FI_SETS_REPLAYED] = "sets_replayed",
    [ASC_FI_SETS_DROPPED] = "sets_dropped_no_template",
    [ASC_FI_HOLD_FULL] = "sets_dropped_hold_full",
    [ASC_FI_UNKNOWN_TEMPLATE] = "unknown_template",
    [ASC_FI_BAD_HEADER] = "bad_header",
    [ASC_FI_BAD_LENGTH] = "bad_length",
    [ASC_FI_TRUNCATED] = "truncated",
    [ASC_FI_BAD_TEMPLATE] = "bad_template",
    [ASC_FI_BAD_RECORD] = "bad_record",
    [ASC_FI_BAD_SET_ID] = "bad_set_id",
    [ASC_FI_ENTERPRISE_SKIPPED] = "enterprise_fields_skipped",
    [ASC_FI_TMPL_CAP] = "template_cap",
    [ASC_FI_EXPORTER_CAP] = "exporter_cap",
    [ASC_FI_COUNTER_SATURATED] = "counter_saturated",
    [ASC_FI_SFLOW_FLOW_SAMPLES] = "sflow_flow_samples",
    [ASC_FI_SFLOW_COUNTER_SAMPLES] = "sflow_counter_samples",
    [ASC_FI_SFLOW_UNKNOWN] = "sflow_unknown_format",
    [ASC_FI_SFLOW_UNDECODED] = "sflow_header_undecoded",
    [ASC_FI_SAMPLED_RECORDS] = "sampled_records",
    [ASC_FI_BIFLOWS] = "biflows",
    [ASC_FI_STITCHED] = "stitched",
    [ASC_FI_ONEWAY] = "one_way",
    [ASC_FI_STITCH_EVICTED] = "stitch_evicted",
    [ASC_FI_ZEEK_LINES] = "zeek_records",
    [ASC_FI_ZEEK_BAD_LINES] = "zeek_bad_lines",
    [ASC_FI_RCV_OVERFLOW] = "socket_drops",
};

const char *asc_fi_counter_name(enum asc_fi_counter c)
{
    return (unsigned)c < ASC_FI__COUNT && counter_names[c] ? counter_names[c] : "?";
}

void asc_fi_conf_default(struct asc_fi_conf *cf)
{
    *cf = (struct asc_fi_conf){
        .max_exporters = 4096,
        .max_templates = 512,
        .template_ttl = 1800 * ASC_NS_PER_SEC,
        .max_held = 256,
        .max_held_bytes = 4u << 20,
        .hold_time = 120 * ASC_NS_PER_SEC,
        .stitch = true,
        .stitch_window = 30 * ASC_NS_PER_SEC,
        .stitch_slack = 5 * ASC_NS_PER_SEC,
        .max_stitch = 262144,
    };
}

struct asc_fi *asc_fi_new(const struct asc_fi_conf *cf, asc_fi_emit_fn emit, void *ctx)
{
    struct asc_fi *fi = asc_xcalloc(1, sizeof(*fi));
    if (cf)
        fi->cf = *cf;
    else
        asc_fi_conf_default(&fi->cf);
    if (fi->cf.max_exporters < 1)
        fi->cf.max_exporters = 1;
    fi->emit = emit;
    fi->ctx = ctx;
    fi->ex_nbuckets = 256;
    while (fi->ex_nbuckets < fi->cf.max_exporters && fi->ex_nbuckets < (1u << 16))
        fi->ex_nbuckets <<= 1;
    fi->ex_hash = asc_xcalloc(fi->ex_nbuckets, sizeof(*fi->ex_hash));
    fi->held_tail = &fi->held;
    if (fi->cf.stitch)
        fi->stitch = fi_stitch_new(fi->cf.max_stitch ? fi->cf.max_stitch : 1);
    fi->now = INT64_MIN;
    fi->last_sweep = INT64_MIN;
    fi->seq = SEQ_BASE;
    return fi;
}

static void exporter_free(struct asc_fi *fi, struct fi_exporter *ex)
{
    fi_hold_forget_exporter(fi, ex);
    fi_tmpl_free_all(ex);
    free(ex);
}

void asc_fi_free(struct asc_fi *fi)
{
    if (!fi)
        return;
    fi_hold_expire(fi, 0, true);
    for (size_t b = 0; b < fi->ex_nbuckets; b++) {
        struct fi_exporter *ex = fi->ex_hash[b], *nx;
        for (; ex; ex = nx) {
            nx = ex->hnext;
            fi_tmpl_free_all(ex);
            free(ex);
        }
    }
    free(fi->ex_hash);
    fi_stitch_free(fi->stitch);
    free(fi);
}

static size_t ex_bucket(const struct asc_fi *fi, const struct asc_addr *a, uint32_t domain,
                        uint8_t version)
{
    uint64_t h = UINT64_C(1469598103934665603) ^ version;
    for (int i = 0; i < 16; i++)
        h = (h ^ a->b[i]) * UINT64_C(1099511628211);
    h = (h ^ domain) * UINT64_C(0x9e3779b97f4a7c15);
    return (size_t)(h >> 32) & (fi->ex_nbuckets - 1);
}

struct fi_exporter *fi_exporter_get(struct asc_fi *fi, const struct asc_addr *a,
                                    uint32_t domain, uint8_t version)
{
    size_t b = ex_bucket(fi, a, domain, version);
    for (struct fi_exporter *ex = fi->ex_hash[b]; ex; ex = ex->hnext)
        if (ex->domain == domain && ex->version == version && asc_addr_eq(&ex->addr, a)) {
            ex->seen = fi->now;
            return ex;
        }
    if (fi->n_ex >= fi->cf.max_exporters) {
        fi_cnt(fi, ASC_FI_EXPORTER_CAP);
        return NULL;
    }
    struct fi_exporter *ex = asc_xcalloc(1, sizeof(*ex));
    ex->addr = *a;
    ex->domain = domain;
    ex->version = version;
    ex->seen = fi->now;
    ex->hnext = fi->ex_hash[b];
    fi->ex_hash[b] = ex;
    fi->n_ex++;
    return ex;
}

/* Drop expired templates; forget exporters idle past the template lifetime
 * that hold nothing any more. */
static void sweep(struct asc_fi *fi, asc_time now)
{
    for (size_t b = 0; b < fi->ex_nbuckets; b++) {
        struct fi_exporter **pp = &fi->ex_hash[b];
        while (*pp) {
            struct fi_exporter *ex = *pp;
            for (struct fi_tmpl *t = ex->tmpl, *nx; t; t = nx) {
                nx = t->next;
                if (now - t->seen > fi->cf.template_ttl) {
                    fi_tmpl_withdraw(fi, ex, t->id, false);
                    fi_cnt(fi, ASC_FI_TMPL_EXPIRED);
                }
            }
            if (!ex->tmpl && now - ex->seen > fi->cf.template_ttl) {
                *pp = ex->hnext;
                fi->n_ex--;
                exporter_free(fi, ex);
                continue;
            }
            pp = &ex->hnext;
        }
    }
}

/* Runs what is due at fi->now: held sets, stitch windows, the sweep. */
static void expire_due(struct asc_fi *fi)
{
    asc_time now = fi->now;
    fi_hold_expire(fi, now, false);
    if (fi->stitch)
        fi_stitch_expire(fi, now, false);
    if (fi->last_sweep == INT64_MIN)
        fi->last_sweep = now;
    if (now - fi->last_sweep >= SWEEP_EVERY) {
        fi->last_sweep = now;
        sweep(fi, now);
    }
}

void asc_fi_advance(struct asc_fi *fi, asc_time now)
{
    if (now <= fi->now)
        return;
    fi->now = now;
    expire_due(fi);
}

void asc_fi_flush(struct asc_fi *fi)
{
    fi_hold_expire(fi, 0, true);
    if (fi->stitch)
        fi_stitch_expire(fi, 0, true);
}

enum asc_fi_proto asc_fi_sniff(const uint8_t *p, size_t len, uint16_t dport)
{
    if (len < 4)
        return ASC_FIP_NONE;
    uint16_t v16 = asc_load_be16(p);
    bool known = dport == 2055 || dport == 2056 || dport == 9995 || dport == 9996 ||
                 dport == 4739 || dport == 4740 || dport == 6343 || dport == 9991;
    switch (v16) {
    case 5: return fi_nf5_sane(p, len) ? ASC_FIP_NF5 : ASC_FIP_NONE;
    case 9: return fi_nf9_sane(p, len, !known) ? ASC_FIP_NF9 : ASC_FIP_NONE;
    case 10: return fi_ipfix_sane(p, len) ? ASC_FIP_IPFIX : ASC_FIP_NONE;
    case 0:
        if (asc_load_be32(p) == 5 && fi_sflow_sane(p, len, dport != 6343))
            return ASC_FIP_SFLOW;
        return ASC_FIP_NONE;
    default: return ASC_FIP_NONE;
    }
}

enum asc_fi_proto asc_fi_datagram(struct asc_fi *fi, const struct asc_addr *exporter,
                                  asc_time ts, const uint8_t *p, size_t len,
                                  enum asc_fi_proto kind)
{
    if (kind == ASC_FIP_NONE)
        kind = asc_fi_sniff(p, len, 0);
    if (kind == ASC_FIP_NONE) {
        fi_cnt(fi, ASC_FI_BAD_HEADER);
        return kind;
    }
    /* Decode first, expire after: a template arriving late in data time
     * (captures of separate template and data files) still finds the
     * sets held for it. */
    if (ts > fi->now)
        fi->now = ts;
    fi_cnt(fi, ASC_FI_DGRAMS);
    switch (kind) {
    case ASC_FIP_NF5: fi_cnt(fi, ASC_FI_DG_NF5); fi_nf5(fi, exporter, ts, p, len); break;
    case ASC_FIP_NF9: fi_cnt(fi, ASC_FI_DG_NF9); fi_nf9(fi, exporter, ts, p, len); break;
    case ASC_FIP_IPFIX: fi_cnt(fi, ASC_FI_DG_IPFIX); fi_ipfix(fi, exporter, ts, p, len); break;
    case ASC_FIP_SFLOW: fi_cnt(fi, ASC_FI_DG_SFLOW); fi_sflow(fi, exporter, ts, p, len); break;
    default: break;
    }
    expire_due(fi);
    return kind;
}

bool asc_fi_frame(struct asc_fi *fi, const struct asc_pkt *pkt)
{
    if (pkt->status != ASC_DEC_OK || pkt->n_ipl == 0)
        return false;
    const struct asc_ipl *l = &pkt->ipl[0];
    if (l->proto != 17 || !l->l4_ok || l->frag != ASC_FRAG_NONE)
        return false;
    size_t off = (size_t)l->l4_off + 8;
    if (off >= pkt->caplen)
        return false;
    size_t len = pkt->caplen - off;
    if (l->payload_len < len)
        len = l->payload_len;   /* Ethernet padding is not payload */
    const uint8_t *p = pkt->data + off;
    enum asc_fi_proto k = asc_fi_sniff(p, len, l->dport);
    if (k == ASC_FIP_NONE)
        return false;
    asc_fi_datagram(fi, &l->src, pkt->ts, p, len, k);
    return true;
}

uint32_t fi_scale32(struct asc_fi *fi, uint64_t v, uint32_t rate)
{
    if (rate > 1) {
        if (v > UINT64_MAX / rate)
            v = UINT64_MAX;
        else
            v *= rate;
    }
    if (v > UINT32_MAX) {
        fi_cnt(fi, ASC_FI_COUNTER_SATURATED);
        return UINT32_MAX;
    }
    return (uint32_t)v;
}

void fi_tcp_state(struct asc_flow *f)
{
    if (f->key.proto != 6) {
        f->state = ASC_CS_NONE;
        return;
    }
    uint8_t o = f->dir[0].tcp_flags, r = f->dir[1].tcp_flags;
    bool rpk = f->dir[1].pkts > 0;
    if (!(o & ASC_TH_SYN))
        f->state = ASC_CS_OTH;
    else if (!rpk)
        f->state = (o & ASC_TH_RST) ? ASC_CS_RSTOS0 : (o & ASC_TH_FIN) ? ASC_CS_SH : ASC_CS_S0;
    else if ((r & ASC_TH_RST) && !(r & ASC_TH_SYN))
        f->state = ASC_CS_REJ;
    else if (o & ASC_TH_RST)
        f->state = ASC_CS_RSTO;
    else if (r & ASC_TH_RST)
        f->state = ASC_CS_RSTR;
    else if ((o & ASC_TH_FIN) && (r & ASC_TH_FIN))
        f->state = ASC_CS_SF;
    else if (o & ASC_TH_FIN)
        f->state = ASC_CS_S2;
    else if (r & ASC_TH_FIN)
        f->state = ASC_CS_S3;
    else
        f->state = ASC_CS_S1;
}

void fi_emit(struct asc_fi *fi, struct asc_flow *f)
{
    if (f->last < f->first)
        f->last = f->first;
    fi_tcp_state(f);
    f->seq = fi->seq++;
    fi->emit(fi->ctx, f);
}

/* Counters and defaults of a record; true when it goes to the stitcher,
 * false when it went straight out. */
static bool record_prep(struct asc_fi *fi, struct asc_flow *f)
{
    fi_cnt(fi, ASC_FI_RECORDS);
    if (f->sampling > 1) {
        f->sampled = 1;
        fi_cnt(fi, ASC_FI_SAMPLED_RECORDS);
    } else {
        f->sampling = 1;
    }
    for (int d = 0; d < 2; d++)
        if (f->dir[d].frames == 0)
            f->dir[d].frames = f->dir[d].pkts;
    if (f->dir[1].pkts || (f->flags & ASC_FF_BIFLOW)) {
        f->flags |= ASC_FF_BIFLOW;
        fi_cnt(fi, ASC_FI_BIFLOWS);
        fi_emit(fi, f);
        return false;
    }
    if (fi->stitch)
        return true;
    f->flags |= ASC_FF_ONEWAY;
    fi_cnt(fi, ASC_FI_ONEWAY);
    fi_emit(fi, f);
    return false;
}

void fi_record(struct asc_fi *fi, struct asc_flow *f)
{
    if (record_prep(fi, f))
        fi_stitch_put(fi, f, fi_stitch_hash(&f->key));
}

void fi_record_hashed(struct asc_fi *fi, struct asc_flow *f, uint32_t h)
{
    if (record_prep(fi, f))
        fi_stitch_put(fi, f, h);
}

void asc_fi_put_biflow(struct asc_fi *fi, struct asc_flow *f)
{
    asc_fi_advance(fi, f->first);
    f->flags |= ASC_FF_BIFLOW;
    if (f->sampling == 0)
        f->sampling = 1;
    f->seq = fi->seq++;
    fi->emit(fi->ctx, f);
}

const struct asc_flowin_stats *asc_fi_stats(const struct asc_fi *fi)
{
    return &fi->st;
}

void asc_fi_count(struct asc_fi *fi, enum asc_fi_counter c, uint64_t n)
{
    if ((unsigned)c < ASC_FI__COUNT)
        fi->st.c[c] += n;
}

size_t asc_fi_mem(const struct asc_fi *fi)
{
    return sizeof(*fi) + fi->ex_nbuckets * sizeof(void *) +
           fi->n_ex * sizeof(struct fi_exporter) + fi->tmpl_mem + fi->held_bytes +
           fi->n_held * sizeof(struct fi_held) + (fi->stitch ? fi_stitch_mem(fi->stitch) : 0);
}
