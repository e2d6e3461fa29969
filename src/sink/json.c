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

static void put_dir(struct asc_jsonw *w, const char *key, const struct asc_flow_dir *d,
                    bool tcp)
{
    char fl[12];
    asc_jw_obj_open(w, key);
    asc_jw_u64(w, "pkts", d->pkts);
    asc_jw_u64(w, "frames", d->frames);
    asc_jw_u64(w, "ip_bytes", d->ip_bytes);
    asc_jw_u64(w, "bytes", d->pl_bytes);
    asc_jw_u64(w, "wire_bytes", d->wire_bytes);
    asc_jw_str(w, "tcp_flags", tcp ? asc_tcp_flags_str(d->tcp_flags, fl, sizeof(fl)) : "");
    asc_jw_u64(w, "ttl_min", d->frames ? d->ttl_min : 0);
    asc_jw_u64(w, "ttl_max", d->ttl_max);
    asc_jw_obj_close(w);
}

static const char *end_name(uint8_t e)
{
    static const char *const names[] = {"idle", "active", "closed", "evicted", "eof", "reuse"};
    return e < ASC_ARRAY_LEN(names) ? names[e] : "other";
}

/* Render one flow as a JSON object into w (shared with other sinks). */
void asc_json_flow(struct asc_jsonw *w, const struct asc_flow *f)
{
    char a[ASC_ADDR_STRLEN], b[ASC_ADDR_STRLEN], pn[8], cid[40];
    const struct asc_flow_key *k = &f->key;
    asc_community_id(k, 0, cid, sizeof(cid));
    asc_jw_obj_open(w, NULL);
    asc_jw_time(w, "first", f->first);
    asc_jw_time(w, "last", f->last);
    asc_jw_time(w, "duration", f->last - f->first);
    asc_jw_str(w, "proto", asc_proto_name(k->proto, pn, sizeof(pn)));
    asc_jw_u64(w, "ip_proto", k->proto);
    asc_jw_str(w, "orig_addr", asc_addr_str(&k->orig, a, sizeof(a)));
    asc_jw_u64(w, "orig_port", k->orig_port);
    asc_jw_str(w, "resp_addr", asc_addr_str(&k->resp, b, sizeof(b)));
    asc_jw_u64(w, "resp_port", k->resp_port);
    asc_jw_u64(w, "vlan", k->vlan);
    asc_jw_u64(w, "tun_id", k->tun_id);
    asc_jw_str(w, "tunnel", asc_tunnel_name(f->tun));
    asc_jw_str(w, "community_id", cid);
    asc_jw_str(w, "conn_state", asc_conn_state_name((enum asc_tcp_state)f->state));
    asc_jw_str(w, "history", f->history[0] ? f->history : "-");
    asc_jw_str(w, "end", end_name(f->end));
    put_dir(w, "orig", &f->dir[0], k->proto == 6);
    put_dir(w, "resp", &f->dir[1], k->proto == 6);
    if (k->proto == 6 && (f->flags & ASC_FF_SYN_SEEN)) {
        asc_jw_obj_open(w, "syn");
        asc_jw_u64(w, "mss", f->syn_mss);
        if (f->syn_wscale != 0xff)
            asc_jw_u64(w, "wscale", f->syn_wscale);
        asc_jw_u64(w, "win", f->syn_win);
        asc_jw_u64(w, "optlen", f->syn_optlen);
        asc_jw_obj_close(w);
    }
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
    asc_jw_raw(&s->w, "incidents", s->incw.buf, s->incw.len);
    if (sum->statistics_json)
        asc_jw_raw(&s->w, "statistics", sum->statistics_json, sum->statistics_len);
    else
        asc_jw_raw(&s->w, "statistics", "[]", 2);
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
