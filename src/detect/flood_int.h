/*
 * flood_int.h - state shared by the flood detector's files: flood.c (per
 * packet), flood_vec.c (vector classification) and flood_tick.c (bins,
 * change points, incidents). Not for other modules.
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
};

unsigned flood_vec_classify(const struct asc_ipl *l, const struct asc_flow *f, unsigned *ev);
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
    uint16_t len;
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
    size_t nsets;
    uint64_t dropped;           /* packets with no table slot */
    struct frag_memo *memo;
    const struct asc_evidence_hook *ev;   /* NULL unless extracts are written */
    uint64_t evicted;           /* quiet entries replaced by a new destination */
    uint64_t src_overflow;      /* incidents whose sources went past max_sources */
};

/* The evidence key of a (destination, vector) entry (detector.h). */
uint64_t flood_ev_key(const struct asc_addr *dst, unsigned vec);

void flood_on_tick(void *state, asc_time now, bool final, struct asc_emitter *out);

#endif
