/*
 * flood_int.h - state shared by the flood detector's files: flood.c (per
 * packet), flood_vec.c (vector classification), flood_tick.c (bins,
 * change points, incidents) and flood_rec.c (flow-export records). Not for
 * other modules.
 */
#ifndef ASC_FLOOD_INT_H
#define ASC_FLOOD_INT_H

#include "attrib/srcset.h"
#include "detect/detector.h"

/* Vectors: fixed ones, then one per amplification service (flood_vec.c). */
enum {
    FV_NONE = 0,
    FV_SYN,
    FV_SYNACK,      /* unsolicited SYN-ACK: TCP reflection */
    FV_ACK,         /* ACK without a handshake */
    FV_RST,         /* unsolicited RST */
    FV_UDP,
    FV_ICMP,
    FV_FRAG,        /* fragments whose first fragment was not seen */
    FV_AMP0,        /* first amplification service */
};

struct flood_params {
    double syn_pps, tcp_pps, udp_pps, amp_pps, icmp_pps, frag_pps;
    double min_sources, quiet, alpha, max_dst, max_sources;
    double lateness, max_pending;   /* flow-export records (flood_rec.c) */
};

bool flood_vec_possible(const struct asc_ipl *l, const struct asc_flow *f);
unsigned flood_vec_classify(const struct asc_ipl *l, const struct asc_flow *f, unsigned *ev);
/* The vector of what side `sd` (0 orig, 1 resp) of an export record sent;
 * *pkts gets the packets of that vector (all, or one SYN of a connection). */
unsigned flood_vec_record(const struct asc_flow *f, int sd, uint64_t *pkts, unsigned *ev);
bool flood_vec_reflective(unsigned vec);
const char *flood_vec_name(unsigned vec);
uint8_t flood_vec_proto(unsigned vec);
double flood_vec_floor(const struct flood_params *p, unsigned vec);
/* Whether the vector needs min_sources distinct sources to alarm. */
bool flood_vec_needs_sources(unsigned vec);

#define FLOOD_VERSION "1.0"
#define PENDING 8               /* sources remembered before a candidate set */
#define WAYS 8                  /* set-associative destination table */
#define FRAG_MEMO 4096

struct pend {
    struct asc_addr a;
    uint8_t ttl, ev;
    uint32_t pkts;
    uint64_t bytes;
};

struct open_inc {
    asc_time start, end;
    int64_t last_alarm_sec;
    uint64_t pkts, bytes;
    double peak_pps, peak_bps;
    uint64_t alarm_secs;
    struct asc_srcset *src;
    uint16_t port[ASC_INC_PORTS];
    uint64_t port_pkts[ASC_INC_PORTS];
    struct asc_flow_key cid_keys[ASC_INC_CIDS];
    size_t n_cid;
    uint32_t sampling;          /* largest sampling rate of its records (1 = none) */
};

struct dstv {
    struct asc_addr dst;
    uint8_t vec, used, n_pend;
    int64_t sec;                /* bin being filled */
    asc_time bin_first, bin_last;
    uint64_t bin_pkts, bin_bytes;
    double mu, sigma, cusum;    /* baseline of earlier bins */
    int64_t base_sec;           /* last bin folded into the baseline */
    struct pend pend[PENDING];
    struct asc_srcset *cand;    /* sources of the current bin (past PENDING) */
    struct open_inc *inc;
    uint32_t sampling;          /* largest sampling rate seen (records only) */
};

struct frag_memo {
    struct asc_addr src, dst;
    uint32_t id;
    uint8_t vec;
};

struct flood {
    const struct asc_grader *g;
    struct flood_params prm;
    struct asc_inc_param params[8];
    size_t n_params;
    struct dstv *t;
    uint64_t *tags;             /* per way: hash of (dst, vec) | 1, 0 = unused */
    size_t nsets;
    /* Entries a tick may have work on, one bit per way: set when a bin
     * opens (flood_account), cleared by the tick once the entry holds no
     * open bin, incident or candidates. live_sum has a bit per word of
     * live that is not zero, so a tick reads table/4096 words and the
     * entries listed, in table order (flood_live_next). */
    uint64_t *live, *live_sum;
    uint64_t dropped;           /* packets with no table slot */
    struct frag_memo *memo;
    const struct asc_evidence_hook *ev;   /* NULL unless extracts are written */
    uint64_t evicted;           /* quiet entries replaced by a new destination */
    uint64_t src_overflow;      /* incidents whose sources went past max_sources */
    bool is_rec;                /* this table counts flow-export records */
    struct flood *rx;           /* the table of export records, made on the first */
    struct frec_ring *ring;     /* their shares waiting for their second */
};

/* What one packet, or one record's share of one second, adds to a bin. */
struct flood_add {
    int64_t sec;
    asc_time t0, t1;
    const struct asc_addr *src;
    uint64_t pkts, bytes;
    uint8_t ttl, ev;
    bool has_port;
    uint16_t port;
    const struct asc_flow_key *key;     /* for Community IDs, may be NULL */
    uint32_t sampling;
};

/* The evidence key of a (destination, vector) entry (detector.h). */
uint64_t flood_ev_key(const struct asc_addr *dst, unsigned vec);
uint64_t flood_dv_hash(const struct asc_addr *a, unsigned vec);
/* Allocate the table of d->nsets sets (entries, tags, live bits). */
void flood_table_new(struct flood *d);
/* The first live entry index at or after i; SIZE_MAX when none. */
size_t flood_live_next(const struct flood *d, size_t i);
void flood_live_clear(struct flood *d, size_t i);
struct dstv *flood_dv_find(struct flood *d, const struct asc_addr *dst, unsigned vec);
struct dstv *flood_dv_get(struct flood *d, const struct asc_addr *dst, unsigned vec);
void flood_account(struct flood *d, struct dstv *e, const struct flood_add *a);
void flood_close_bin(struct flood *d, struct dstv *e);
/* Emit the open incident of e and free it. */
void flood_emit_inc(struct flood *d, struct dstv *e, struct asc_emitter *out);
void flood_destroy(struct flood *d);
/* Close bins before now_sec and emit incidents quiet since (all if final). */
void flood_tick_table(struct flood *d, int64_t now_sec, bool final, struct asc_emitter *out);
void flood_on_tick(void *state, asc_time now, bool final, struct asc_emitter *out);

/* flood_rec.c: export records into d->rx, by the records' own clock. */
void flood_rec_put(struct flood *d, const struct asc_flow *f);
void flood_rec_tick(struct flood *d, bool final, struct asc_emitter *out);
void flood_rec_free(struct flood *d);

#endif
