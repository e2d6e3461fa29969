/*
 * json.c - the JSON sink: one object per flow record (JSON lines), and the
 * run summary as one object (`ascribe analyze --json`).
 *
 * Last stage of the pipeline. Key order is fixed and documented in
 * docs/flows.md; numbers are printed from integers, so output is
 * byte-identical across runs on the same input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "sink/flow_fmt.h"
#include "sink/sink.h"
#include "sink/summary_json.h"

struct json_sink {
    FILE *f;
    bool own;
    struct asc_jsonw w;
    bool summary_only;   /* format "summary": skip flow records */
    struct asc_jsonw incw;   /* incidents, held for the one document */
    size_t n_inc;
};

static int json_open(const struct asc_sink_conf *cf, void **state, struct asc_err *err)
{
    struct json_sink *s = asc_xcalloc(1, sizeof(*s));
    if (cf->stream) {
        s->f = cf->stream;
    } else if (!cf->path || strcmp(cf->path, "-") == 0) {
        s->f = stdout;
    } else {
        s->f = fopen(cf->path, "w");
        if (!s->f) {
            free(s);
            return asc_err_set(err, ASC_EIO, "%s: cannot open for writing", cf->path);
        }
        s->own = true;
    }
    s->summary_only = cf->format && strcmp(cf->format, "summary") == 0;
    asc_jw_init(&s->w);
    asc_jw_init(&s->incw);
    *state = s;
    return 0;
}

/* The flow record has a fixed layout, so it is written straight into room
 * reserved in the writer's buffer: keys are literals, and every string
 * value comes from a fixed ASCII alphabet (names, addresses, letters,
 * base64) that needs no escaping. Every piece has a bounded length, so one
 * reservation of FLOW_MAX bytes covers the whole object. */
#define FLOW_MAX 2048
#define LIT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) += sizeof(lit) - 1)

/* An address in quotes: IPv4 straight into the line (asc_addr4_put); others
 * through asc_addr_str. */
static char *qaddr(char *p, const struct asc_addr *a)
{
    *p++ = '"';
    if (a->family == ASC_AF_INET) {
        p = asc_addr4_put(p, a->b);
        *p++ = '"';
        return p;
    }
    char b[ASC_ADDR_STRLEN];
    size_t n = strlen(asc_addr_str(a, b, sizeof(b)));
    memcpy(p, b, n);
    p += n;
    *p++ = '"';
    return p;
}

/* A short string (at most 64 bytes) in quotes, copied as it is measured:
 * these are names of a few letters, where a strnlen call costs more. */
static char *qstr(char *p, const char *s)
{
    *p++ = '"';
    for (int i = 0; i < 64 && *s; i++)
        *p++ = *s++;
    *p++ = '"';
    return p;
}

/* TCP flag letters in quotes (as asc_tcp_flags_str writes them). */
static char *qflags(char *p, uint8_t flags, bool tcp)
{
    *p++ = '"';
    if (tcp)
        for (int i = 0; i < 8; i++) {
            *p = ASC_TCP_FLAG_LETTERS[i];
            p += flags >> i & 1;
        }
    *p++ = '"';
    return p;
}

static char *put_dir(char *p, const struct asc_flow_dir *d, bool tcp)
{
    LIT(p, "{\"pkts\":");
    p = asc_jw_fmt_u64(p, d->pkts);
    LIT(p, ",\"frames\":");
    p = asc_jw_fmt_u64(p, d->frames);
    LIT(p, ",\"ip_bytes\":");
    p = asc_jw_fmt_u64(p, d->ip_bytes);
    LIT(p, ",\"bytes\":");
    p = asc_jw_fmt_u64(p, d->pl_bytes);
    LIT(p, ",\"wire_bytes\":");
    p = asc_jw_fmt_u64(p, d->wire_bytes);
    LIT(p, ",\"tcp_flags\":");
    p = qflags(p, d->tcp_flags, tcp);
    LIT(p, ",\"ttl_min\":");
    p = asc_jw_fmt_u64(p, d->frames ? d->ttl_min : 0);
    LIT(p, ",\"ttl_max\":");
    p = asc_jw_fmt_u64(p, d->ttl_max);
    *p++ = '}';
    return p;
}

static const char *end_name(uint8_t e)
{
    static const char *const names[] = {"idle", "active", "closed", "evicted", "eof", "reuse"};
    return e < ASC_ARRAY_LEN(names) ? names[e] : "other";
}

static char *put_syn(char *p, const struct asc_flow *f)
{
    LIT(p, ",\"syn\":{\"mss\":");
    p = asc_jw_fmt_u64(p, f->syn_mss);
    if (f->syn_wscale != 0xff) {
        LIT(p, ",\"wscale\":");
        p = asc_jw_fmt_u64(p, f->syn_wscale);
    }
    LIT(p, ",\"win\":");
    p = asc_jw_fmt_u64(p, f->syn_win);
    LIT(p, ",\"optlen\":");
    p = asc_jw_fmt_u64(p, f->syn_optlen);
    *p++ = '}';
    return p;
}

/* Where a flow record came from, for flow exports and Zeek logs. */
static char *put_origin(char *p, const struct asc_flow *f)
{
    static const char *const kinds[] = {"pcap", "netflow", "ipfix", "sflow", "zeek"};
    LIT(p, ",\"source\":");
    p = qstr(p, f->src_kind < ASC_ARRAY_LEN(kinds) ? kinds[f->src_kind] : "other");
    LIT(p, ",\"sampling\":");
    p = asc_jw_fmt_u64(p, f->sampling ? f->sampling : 1);
    LIT(p, ",\"direction\":");
    if (f->flags & ASC_FF_STITCHED)
        LIT(p, "\"stitched\"");
    else if (f->flags & ASC_FF_ONEWAY)
        LIT(p, "\"one_way\"");
    else
        LIT(p, "\"biflow\"");
    return p;
}

/* The members from "first" to "community_id". */
static char *put_key(char *p, const struct asc_flow *f)
{
    char pn[8], cid[40];
    const struct asc_flow_key *k = &f->key;
    size_t cid_len = asc_community_id(k, 0, cid, sizeof(cid));
    LIT(p, "\"first\":");
    p = asc_jw_fmt_time(p, f->first);
    LIT(p, ",\"last\":");
    p = asc_jw_fmt_time(p, f->last);
    LIT(p, ",\"duration\":");
    p = asc_jw_fmt_time(p, f->last - f->first);
    LIT(p, ",\"proto\":");
    if (k->proto == 6)
        LIT(p, "\"tcp\"");
    else if (k->proto == 17)
        LIT(p, "\"udp\"");
    else
        p = qstr(p, asc_proto_name(k->proto, pn, sizeof(pn)));
    LIT(p, ",\"ip_proto\":");
    p = asc_jw_fmt_u64(p, k->proto);
    LIT(p, ",\"orig_addr\":");
    p = qaddr(p, &k->orig);
    LIT(p, ",\"orig_port\":");
    p = asc_jw_fmt_u64(p, k->orig_port);
    LIT(p, ",\"resp_addr\":");
    p = qaddr(p, &k->resp);
    LIT(p, ",\"resp_port\":");
    p = asc_jw_fmt_u64(p, k->resp_port);
    LIT(p, ",\"vlan\":");
    p = asc_jw_fmt_u64(p, k->vlan);
    LIT(p, ",\"tun_id\":");
    p = asc_jw_fmt_u64(p, k->tun_id);
    LIT(p, ",\"tunnel\":");
    p = qstr(p, asc_tunnel_name(f->tun));
    LIT(p, ",\"community_id\":\"");
    memcpy(p, cid, 31);   /* a fixed size (the 30 letters and the NUL) */
    p += cid_len;
    *p++ = '"';
    return p;
}

/* Render one flow as a JSON object into w (shared with other sinks). */
void asc_json_flow(struct asc_jsonw *w, const struct asc_flow *f)
{
    asc_jw_obj_open(w, NULL); /* the comma before it, if any, and nesting */
    char *p = put_key(asc_jw_reserve(w, FLOW_MAX), f);
    LIT(p, ",\"conn_state\":");
    p = qstr(p, asc_conn_state_name((enum asc_tcp_state)f->state));
    LIT(p, ",\"history\":");
    p = qstr(p, f->history[0] ? f->history : "-");
    LIT(p, ",\"end\":");
    p = qstr(p, end_name(f->end));
    LIT(p, ",\"orig\":");
    p = put_dir(p, &f->dir[0], f->key.proto == 6);
    LIT(p, ",\"resp\":");
    p = put_dir(p, &f->dir[1], f->key.proto == 6);
    if (f->key.proto == 6 && (f->flags & ASC_FF_SYN_SEEN))
        p = put_syn(p, f);
    if (f->src_kind != ASC_SRC_PCAP)
        p = put_origin(p, f);
    asc_jw_commit(w, p);
    asc_jw_obj_close(w);
}

static int json_put_flow(void *state, const struct asc_flow *f)
{
    struct json_sink *s = state;
    if (s->summary_only)
        return 0;
    asc_json_flow(&s->w, f);
    asc_jw_raw_char(&s->w, '\n');
    s->w.need_comma[0] = false;
    if (s->w.len >= 1 << 16)
        return asc_jw_flush(&s->w, s->f);
    return 0;
}

static int json_put_incident(void *state, const struct asc_incident *inc)
{
    struct json_sink *s = state;
    if (!s->summary_only)
        return 0;   /* flow output stays one object per flow */
    if (s->n_inc++ == 0)
        asc_jw_arr_open(&s->incw, NULL);
    asc_json_incident(&s->incw, inc);
    return 0;
}

static int json_put_summary(void *state, const struct asc_run_summary *sum)
{
    struct json_sink *s = state;
    if (!s->summary_only)
        return 0;
    if (s->n_inc == 0)
        asc_jw_arr_open(&s->incw, NULL);
    asc_jw_arr_close(&s->incw);
    asc_jw_obj_open(&s->w, NULL);
    asc_jw_u64(&s->w, "schema_version", ASC_JSON_SCHEMA_VERSION);
    asc_json_run(&s->w, sum);
    asc_jw_member_raw(&s->w, "incidents", s->incw.buf, s->incw.len);
    if (sum->statistics_json)
        asc_jw_member_raw(&s->w, "statistics", sum->statistics_json, sum->statistics_len);
    else
        asc_jw_member_raw(&s->w, "statistics", "[]", 2);
    asc_jw_obj_close(&s->w);
    asc_jw_raw_char(&s->w, '\n');
    s->w.need_comma[0] = false;
    return 0;
}

static int json_flush(void *state)
{
    struct json_sink *s = state;
    int rc = asc_jw_flush(&s->w, s->f);
    if (fflush(s->f) != 0)
        rc = ASC_EIO;
    return rc;
}

static int json_close(void *state, struct asc_err *err)
{
    struct json_sink *s = state;
    if (!s)
        return 0;
    int rc = json_flush(s);
    if (ferror(s->f))
        rc = ASC_EIO;
    if (s->own && fclose(s->f) != 0)
        rc = ASC_EIO;
    asc_jw_fini(&s->w);
    asc_jw_fini(&s->incw);
    free(s);
    if (rc)
        asc_err_set(err, rc, "write error on JSON output");
    return rc;
}

const struct asc_sink_ops asc_sink_json = {
    .abi = ASC_SINK_ABI,
    .name = "json",
    .open = json_open,
    .put_flow = json_put_flow,
    .put_incident = json_put_incident,
    .put_summary = json_put_summary,
    .flush = json_flush,
    .close = json_close,
};
