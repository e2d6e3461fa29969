/*
 * grade.h - evidence grades of source addresses (DESIGN.md, "Attribution
 * with grades"): the per-source evidence class, the hop-count table it is
 * checked against, and the incident-level spoofing verdict.
 *
 * Sits after the detectors: a detector records what it saw of a source
 * (answered or not, reflected a request, the TTL of its packets) and
 * srcset.c turns that, with the enrichment answer, into a grade:
 *
 *   reflector  the source sent the responses of a reflection vector
 *              (amplification, SYN-ACK reflection) the victim never asked for
 *   relay      anycast, anonymous proxy, hosting, Tor exit or a proxy list
 *   verified   it completed a TCP handshake or answered
 *   spoofed    a bogon or unrouted address; a TTL outlier for its prefix;
 *              or one-way in an incident whose sources look random
 *   consistent otherwise: one-way, routed, hop count plausible
 *
 * The rules are applied in that order; docs/grades.md gives thresholds.
 */
#ifndef ASC_GRADE_H
#define ASC_GRADE_H

#include <string.h>

#include "core/common.h"
#include "enrich/enrich.h"
#include "model/flow.h"
#include "model/incident.h"

/* Evidence bits a detector records for a source. */
enum {
    ASC_EV_ANSWERED  = 1u << 0,  /* completed a handshake / exchanged traffic both ways */
    ASC_EV_REFLECTED = 1u << 1,  /* sent responses of a reflection vector */
    ASC_EV_ONEWAY    = 1u << 2,  /* only ever sent, never received */
};

/* Whether a flow proves its originator's address real: a TCP handshake
 * the originator completed (the responder's SYN-ACK and the originator's
 * ACK in the history), or, for other protocols, traffic both ways.
 * Export records have no history: a stitched or bidirectional record
 * whose responder sent SYN and ACK and whose originator sent ACK counts;
 * a one-way record never does (docs/flow-inputs.md). */
static inline bool asc_flow_verifies_orig(const struct asc_flow *f)
{
    if (f->flags & ASC_FF_ONEWAY)
        return false;
    if (f->key.proto == 6) {
        if (asc_flow_has_history(f))
            return strchr(f->history, 'h') && strchr(f->history, 'A');
        return (f->dir[1].tcp_flags & 0x12) == 0x12 && (f->dir[0].tcp_flags & 0x10) &&
               f->dir[0].pkts && f->dir[1].pkts;    /* 0x12 SYN|ACK, 0x10 ACK */
    }
    return f->dir[0].pkts && f->dir[1].pkts;
}

/* Evidence class of one source, before the incident-level verdict. */
enum asc_src_class {
    ASC_CL_REFLECTOR = 0,
    ASC_CL_RELAY,
    ASC_CL_VERIFIED,
    ASC_CL_SPOOF_BOGON,      /* bogon, private-as-public-source or unrouted */
    ASC_CL_SPOOF_TTL,        /* hop count differs from the learned one */
    ASC_CL_HOPS_OK,          /* one-way, hop count matches the learned one */
    ASC_CL_ONEWAY,           /* one-way, nothing else known */
    ASC_CL__COUNT
};

/* Learned hop counts per /24 (IPv4) or /48 (IPv6), from verified traffic
 * only (Jin, Wang, Shin 2003). Bounded: stops learning when full. */
struct asc_hoptab;
struct asc_hoptab *asc_hoptab_new(size_t cap);
void asc_hoptab_free(struct asc_hoptab *t);
/* Hop count implied by a TTL: the distance to the next common initial
 * value (32, 64, 128, 255). */
unsigned asc_ttl_hops(uint8_t ttl);
void asc_hoptab_learn(struct asc_hoptab *t, const struct asc_addr *src, uint8_t ttl);
/* -1 nothing learned for the prefix, 1 within tolerance, 0 an outlier. */
int asc_hoptab_check(const struct asc_hoptab *t, const struct asc_addr *src, uint8_t ttl);
size_t asc_hoptab_size(const struct asc_hoptab *t);

#define ASC_HOP_TOLERANCE 2

/* What grading consults; every pointer may be NULL. */
struct asc_grader {
    struct asc_enricher *enr;
    const struct asc_hoptab *hops;
};

/* Class of a source from its evidence bits, observed TTL (0 = unknown)
 * and the enrichment answer (looked up here into *geo). */
enum asc_src_class asc_classify(const struct asc_grader *g, const struct asc_addr *a,
                                unsigned ev, uint8_t ttl, struct asc_geo *geo);

/* Incident-level verdict: do the one-way sources look randomly spoofed?
 * n sources sending pkts packets, of which n_oneway one-way, spread over
 * n_slash8 distinct /8s (IPv4 only; 0 when unknown). */
bool asc_spoof_verdict(uint64_t n, uint64_t pkts, uint64_t n_oneway, unsigned n_slash8);

/* Final grade of a class under the verdict. */
enum asc_grade asc_class_grade(enum asc_src_class c, bool spoofed_verdict);

#endif
