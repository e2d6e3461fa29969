/*
 * app.h - the application layer: command-line commands and the pipeline
 * driver that wires source -> decode -> flow table -> detectors -> sinks.
 * The only layer allowed to exit().
 */
#ifndef ASC_APP_H
#define ASC_APP_H

#include "flow/flow_table.h"
#include "enrich/enrich.h"
#include "core/conf.h"
#include "model/summary.h"
#include "sink/sink.h"

#define ASC_VERSION "0.1.0"

enum { ASC_EXIT_OK = 0, ASC_EXIT_FATAL = 1, ASC_EXIT_DAMAGED = 2 };

struct asc_pipe_conf {
    const char *const *inputs;
    size_t n_inputs;
    struct asc_flow_conf flow;
    const struct asc_sink_ops *sink;     /* may be NULL */
    struct asc_sink_conf sink_conf;
    bool progress;                        /* show progress on a terminal */
    bool no_detect;                       /* run no detector (flows only) */
    bool no_talkers;                      /* the summary's top talkers are not
                                             reported: do not keep them (flows) */
    struct asc_conf *conf;                /* detector settings (--set), may be NULL */
    struct asc_enricher *enr;             /* enrichment, may be NULL */
    bool no_stitch;                       /* keep one-way export records apart */
    struct asc_stats *stats;              /* report statistics (src/report), may be NULL */
    const char *evidence_dir;             /* pcap extracts (--evidence), NULL = none */
    unsigned threads;                     /* 1: one thread; 2: a detection thread;
                                             0: 2 when there are two CPUs */
};

/* Inputs sorted by kind (inputs.c): captures (packets or export datagrams)
 * go through the merge, Zeek conn.logs are read as flow records. */
struct asc_inputs {
    const char **caps, **logs;            /* borrowed strings */
    size_t n_caps, n_logs;
};
void asc_inputs_split(const char *const *inputs, size_t n, struct asc_inputs *out);
struct asc_fi;
int asc_inputs_read_logs(const struct asc_inputs *in, struct asc_fi *fi, struct asc_err *err);
void asc_inputs_fini(struct asc_inputs *in);
/* The flow-export decoder configured from pc: defaults, --no-stitch and the
 * flowin.* settings of pc->conf (docs/flow-inputs.md). NULL with err set
 * when a setting is out of its range. */
struct asc_fi *asc_flowin_new(const struct asc_pipe_conf *pc,
                              void (*emit)(void *ctx, const struct asc_flow *f), void *ctx,
                              struct asc_err *err);
/* Widen the summary's data-time range by a record read from a log. */
void asc_flowin_note_time(struct asc_run_summary *s, const struct asc_flow *f);

/* Runs the whole pipeline. Returns ASC_EXIT_OK, ASC_EXIT_DAMAGED (an input
 * was truncated or corrupt; everything before it was analysed) or
 * ASC_EXIT_FATAL with err set. */
int asc_pipeline_run(const struct asc_pipe_conf *pc, struct asc_run_summary *sum,
                     struct asc_err *err);

/* Terminal report of a run summary and, when not NULL, the statistics
 * tables (after asc_stats_finish). */
enum asc_report_detail { ASC_REPORT_QUIET, ASC_REPORT_NORMAL, ASC_REPORT_VERBOSE };
struct asc_stats;
void asc_report_text(FILE *f, const struct asc_run_summary *s, const struct asc_stats *st,
                     enum asc_report_detail detail, bool color);

/* Progress line on stderr (only when stderr is a terminal). */
struct asc_progress;
struct asc_progress *asc_progress_new(uint64_t total_bytes);
void asc_progress_update(struct asc_progress *p, uint64_t done_bytes, uint64_t frames);
void asc_progress_done(struct asc_progress *p);

int asc_cmd_flows(int argc, char **argv);
int asc_cmd_analyze(int argc, char **argv);
int asc_cmd_lookup(int argc, char **argv);
int asc_cmd_html(int argc, char **argv);

/* analyze --html (cmd_html.c): begin() points the JSON sink at a memory
 * stream; end() writes the captured document to json_path (if not NULL) and
 * renders html_path from it, when ok (the run produced a document). */
struct asc_html_capture {
    FILE *mem;
    char *buf;
    size_t len;
};
int asc_html_capture_begin(struct asc_html_capture *hc, struct asc_pipe_conf *pc,
                           struct asc_err *err);
int asc_html_capture_end(struct asc_html_capture *hc, bool ok, const char *json_path,
                         const char *html_path, struct asc_err *err);

/* Database options shared by analyze and lookup (enrich_opts.c). */
enum {
    ASC_OPT_GEO = 3000,
    ASC_OPT_ASN,
    ASC_OPT_LIBLOC,
    ASC_OPT_REGISTRY,
    ASC_OPT_INTEL,
    ASC_OPT_MMDB_DIR,
    ASC_OPT_NO_DEFAULT_DB,
};
#define ASC_ENRICH_LONGOPTS                                                                \
    {"geo", required_argument, NULL, ASC_OPT_GEO},                                          \
        {"asn", required_argument, NULL, ASC_OPT_ASN},                                      \
        {"libloc", required_argument, NULL, ASC_OPT_LIBLOC},                                \
        {"registry", required_argument, NULL, ASC_OPT_REGISTRY},                            \
        {"intel", required_argument, NULL, ASC_OPT_INTEL},                                  \
        {"mmdb-dir", required_argument, NULL, ASC_OPT_MMDB_DIR},                            \
        {"no-default-db", no_argument, NULL, ASC_OPT_NO_DEFAULT_DB}
extern const char asc_enrich_opts_help[];

struct asc_enrich_opts {
    struct asc_enrich_conf cf;   /* points into the arrays below */
    struct asc_db_arg *dbs;
    const char **intel, **dirs;
};
/* 1 if opt was a database option (recorded in o), else 0. */
int asc_parse_enrich_opt(int opt, const char *arg, struct asc_enrich_opts *o);
void asc_enrich_opts_free(struct asc_enrich_opts *o);
int asc_cmd_collect(int argc, char **argv);

/* Shared option parsing for flow-table settings; returns 1 if handled,
 * 0 if not a flow option, -1 on a bad value (message printed). */
int asc_parse_flow_opt(int opt, const char *arg, struct asc_flow_conf *cf);

#endif
