/*
 * zeek.c - the Zeek conn.log sink: flow records as Zeek's TSV conn.log
 * (same header lines and columns), so users can diff ascribe against Zeek.
 *
 * Last stage of the pipeline. Differences by design: `uid` is derived from
 * the flow's creation order (deterministic, not Zeek's random uid);
 * `service`, `local_orig`, `local_resp` and `tunnel_parents` are unset;
 * orig_bytes/resp_bytes are transport payload bytes seen (Zeek derives them
 * from TCP sequence numbers, which differ under retransmission).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink/flow_fmt.h"
#include "sink/sink.h"

struct zeek_sink {
    FILE *f;
    bool own;
    bool header_done;
};

static int zeek_open(const struct asc_sink_conf *cf, void **state, struct asc_err *err)
{
    struct zeek_sink *s = asc_xcalloc(1, sizeof(*s));
    if (cf->stream) {
        s->f = cf->stream;
    } else if (!cf->path || strcmp(cf->path, "-") == 0) {
        s->f = stdout;
    } else if (!(s->f = fopen(cf->path, "w"))) {
        free(s);
        return asc_err_set(err, ASC_EIO, "%s: cannot open for writing", cf->path);
    } else {
        s->own = true;
    }
    *state = s;
    return 0;
}

static void header(struct zeek_sink *s)
{
    fputs("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
          "#path\tconn\n"
          "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\t"
          "duration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\t"
          "history\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\tip_proto\n"
          "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\t"
          "string\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\tcount\n",
          s->f);
    s->header_done = true;
}

static void put_time(FILE *f, asc_time t)
{
    uint64_t u = t < 0 ? 0 : (uint64_t)t;
    fprintf(f, "%" PRIu64 ".%06" PRIu64, u / 1000000000u, (u % 1000000000u) / 1000u);
}

static void make_uid(uint64_t seq, char *out)
{
    static const char al[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uint64_t h = (seq + 1) * UINT64_C(0x9e3779b97f4a7c15);
    h ^= h >> 31;
    out[0] = 'C';
    for (int i = 1; i < 18; i++) {
        out[i] = al[h % 62];
        h /= 62;
        if (!h)
            h = (seq + (uint64_t)i) * UINT64_C(0xbf58476d1ce4e5b9) >> 7;
    }
    out[18] = '\0';
}

static int zeek_put_flow(void *state, const struct asc_flow *fl)
{
    struct zeek_sink *s = state;
    if (!s->header_done)
        header(s);
    char a[ASC_ADDR_STRLEN], b[ASC_ADDR_STRLEN], uid[20];
    const struct asc_flow_key *k = &fl->key;
    const char *proto = k->proto == 6    ? "tcp"
                        : k->proto == 17 ? "udp"
                        : (k->proto == 1 || k->proto == 58) ? "icmp"
                                                            : "unknown_transport";
    make_uid(fl->seq, uid);
    put_time(s->f, fl->first);
    fprintf(s->f, "\t%s\t%s\t%u\t%s\t%u\t%s\t-\t", uid, asc_addr_str(&k->orig, a, sizeof(a)),
            k->orig_port, asc_addr_str(&k->resp, b, sizeof(b)), k->resp_port, proto);
    if (fl->last > fl->first) {
        put_time(s->f, fl->last - fl->first);
        fprintf(s->f, "\t%" PRIu64 "\t%" PRIu64, fl->dir[0].pl_bytes, fl->dir[1].pl_bytes);
    } else {
        fputs("-\t-\t-", s->f);
    }
    fprintf(s->f, "\t%s\t-\t-\t0\t%s\t%u\t%" PRIu64 "\t%u\t%" PRIu64 "\t-\t%u\n",
            asc_conn_state_name((enum asc_tcp_state)fl->state),
            fl->history[0] ? fl->history : "-", fl->dir[0].pkts, fl->dir[0].ip_bytes,
            fl->dir[1].pkts, fl->dir[1].ip_bytes, k->proto);
    return ferror(s->f) ? ASC_EIO : 0;
}

static int zeek_flush(void *state)
{
    struct zeek_sink *s = state;
    return fflush(s->f) ? ASC_EIO : 0;
}

static int zeek_close(void *state, struct asc_err *err)
{
    struct zeek_sink *s = state;
    if (!s)
        return 0;
    if (!s->header_done)
        header(s);
    int rc = fflush(s->f) || ferror(s->f) ? ASC_EIO : 0;
    if (s->own && fclose(s->f) != 0)
        rc = ASC_EIO;
    free(s);
    if (rc)
        asc_err_set(err, rc, "write error on conn.log output");
    return rc;
}

const struct asc_sink_ops asc_sink_zeek = {
    .abi = ASC_SINK_ABI,
    .name = "zeek",
    .open = zeek_open,
    .put_flow = zeek_put_flow,
    .put_incident = NULL,
    .put_summary = NULL,
    .flush = zeek_flush,
    .close = zeek_close,
};
