/*
 * incident_json.c - one incident as a JSON object (the elements of
 * "incidents" in `ascribe analyze --json`; schema in
 * docs/schema/analyze.md). Numbers with fixed decimals so the bytes are
 * stable; groups and sources in the order the detector gave them.
 */
#include <string.h>

#include "sink/summary_json.h"

static void put_grades(struct asc_jsonw *w, const char *key, const uint64_t *v)
{
    asc_jw_obj_open(w, key);
    for (int g = 0; g < ASC_GRADE__COUNT; g++)
        asc_jw_u64(w, asc_grade_name((unsigned)g), v[g]);
    asc_jw_obj_close(w);
}

static void put_groups(struct asc_jsonw *w, const char *key, const struct asc_inc_group *g,
                       size_t n, bool by_asn)
{
    asc_jw_arr_open(w, key);
    for (size_t i = 0; i < n; i++) {
        asc_jw_obj_open(w, NULL);
        if (by_asn) {
            asc_jw_u64(w, "asn", g[i].asn);
            asc_jw_str(w, "as_name", g[i].as_name ? g[i].as_name : "");
        } else {
            asc_jw_str(w, "cc", g[i].cc);
        }
        put_grades(w, "sources", g[i].sources);
        put_grades(w, "pkts", g[i].pkts);
        asc_jw_obj_close(w);
    }
    asc_jw_arr_close(w);
}

static void put_sources(struct asc_jsonw *w, const struct asc_incident *inc)
{
    char a[ASC_ADDR_STRLEN];
    asc_jw_arr_open(w, "top_sources");
    for (size_t i = 0; i < inc->n_top; i++) {
        const struct asc_inc_source *s = &inc->top[i];
        asc_jw_obj_open(w, NULL);
        asc_jw_str(w, "addr", asc_addr_str(&s->addr, a, sizeof(a)));
        asc_jw_u64(w, "pkts", s->pkts);
        asc_jw_u64(w, "bytes", s->bytes);
        asc_jw_str(w, "grade", asc_grade_name(s->grade));
        asc_jw_str(w, "cc", s->cc);
        asc_jw_u64(w, "asn", s->asn);
        asc_jw_obj_close(w);
    }
    asc_jw_arr_close(w);
}

/* The "intel" member of a known-bad contact (docs/schema/analyze.md). */
static void put_intel(struct asc_jsonw *w, const struct asc_inc_intel *ii)
{
    static const char *const dirs[] = {"", "outbound", "inbound", "both"};
    char a[ASC_ADDR_STRLEN];
    asc_jw_obj_open(w, "intel");
    asc_jw_str(w, "indicator", asc_addr_str(&ii->indicator, a, sizeof(a)));
    asc_jw_arr_open(w, "lists");
    for (size_t i = 0; i < ii->n_lists && i < ASC_INTEL_LISTS; i++) {
        asc_jw_obj_open(w, NULL);
        asc_jw_str(w, "name", ii->lists[i].name ? ii->lists[i].name : "");
        asc_jw_str(w, "category", ii->lists[i].category ? ii->lists[i].category : "");
        asc_jw_str(w, "date", ii->lists[i].date ? ii->lists[i].date : "");
        asc_jw_obj_close(w);
    }
    asc_jw_arr_close(w);
    asc_jw_str(w, "direction", dirs[ii->direction & 3]);
    asc_jw_arr_open(w, "hosts");
    for (size_t i = 0; i < ii->n_hosts && i < ASC_INTEL_HOSTS; i++) {
        const struct asc_intel_host *h = &ii->hosts[i];
        asc_jw_obj_open(w, NULL);
        asc_jw_str(w, "addr", asc_addr_str(&h->addr, a, sizeof(a)));
        asc_jw_u64(w, "pkts", h->pkts);
        asc_jw_u64(w, "bytes", h->bytes);
        asc_jw_time(w, "first", h->first);
        asc_jw_time(w, "last", h->last);
        asc_jw_obj_close(w);
    }
    asc_jw_arr_close(w);
    asc_jw_obj_close(w);
}

static void put_detector(struct asc_jsonw *w, const struct asc_incident *inc)
{
    asc_jw_obj_open(w, "detector");
    asc_jw_str(w, "name", inc->detector);
    asc_jw_str(w, "version", inc->detector_version);
    asc_jw_obj_open(w, "params");
    for (size_t i = 0; i < inc->n_params; i++)
        asc_jw_fixed(w, inc->params[i].name, inc->params[i].value, 3);
    asc_jw_obj_close(w);
    asc_jw_obj_close(w);
}

void asc_json_incident(struct asc_jsonw *w, const struct asc_incident *inc)
{
    char a[ASC_ADDR_STRLEN];
    asc_jw_obj_open(w, NULL);
    asc_jw_str(w, "type", asc_inc_type_name(inc->type));
    asc_jw_str(w, "vector", inc->vector);
    asc_jw_u64(w, "ip_proto", inc->proto);
    asc_jw_str(w, "summary", inc->summary ? inc->summary : "");
    asc_jw_fixed(w, "severity", inc->severity, 1);
    if (inc->type == ASC_INC_BRUTEFORCE)
        asc_jw_bool(w, "possible_success", inc->possible_success);
    if (inc->type == ASC_INC_SCAN)
        asc_jw_str(w, "fingerprint", inc->fingerprint ? inc->fingerprint : "");
    asc_jw_str(w, "victim", inc->victim.family ? asc_addr_str(&inc->victim, a, sizeof(a)) : "");
    asc_jw_u64(w, "victims", inc->n_victims);
    asc_jw_u64(w, "victim_port", inc->victim_port);
    asc_jw_arr_open(w, "ports");
    for (size_t i = 0; i < inc->n_ports; i++)
        asc_jw_u64(w, NULL, inc->ports[i]);
    asc_jw_arr_close(w);
    asc_jw_time(w, "start", inc->start);
    asc_jw_time(w, "end", inc->end);
    asc_jw_u64(w, "pkts", inc->pkts);
    asc_jw_u64(w, "bytes", inc->bytes);
    asc_jw_u64(w, "flows", inc->flows);
    asc_jw_fixed(w, "peak_pps", inc->peak_pps, 1);
    asc_jw_fixed(w, "peak_bps", inc->peak_bps, 1);
    asc_jw_fixed(w, "mean_pps", inc->mean_pps, 1);
    asc_jw_fixed(w, "mean_bps", inc->mean_bps, 1);
    asc_jw_u64(w, "sources", inc->n_sources);
    asc_jw_bool(w, "sources_estimated", inc->n_sources_estimated);
    put_grades(w, "grades", inc->grade_count);
    put_sources(w, inc);
    put_groups(w, "by_country", inc->by_cc, inc->n_by_cc, false);
    put_groups(w, "by_asn", inc->by_asn, inc->n_by_asn, true);
    asc_jw_arr_open(w, "community_ids");
    for (size_t i = 0; i < inc->n_cids; i++)
        asc_jw_str(w, NULL, inc->cids[i]);
    asc_jw_arr_close(w);
    asc_jw_str(w, "evidence_file", inc->evidence_file ? inc->evidence_file : "");
    if (inc->type == ASC_INC_INTEL && inc->intel)
        put_intel(w, inc->intel);
    put_detector(w, inc);
    asc_jw_obj_close(w);
}
