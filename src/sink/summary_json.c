/*
 * summary_json.c - the run summary as JSON (the "run" object of
 * `ascribe analyze --json`, schema in docs/schema/analyze.md).
 */
#include "sink/summary_json.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "enrich/enrich.h"
#include "enrich/intel.h"
#include "sink/flow_fmt.h"

static void put_decode(struct asc_jsonw *w, const struct asc_run_summary *s)
{
    asc_jw_obj_open(w, "decode");
    for (int i = 0; i < ASC_DEC__COUNT; i++)
        asc_jw_u64(w, asc_dec_status_name((enum asc_dec_status)i), s->dec_status[i]);
    asc_jw_obj_open(w, "reasons");
    for (int i = 1; i < ASC_DR__COUNT; i++)
        if (s->dec_reason[i])
            asc_jw_u64(w, asc_dec_reason_name((enum asc_dec_reason)i), s->dec_reason[i]);
    asc_jw_obj_close(w);
    asc_jw_obj_close(w);
}

static void put_flows(struct asc_jsonw *w, const struct asc_run_summary *s)
{
    asc_jw_obj_open(w, "flow_table");
    asc_jw_u64(w, "created", s->flow.created);
    asc_jw_u64(w, "emitted", s->flow.emitted);
    asc_jw_u64(w, "evicted", s->flow.evicted);
    asc_jw_u64(w, "reused", s->flow.reused);
    asc_jw_u64(w, "peak_live", s->flow.peak_live);
    asc_jw_u64(w, "frag_later", s->flow.frag_later);
    asc_jw_u64(w, "frag_orphan", s->flow.frag_orphan);
    asc_jw_obj_close(w);
    asc_jw_arr_open(w, "protocols");
    char pn[8];
    for (int p = 0; p < 256; p++) {
        if (!s->proto[p].flows)
            continue;
        asc_jw_obj_open(w, NULL);
        asc_jw_u64(w, "ip_proto", (uint64_t)p);
        asc_jw_str(w, "name", p == 58 ? "icmp6" : asc_proto_name((uint8_t)p, pn, sizeof(pn)));
        asc_jw_u64(w, "flows", s->proto[p].flows);
        asc_jw_u64(w, "pkts", s->proto[p].pkts);
        asc_jw_u64(w, "ip_bytes", s->proto[p].ip_bytes);
        asc_jw_obj_close(w);
    }
    asc_jw_arr_close(w);
}

static void put_talkers(struct asc_jsonw *w, const struct asc_run_summary *s)
{
    char a[ASC_ADDR_STRLEN];
    asc_jw_arr_open(w, "top_talkers");
    for (size_t i = 0; i < s->n_talkers; i++) {
        asc_jw_obj_open(w, NULL);
        asc_jw_str(w, "addr", asc_addr_str(&s->talkers[i].key, a, sizeof(a)));
        asc_jw_u64(w, "ip_bytes", s->talkers[i].count);
        asc_jw_u64(w, "pkts", s->talkers[i].aux);
        asc_jw_u64(w, "max_overcount", s->talkers[i].err);
        asc_jw_obj_close(w);
    }
    asc_jw_arr_close(w);
    asc_jw_arr_open(w, "top_destinations_by_new_flows");
    for (size_t i = 0; i < s->n_dst; i++) {
        asc_jw_obj_open(w, NULL);
        asc_jw_str(w, "addr", asc_addr_str(&s->dst[i].addr, a, sizeof(a)));
        asc_jw_u64(w, "flows", s->dst[i].flows);
        asc_jw_u64(w, "evicted_flows", s->dst[i].evicted_flows);
        asc_jw_u64(w, "evicted_pkts", s->dst[i].evicted_pkts);
        asc_jw_obj_close(w);
    }
    asc_jw_arr_close(w);
}

static void put_flowin(struct asc_jsonw *w, const struct asc_run_summary *s)
{
    bool any = false;
    for (int i = 0; i < ASC_FI__COUNT; i++)
        any |= s->flowin.c[i] != 0;
    if (!any)
        return;   /* packet-only runs keep their summary unchanged */
    asc_jw_obj_open(w, "flow_inputs");
    for (int i = 0; i < ASC_FI__COUNT; i++)
        asc_jw_u64(w, asc_fi_counter_name((enum asc_fi_counter)i), s->flowin.c[i]);
    asc_jw_obj_close(w);
}

/* ISO 8601 UTC, "" when unknown. */
static void put_built(struct asc_jsonw *w, int64_t t)
{
    char buf[32] = "";
    struct tm tm;
    time_t tt = (time_t)t;
    if (t > 0 && gmtime_r(&tt, &tm))
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    asc_jw_str(w, "built", buf);
}

/* Every database the run opened: the geo backends in precedence order,
 * then the intel lists (docs/schema/analyze.md, "databases"). */
static void put_databases(struct asc_jsonw *w, const struct asc_enricher *e)
{
    asc_jw_arr_open(w, "databases");
    size_t n = e ? asc_enrich_n_backends(e) : 0;
    size_t walk = e ? asc_enrich_routed_backend(e) : SIZE_MAX;
    uint64_t q_all = e ? asc_enrich_queries(e) : 0;
    for (size_t i = 0; i < n; i++) {
        const struct asc_db_info *d = asc_enrich_backend(e, i);
        uint64_t q, a;
        asc_enrich_backend_counts(e, i, &q, &a);
        asc_jw_obj_open(w, NULL);
        asc_jw_str(w, "name", d->name ? d->name : d->kind);
        asc_jw_str(w, "kind", d->kind);
        asc_jw_str(w, "path", d->path ? d->path : "");
        asc_jw_str(w, "vendor", d->vendor ? d->vendor : "");
        asc_jw_str(w, "description", d->description ? d->description : "");
        put_built(w, d->built);
        asc_jw_u64(w, "entries", d->entries);
        asc_jw_u64(w, "lookups", q);
        asc_jw_u64(w, "answered", a);
        asc_jw_bool(w, "routed_source", walk == i);
        asc_jw_obj_close(w);
    }
    const struct asc_intel *in = e ? asc_enrich_intel(e) : NULL;
    for (size_t i = 0; in && i < asc_intel_n_lists(in); i++) {
        const struct asc_intel_list *l = asc_intel_list(in, i);
        char built[32] = "";
        if (l->date && strlen(l->date) == 10)
            snprintf(built, sizeof(built), "%sT00:00:00Z", l->date);
        asc_jw_obj_open(w, NULL);
        asc_jw_str(w, "name", l->name ? l->name : "");
        asc_jw_str(w, "kind", "intel");
        asc_jw_str(w, "path", l->path ? l->path : "");
        asc_jw_str(w, "vendor", "");
        asc_jw_str(w, "description", "");
        asc_jw_str(w, "built", built);
        asc_jw_u64(w, "entries", l->n_addrs + l->n_nets + l->n_domains);
        asc_jw_u64(w, "lookups", q_all);
        asc_jw_u64(w, "answered", asc_enrich_list_hits(e, i));
        asc_jw_bool(w, "routed_source", false);
        asc_jw_str(w, "category", l->category ? l->category : "");
        asc_jw_obj_close(w);
    }
    asc_jw_arr_close(w);
}

static void put_detectors(struct asc_jsonw *w, const struct asc_run_summary *s)
{
    if (!s->n_det)
        return;   /* no detector ran: the record stays as before */
    asc_jw_obj_open(w, "detectors");
    for (size_t i = 0; i < s->n_det; i++) {
        asc_jw_obj_open(w, s->det[i].name);
        for (size_t j = 0; j < s->det[i].n; j++)
            asc_jw_u64(w, s->det[i].st[j].name, s->det[i].st[j].value);
        asc_jw_obj_close(w);
    }
    asc_jw_obj_close(w);
}

void asc_json_summary(struct asc_jsonw *w, const struct asc_run_summary *s)
{
    asc_jw_obj_open(w, NULL);
    asc_json_run(w, s);
    asc_jw_obj_close(w);
}

void asc_json_run(struct asc_jsonw *w, const struct asc_run_summary *s)
{
    asc_jw_obj_open(w, "run");
    asc_jw_arr_open(w, "inputs");
    for (size_t i = 0; i < s->n_inputs; i++)
        asc_jw_str(w, NULL, s->inputs[i]);
    asc_jw_arr_close(w);
    asc_jw_u64(w, "inputs_damaged", s->inputs_damaged);
    asc_jw_time(w, "first", s->first);
    asc_jw_time(w, "last", s->last);
    asc_jw_time(w, "duration", s->last - s->first);
    asc_jw_u64(w, "frames", s->frames);
    asc_jw_u64(w, "wire_bytes", s->wire_bytes);
    asc_jw_u64(w, "captured_bytes", s->cap_bytes);
    asc_jw_u64(w, "flows", s->flows_emitted);
    put_decode(w, s);
    put_flows(w, s);
    put_flowin(w, s);
    put_talkers(w, s);
    put_databases(w, s->enr);
    put_detectors(w, s);
    asc_jw_obj_close(w);
}
