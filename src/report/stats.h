/*
 * stats.h - the report statistics of `ascribe analyze`: the tables of the
 * "statistics" section of the JSON document (docs/schema/analyze.md), the
 * CSV files of --csv and the tables of the terminal report.
 *
 * Sits after the detectors, beside the sinks: the pipeline hands every
 * frame (time, length: the timeline) and every incident (copied here, the
 * incident's pointers are borrowed) to the collector; after the run
 * asc_stats_finish() turns what was collected, with the enricher (country,
 * AS, database metadata, routed space), into a fixed list of tables. How
 * each figure is computed is in docs/report.md.
 *
 * Memory: per-country counters (a fixed array), per-AS counters (one entry
 * per AS seen), a compact copy of each incident (at most ASC_STATS_MAX_INC;
 * beyond, incidents still count in the grouped counters and the method
 * notes say how many were left out of the per-incident tables), and a
 * fixed number of timeline bins whose width grows with the run.
 */
#ifndef ASC_STATS_H
#define ASC_STATS_H

#include <stdio.h>

#include "core/jsonw.h"
#include "enrich/enrich.h"
#include "model/incident.h"

#define ASC_STATS_MAX_INC 100000
#define ASC_STATS_MAX_BINS 300

enum asc_col_type {
    ASC_COL_STRING,
    ASC_COL_CC,      /* ISO alpha-2, "" unknown */
    ASC_COL_ASN,     /* 0 unknown */
    ASC_COL_ADDR,
    ASC_COL_INT,
    ASC_COL_FLOAT,   /* printed %.10g */
    ASC_COL_SHARE,   /* 0..1, 4 decimals */
    ASC_COL_TIME,    /* data time, 9 decimals */
};
const char *asc_col_type_name(unsigned t);

struct asc_col {
    const char *key, *label;
    uint8_t type;              /* enum asc_col_type */
    int8_t grade;              /* enum asc_grade this column counts, -1 none */
};

union asc_cell {
    char *s;                   /* STRING, CC, ADDR: owned by the table */
    uint64_t u;                /* INT, ASN */
    asc_time t;                /* TIME */
    double d;                  /* FLOAT, SHARE */
};

struct asc_th {
    const char *name;
    double v;
};

#define ASC_TAB_COLS 16

struct asc_table {
    const char *id, *title, *label, *chart, *unit;
    unsigned grades;           /* bit g: grade g included */
    char notes[1024];
    size_t n_th;
    struct asc_th th[8];
    size_t n_cols;
    struct asc_col cols[ASC_TAB_COLS];
    size_t n_rows, cap_rows;
    union asc_cell *cells;     /* n_rows * n_cols */
};

enum asc_tab_id {
    ASC_TAB_ATTACK_CC = 0,
    ASC_TAB_ATTACK_ASN,
    ASC_TAB_ATTACK_CC_VER,
    ASC_TAB_ATTACK_ASN_VER,
    ASC_TAB_PORTS,
    ASC_TAB_INTRUSION_CC,
    ASC_TAB_CONTROLLERS_CC,
    ASC_TAB_CONTROLLER_MATRIX,
    ASC_TAB_BAD_CC,
    ASC_TAB_BAD_ASN,
    ASC_TAB_VICTIMS,
    ASC_TAB_VECTORS,
    ASC_TAB_TIMELINE,
    ASC_TAB__COUNT
};

/* What "inside" means for the controller tables (--home, --home-net). */
#define ASC_HOME_MAX 64
struct asc_home {
    size_t n_cc;
    char cc[ASC_HOME_MAX][3];
    size_t n_net;
    struct asc_addr net[ASC_HOME_MAX];
    uint8_t plen[ASC_HOME_MAX];
};
/* Parses "CC[,CC...]" / "CIDR[,CIDR...]" into h; 0 or ASC_EINVAL with err. */
int asc_home_parse_cc(struct asc_home *h, const char *arg, struct asc_err *err);
int asc_home_parse_net(struct asc_home *h, const char *arg, struct asc_err *err);
bool asc_home_defined(const struct asc_home *h);
/* Inside home: country in --home or address in --home-net (true for every
 * address when neither is given). */
bool asc_home_inside(const struct asc_home *h, const struct asc_addr *a, const char *cc);

struct asc_stats_conf {
    const char *const *inputs;
    size_t n_inputs;
    struct asc_enricher *enr;  /* may be NULL: no countries, no databases */
    const struct asc_home *home;   /* may be NULL: nothing defined */
};

struct asc_stats;

struct asc_stats *asc_stats_new(const struct asc_stats_conf *cf);
void asc_stats_free(struct asc_stats *st);
/* One frame of the input (data time, length on the wire). */
void asc_stats_frame(struct asc_stats *st, asc_time ts, uint64_t wirelen);
/* One incident, borrowed for the call. */
void asc_stats_incident(struct asc_stats *st, const struct asc_incident *inc);
/* Builds the tables (once; later calls return the same). first/last: the
 * run's data window. */
const struct asc_table *asc_stats_finish(struct asc_stats *st, asc_time first, asc_time last);

/* The "statistics" array as JSON text (after finish), into w. */
void asc_stats_json(const struct asc_stats *st, struct asc_jsonw *w);
/* One CSV file per table into dir (created if missing). 0 or ASC_EIO. */
int asc_stats_csv(const struct asc_stats *st, const char *dir, struct asc_err *err);
/* Tables after finish (ASC_TAB__COUNT of them), NULL before. */
const struct asc_table *asc_stats_tables(const struct asc_stats *st);

/* Cell text as JSON/CSV print it (numbers) or the string itself. */
const char *asc_cell_fmt(const struct asc_col *c, const union asc_cell *v, char *buf,
                         size_t len);

/* Empirical-Bayes shrinkage of a rate k/n toward the prior mean m with a
 * prior worth `strength` trials: (k + strength*m) / (n + strength). */
double asc_shrink(double k, double n, double m, double strength);

#endif
