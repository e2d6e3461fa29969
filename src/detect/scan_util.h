/*
 * scan_util.h - small pieces shared by the scan, backscatter and
 * brute-force detectors (src/detect/scan.c, backscatter.c, bruteforce.c):
 *
 *   scan_set   a bounded set of 64-bit hashes (open addressing, grows to
 *              a cap, then refuses and counts): distinct hosts, ports and
 *              (host, port) pairs per source.
 *   scan_trw   the sequential hypothesis test of the threshold random
 *              walk (Jung, Paxson, Berger, Balakrishnan 2004).
 *   scan_win   an exact sliding window over the last N event times:
 *              "N events within S seconds".
 *
 * Not for other modules; unit-tested in tests/unit/test_scan.c.
 */
#ifndef ASC_SCAN_UTIL_H
#define ASC_SCAN_UTIL_H

#include "core/common.h"

/* ---- bounded hash set --------------------------------------------------- */

#define SCAN_SET_INLINE 2

struct scan_set {
    uint64_t *slot;       /* 0 = empty; key 0 is stored as 1 */
    uint64_t inl[SCAN_SET_INLINE];   /* the first keys, while cap == 0 */
    uint32_t cap;         /* slots allocated (power of two), 0 = keys inline */
    uint32_t n;           /* keys held */
    uint32_t max;         /* at most this many keys */
    uint64_t refused;     /* inserts refused because the set was full */
    uint64_t *budget;     /* slots the owner may still allocate, shared; may be NULL */
};

/* A set that holds at most max keys; its first SCAN_SET_INLINE keys live
 * in the set itself (most sources probe one or two targets), slots are
 * allocated only beyond. budget (borrowed, may be NULL) is a slot count shared by
 * many sets: growing takes slots from it and fini gives them back; a set
 * that cannot grow refuses new keys. */
void scan_set_init(struct scan_set *s, uint32_t max, uint64_t *budget);
void scan_set_fini(struct scan_set *s);
/* 1 when k was new and inserted, 0 when present, -1 when new but the set
 * is full (counted in refused). */
int scan_set_add(struct scan_set *s, uint64_t k);
bool scan_set_has(const struct scan_set *s, uint64_t k);

uint64_t scan_hash_addr(const struct asc_addr *a);
uint64_t scan_mix(uint64_t x);

/* ---- threshold random walk ---------------------------------------------- */

enum { SCAN_TRW_PENDING = 0, SCAN_TRW_SCANNER, SCAN_TRW_BENIGN };

/* theta0: P(success | benign), theta1: P(success | scanner), pd: wanted
 * detection probability, pf: tolerated false positive probability. */
struct scan_trw_params {
    double theta0, theta1, pd, pf;
    double step_ok, step_fail;   /* log-likelihood ratio steps */
    double upper, lower;         /* log eta1, log eta0 */
};

/* 0, or ASC_EINVAL when the parameters do not give a test
 * (0 < theta1 < theta0 < 1, 0 < pf < pd < 1). */
int scan_trw_setup(struct scan_trw_params *p, double theta0, double theta1, double pd,
                   double pf);

struct scan_trw {
    double llr;          /* log of the likelihood ratio so far */
    uint8_t state;       /* SCAN_TRW_* */
};

/* One first contact to a new destination; returns the state after it.
 * A decided walk does not move any more. */
int scan_trw_step(const struct scan_trw_params *p, struct scan_trw *t, bool success);

/* ---- sliding window ----------------------------------------------------- */

struct scan_win {
    asc_time *t;         /* ring of the last `need` event times, cap allocated */
    uint32_t need, n, head, cap;
};

/* A window that fires when `need` (1..65536) events fall within a span. */
void scan_win_init(struct scan_win *w, uint32_t need);
/* Empty again, for `need` events, keeping the ring's memory when it is
 * large enough (tables that reuse their entries allocate once). */
void scan_win_reset(struct scan_win *w, uint32_t need);
void scan_win_fini(struct scan_win *w);
/* Adds an event at time t (times may arrive slightly out of order); true
 * when the last `need` events span at most `span`. */
bool scan_win_push(struct scan_win *w, asc_time t, asc_time span);

#endif
