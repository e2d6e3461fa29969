/*
 * fi_internal.h - shared state of the flow-export decoders (fi_*.c):
 * exporters, templates, held sets, the stitch buffer and the helpers the
 * protocol files call. Not part of the public interface (see flowin.h).
 */
#ifndef ASC_FI_INTERNAL_H
#define ASC_FI_INTERNAL_H

#include "core/cursor.h"
#include "source/flowin.h"

#define FI_MAX_FIELDS 256        /* fields per template; more is "absurd" */
#define FI_MAX_SAMPLERS 16       /* sampler ids remembered per exporter */
#define FI_VARLEN 0xffffu        /* IPFIX variable-length field marker */
#define FI_PEN_REVERSE 29305u    /* RFC 5103 reverse information elements */

struct fi_field {
    uint16_t id;                 /* information element id (enterprise bit cleared) */
    uint16_t len;                /* FI_VARLEN for variable length */
    uint32_t pen;                /* enterprise number, 0 for IANA */
    uint8_t op;                  /* fi_field_op: how fi_record.c stores it */
};

/* How a data record field is stored, chosen once per template field: the
 * common IANA elements at their usual widths by a direct store, anything
 * else (0) by the general per-element code. fi_record.c. */
uint8_t fi_field_op(const struct fi_field *f);

struct fi_tmpl {
    struct fi_tmpl *next;        /* exporter's list */
    uint16_t id;
    uint16_t nfields;
    uint16_t nscope;             /* options templates: leading scope fields */
    bool options;
    bool varlen;                 /* has a variable-length field */
    uint32_t min_len;            /* record length with every varlen field empty */
    asc_time seen;               /* last time it was (re)announced */
    struct fi_field *f;
    struct fi_plan *plan;        /* fixed-length data templates: fi_plan_new, or NULL */
    size_t plan_bytes;
};

/* A fixed-length template's reading plan: the offset of each direct field
 * and the other fields in order, when no two fields store to the same
 * place (so their order cannot matter); NULL otherwise, or for templates
 * with variable-length fields. *bytes: its size. Freed with free(). */
struct fi_plan *fi_plan_new(const struct fi_tmpl *t, size_t *bytes);

struct fi_sampler {
    uint32_t id;
    uint32_t rate;
};

struct fi_exporter {
    struct fi_exporter *hnext;   /* hash chain */
    struct asc_addr addr;
    uint32_t domain;             /* v9 source id / IPFIX observation domain / sFlow sub-agent */
    uint8_t version;             /* 9 or 10: templates live in separate spaces */
    asc_time seen;
    size_t n_tmpl;
    struct fi_tmpl *tmpl;
    uint32_t rate;               /* exporter-wide sampling rate (0 = unknown) */
    size_t n_samplers;
    struct fi_sampler samplers[FI_MAX_SAMPLERS];
};

/* Message context: what a data record needs from its message header. */
struct fi_msg {
    struct fi_exporter *ex;
    uint8_t version;             /* 5, 9, 10 */
    asc_time arrival;            /* datagram data time */
    uint32_t unix_secs;          /* export time */
    uint32_t uptime_ms;          /* v9 sysUpTime at export (0 for IPFIX) */
};

/* A data set waiting for its template. */
struct fi_held {
    struct fi_held *next;
    struct fi_exporter *ex;
    uint16_t tmpl_id;
    struct fi_msg msg;
    size_t len;
    uint8_t data[];
};

struct fi_stitch;

struct asc_fi {
    struct asc_fi_conf cf;
    asc_fi_emit_fn emit;
    void *ctx;
    struct asc_flowin_stats st;
    struct fi_exporter **ex_hash;
    size_t ex_nbuckets, n_ex;
    struct fi_held *held, **held_tail;
    size_t n_held, held_bytes;
    struct fi_stitch *stitch;
    asc_time now;
    asc_time last_sweep;
    uint64_t seq;
    size_t tmpl_mem;
};

static inline void fi_cnt(struct asc_fi *fi, enum asc_fi_counter c)
{
    fi->st.c[c]++;
}

/* fi_core.c */
struct fi_exporter *fi_exporter_get(struct asc_fi *fi, const struct asc_addr *a,
                                    uint32_t domain, uint8_t version);
/* A decoded one-way (or biflow) record: numbering, sampling counters, then
 * to the stitcher or straight out. */
void fi_record(struct asc_fi *fi, struct asc_flow *f);
/* The same, for a record whose fi_stitch_hash is known (the decoder took
 * it to prefetch the stitch index). */
void fi_record_hashed(struct asc_fi *fi, struct asc_flow *f, uint32_t h);
void fi_emit(struct asc_fi *fi, struct asc_flow *f);
/* Scale a counter by a sampling rate, saturating (counted). */
uint32_t fi_scale32(struct asc_fi *fi, uint64_t v, uint32_t rate);
/* TCP state from the OR of flags each way (Zeek conn_state look-alike). */
void fi_tcp_state(struct asc_flow *f);

/* fi_tmpl.c - templates, options, held sets (shared by v9 and IPFIX) */
struct fi_tmpl *fi_tmpl_find(struct asc_fi *fi, struct fi_exporter *ex, uint16_t id);
/* Parse one template record at the cursor; ipfix selects field-specifier
 * encoding. Returns false if the rest of the set must be skipped. */
bool fi_tmpl_parse(struct asc_fi *fi, struct fi_exporter *ex, struct asc_cursor *c, bool ipfix,
                   bool options);
void fi_tmpl_withdraw(struct asc_fi *fi, struct fi_exporter *ex, uint16_t id, bool all);
void fi_tmpl_free_all(struct fi_exporter *ex);
void fi_hold(struct asc_fi *fi, const struct fi_msg *m, uint16_t id, const uint8_t *p,
             size_t len);
/* After a template arrives: decode held sets for it. */
void fi_hold_replay(struct asc_fi *fi, struct fi_exporter *ex, uint16_t id);
void fi_hold_expire(struct asc_fi *fi, asc_time now, bool all);
void fi_hold_forget_exporter(struct asc_fi *fi, struct fi_exporter *ex);

/* fi_record.c - data records of v9/IPFIX to flows */
void fi_data_set(struct asc_fi *fi, const struct fi_msg *m, const struct fi_tmpl *t,
                 const uint8_t *p, size_t len);

/* fi_nf.c - message walkers */
void fi_nf5(struct asc_fi *fi, const struct asc_addr *exp, asc_time ts, const uint8_t *p,
            size_t len);
void fi_nf9(struct asc_fi *fi, const struct asc_addr *exp, asc_time ts, const uint8_t *p,
            size_t len);
void fi_ipfix(struct asc_fi *fi, const struct asc_addr *exp, asc_time ts, const uint8_t *p,
              size_t len);
bool fi_nf5_sane(const uint8_t *p, size_t len);
bool fi_nf9_sane(const uint8_t *p, size_t len, bool strict);
bool fi_ipfix_sane(const uint8_t *p, size_t len);

/* fi_sflow.c */
void fi_sflow(struct asc_fi *fi, const struct asc_addr *exp, asc_time ts, const uint8_t *p,
              size_t len);
bool fi_sflow_sane(const uint8_t *p, size_t len, bool strict);

/* fi_stitch.c */
struct fi_stitch *fi_stitch_new(size_t cap);
void fi_stitch_free(struct fi_stitch *s);
/* h: fi_stitch_hash(&f->key). */
void fi_stitch_put(struct asc_fi *fi, struct asc_flow *f, uint32_t h);
/* The same value for a key and its reverse. */
uint32_t fi_stitch_hash(const struct asc_flow_key *k);
/* Start loading the index slot that fi_stitch_put will read for a key of
 * hash h (the decoder calls it a few records ahead). No-op without a
 * stitch buffer. */
void fi_stitch_prefetch(struct asc_fi *fi, uint32_t h);
void fi_stitch_expire(struct asc_fi *fi, asc_time now, bool all);
size_t fi_stitch_mem(const struct fi_stitch *s);

#endif
