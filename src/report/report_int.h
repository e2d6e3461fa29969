/*
 * report_int.h - internals of src/report: the collector's state (what the
 * pipeline handed over during the run) and the table builders, one file
 * per family of tables (tab_attack.c, tab_intel.c, tab_misc.c).
 */
#ifndef ASC_REPORT_INT_H
#define ASC_REPORT_INT_H

#include "report/stats.h"

#define ST_NCC (1 + 26 * 26)   /* index 0: unknown country */

/* Grouped counters of one country or AS. */
struct st_grp {
    uint64_t att_pkts[ASC_GRADE__COUNT];   /* attack traffic: attempts per grade */
    uint64_t att_src[ASC_GRADE__COUNT];    /* sources per grade (summed over incidents) */
    uint64_t bf_att, probe_att;            /* intrusion attempts: brute force, probes */
    uint64_t intr_src[ASC_GRADE__COUNT];
};

struct st_asn {
    uint32_t asn;
    char *name;                             /* first AS name seen, may be NULL */
    struct st_grp g;
};

/* Compact copy of one incident (victims, vectors, ports, timeline). */
struct st_inc {
    uint8_t type, proto;
    char vector[32];
    struct asc_addr victim;                 /* family NONE: several */
    uint64_t n_victims;
    uint16_t victim_port;
    size_t n_ports;
    uint16_t ports[ASC_INC_PORTS];
    asc_time start, end;
    uint64_t pkts, bytes, n_sources;
    double peak_pps, severity;
    uint64_t grade_count[ASC_GRADE__COUNT];
};

/* One known-bad contact (intel incident). */
struct st_intel {
    struct asc_addr ind;
    char cc[3];
    uint32_t asn;
    uint8_t grade;
    bool c2;
    size_t n_hosts;
    struct asc_addr *hosts;                 /* owned */
};

struct asc_stats {
    struct asc_stats_conf cf;
    struct st_grp cc[ST_NCC];
    struct st_asn *asn;                     /* open addressing; .asn holds the AS number + 1 */
    size_t asn_mask, asn_n;
    struct st_inc *inc;
    size_t n_inc, cap_inc;
    uint64_t inc_dropped;                   /* beyond ASC_STATS_MAX_INC */
    struct st_intel *intel;
    size_t n_intel, cap_intel;
    uint64_t intel_dropped;
    /* timeline: bins of `width` ns aligned on multiples of it; bin 0 is the
     * absolute bin `base` (the first frame's) */
    bool started;
    asc_time width;
    unsigned ladder;                        /* times the width grew */
    int64_t base;
    asc_time cur_lo, cur_hi;  /* [lo, hi): the times of bin cur, the last one hit */
    size_t cur;
    size_t n_bins;
    uint64_t bin_pkts[ASC_STATS_MAX_BINS], bin_bytes[ASC_STATS_MAX_BINS];
    asc_time first, last;
    struct asc_table tab[ASC_TAB__COUNT];
    bool finished;
};

/* Country code <-> counter index. */
size_t st_cc_index(const char *cc);
void st_cc_code(size_t i, char out[3]);
/* The AS entries in use, sorted by ASN (caller frees the array). */
struct st_asn **st_asn_list(const struct asc_stats *st, size_t *n);
bool st_is_attack(uint8_t type);

/* Table building (stats.c). */
void tab_init(struct asc_table *t, const char *id, const char *title, const char *label,
              const char *chart, const char *unit, unsigned grades);
void tab_col(struct asc_table *t, const char *key, const char *label, enum asc_col_type type);
void tab_grade_cols(struct asc_table *t, unsigned grades);
void tab_th(struct asc_table *t, const char *name, double v);
void tab_note(struct asc_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
union asc_cell *tab_row(struct asc_table *t);   /* a new zeroed row */
char *tab_str(const char *s);
char *tab_addr(const struct asc_addr *a);
/* Sorts rows (stable) by the columns in spec: spec[i] = +(col+1) ascending,
 * -(col+1) descending; n entries. */
void tab_sort(struct asc_table *t, const int *spec, size_t n);
void tab_free(struct asc_table *t);
#define ASC_ALL_GRADES ((1u << ASC_GRADE__COUNT) - 1)

/* The builders. */
void st_build_attack(struct asc_stats *st);      /* tab_attack.c: 5 tables */
void st_build_intel(struct asc_stats *st);       /* tab_intel.c: controllers, matrix */
void st_build_hosting(struct asc_stats *st);     /* tab_hosting.c: known-bad hosting */
void st_build_misc(struct asc_stats *st);        /* tab_misc.c: victims, vectors, timeline */

#endif
