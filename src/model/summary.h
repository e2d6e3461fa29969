/*
 * summary.h - struct asc_run_summary: what a run saw, for the terminal
 * report and the run-metadata record of JSON output.
 *
 * Filled by the app's pipeline from source, decode and flow-table counters
 * and from the flow records; rendered by sinks. Times are data times.
 */
#ifndef ASC_SUMMARY_H
#define ASC_SUMMARY_H

#include "core/topk.h"
#include "decode/decode.h"
#include "flow/flow_table.h"
#include "model/incident.h"
#include "model/flowin_stats.h"

#define ASC_SUM_TOP 10

struct asc_enricher;   /* src/enrich/enrich.h: the databases of the run */

struct asc_proto_count {
    uint64_t flows, pkts, ip_bytes;
};

/* A detector's table capacities and losses (detector.h, stats()). */
struct asc_det_summary {
    const char *name;               /* static */
    size_t n;
    struct { const char *name; uint64_t value; bool is_drop; } st[8];
};

/* What the terminal report shows of one incident (copied at emit). */
struct asc_inc_brief {
    uint8_t type;
    double severity;
    char line[160];                 /* the incident's summary line */
    asc_time start, end;
    uint64_t grade_count[ASC_GRADE__COUNT];
    uint64_t n_sources;
    char top[3][ASC_ADDR_STRLEN + 16];  /* "addr grade cc" of the first sources */
    size_t n_top;
};

struct asc_run_summary {
    const char *const *inputs;      /* borrowed */
    size_t n_inputs;
    unsigned inputs_damaged;
    uint64_t frames, wire_bytes, cap_bytes;
    asc_time first, last;           /* data time of first and last frame */
    uint64_t dec_status[ASC_DEC__COUNT];
    uint64_t dec_reason[ASC_DR__COUNT];
    uint64_t linktypes[8][2];       /* DLT, frames; first 8 seen */
    struct asc_flow_stats flow;
    struct asc_proto_count proto[256];
    uint64_t flows_emitted;
    size_t n_talkers;
    struct asc_topk_item talkers[ASC_SUM_TOP];  /* by IP bytes sent+received */
    size_t n_dst;
    struct asc_dst_count dst[ASC_SUM_TOP];       /* by flows created */
    size_t n_incidents;
    struct asc_inc_brief *incidents;             /* owned; asc_run_summary_free() */
    uint64_t incidents_by_type[ASC_INC__COUNT];
    struct asc_flowin_stats flowin;              /* flow exports and Zeek logs */
    const struct asc_enricher *enr;             /* borrowed; NULL without enrichment */
    /* The "statistics" array as JSON text while sinks render the summary
     * (put_summary); NULL when no statistics were collected. Borrowed. */
    const char *statistics_json;
    size_t statistics_len;
    size_t n_det;
    struct asc_det_summary det[16];              /* detectors that ran, registry order */
};

/* Frees what the summary owns (not the struct itself). */
void asc_run_summary_free(struct asc_run_summary *s);

#endif
