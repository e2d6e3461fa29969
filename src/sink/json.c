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

/* The flow record has a fixed layout, so it is written with the writer's
 * raw calls: keys are literals, and every string value comes from a fixed
 * ASCII alphabet (names, addresses, letters, base64) that needs no escaping. */
#define KEY(w, lit) asc_jw_raw((w), (lit), sizeof(lit) - 1)

static void raw_str(struct asc_jsonw *w, const char *s)
{
    asc_jw_raw_char(w, '"');
    asc_jw_raw(w, s, strlen(s));
    asc_jw_raw_char(w, '"');
}

static void put_dir(struct asc_jsonw *w, const struct asc_flow_dir *d, bool tcp)
{
    char fl[12];
    KEY(w, "{\"pkts\":");
    asc_jw_raw_u64(w, d->pkts);
    KEY(w, ",\"frames\":");
    asc_jw_raw_u64(w, d->frames);
    KEY(w, ",\"ip_bytes\":");
    asc_jw_raw_u64(w, d->ip_bytes);
    KEY(w, ",\"bytes\":");
    asc_jw_raw_u64(w, d->pl_bytes);
    KEY(w, ",\"wire_bytes\":");
    asc_jw_raw_u64(w, d->wire_bytes);
    KEY(w, ",\"tcp_flags\":");
    raw_str(w, tcp ? asc_tcp_flags_str(d->tcp_flags, fl, sizeof(fl)) : "");
    KEY(w, ",\"ttl_min\":");
    asc_jw_raw_u64(w, d->frames ? d->ttl_min : 0);
    KEY(w, ",\"ttl_max\":");
    asc_jw_raw_u64(w, d->ttl_max);
    asc_jw_raw_char(w, '}');
}

static const char *end_name(uint8_t e)
{
    static const char *const names[] = {"idle", "active", "closed", "evicted", "eof", "reuse"};
    return e < ASC_ARRAY_LEN(names) ? names[e] : "other";
}

static void put_syn(struct asc_jsonw *w, const struct asc_flow *f)
{
    KEY(w, ",\"syn\":{\"mss\":");
    asc_jw_raw_u64(w, f->syn_mss);
    if (f->syn_wscale != 0xff) {
        KEY(w, ",\"wscale\":");
        asc_jw_raw_u64(w, f->syn_wscale);
    }
    KEY(w, ",\"win\":");
    asc_jw_raw_u64(w, f->syn_win);
    KEY(w, ",\"optlen\":");
    asc_jw_raw_u64(w, f->syn_optlen);
    asc_jw_raw_char(w, '}');
}

/* Where a flow record came from, for flow exports and Zeek logs. */
static void put_origin(struct asc_jsonw *w, const struct asc_flow *f)
{
    static const char *const kinds[] = {"pcap", "netflow", "ipfix", "sflow", "zeek"};
    KEY(w, ",\"source\":");
    raw_str(w, f->src_kind < ASC_ARRAY_LEN(kinds) ? kinds[f->src_kind] : "other");
    KEY(w, ",\"sampling\":");
    asc_jw_raw_u64(w, f->sampling ? f->sampling : 1);
    KEY(w, ",\"direction\":");
    raw_str(w, (f->flags & ASC_FF_STITCHED) ? "stitched"
               : (f->flags & ASC_FF_ONEWAY) ? "one_way"
                                            : "biflow");
}

/* Render one flow as a JSON object into w (shared with other sinks). */
void asc_json_flow(struct asc_jsonw *w, const struct asc_flow *f)
{
    char a[ASC_ADDR_STRLEN], pn[8], cid[40];
    const struct asc_flow_key *k = &f->key;
    asc_community_id(k, 0, cid, sizeof(cid));
    asc_jw_obj_open(w, NULL); /* the comma before it, if any, and nesting */
    KEY(w, "\"first\":");
    asc_jw_raw_time(w, f->first);
    KEY(w, ",\"last\":");
    asc_jw_raw_time(w, f->last);
    KEY(w, ",\"duration\":");
    asc_jw_raw_time(w, f->last - f->first);
    KEY(w, ",\"proto\":");
    raw_str(w, asc_proto_name(k->proto, pn, sizeof(pn)));
    KEY(w, ",\"ip_proto\":");
    asc_jw_raw_u64(w, k->proto);
    KEY(w, ",\"orig_addr\":");
    raw_str(w, asc_addr_str(&k->orig, a, sizeof(a)));
    KEY(w, ",\"orig_port\":");
    asc_jw_raw_u64(w, k->orig_port);
    KEY(w, ",\"resp_addr\":");
    raw_str(w, asc_addr_str(&k->resp, a, sizeof(a)));
    KEY(w, ",\"resp_port\":");
    asc_jw_raw_u64(w, k->resp_port);
    KEY(w, ",\"vlan\":");
    asc_jw_raw_u64(w, k->vlan);
    KEY(w, ",\"tun_id\":");
    asc_jw_raw_u64(w, k->tun_id);
    KEY(w, ",\"tunnel\":");
    raw_str(w, asc_tunnel_name(f->tun));
    KEY(w, ",\"community_id\":");
    raw_str(w, cid);
    KEY(w, ",\"conn_state\":");
    raw_str(w, asc_conn_state_name((enum asc_tcp_state)f->state));
    KEY(w, ",\"history\":");
    raw_str(w, f->history[0] ? f->history : "-");
    KEY(w, ",\"end\":");
    raw_str(w, end_name(f->end));
    KEY(w, ",\"orig\":");
    put_dir(w, &f->dir[0], k->proto == 6);
    KEY(w, ",\"resp\":");
    put_dir(w, &f->dir[1], k->proto == 6);
    if (k->proto == 6 && (f->flags & ASC_FF_SYN_SEEN))
        put_syn(w, f);
    if (f->src_kind != ASC_SRC_PCAP)
        put_origin(w, f);
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
