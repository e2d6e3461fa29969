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

/* 24 bytes: a table of many sets keeps four of them in 1.5 cache lines.
 * What all sets of one owner share is in a scan_set_lim. */
struct scan_set {
    union {
        uint64_t *slot;                  /* cap > 0: 0 = empty; key 0 is stored as 1 */
        uint64_t inl[SCAN_SET_INLINE];   /* cap == 0: the first n keys */
    } u;
    uint32_t cap;         /* slots allocated (power of two), 0 = keys inline */
    uint32_t n;           /* keys held */
};

/* The limits of the sets of one owner. */
struct scan_set_lim {
    uint32_t max;         /* keys per set, at least 1 */
    uint64_t *budget;     /* slots the owner may still allocate, shared; may be NULL */
    uint64_t refused;     /* inserts refused because a set was full, all sets */
};

/* An empty set; it holds at most lim->max keys; its first SCAN_SET_INLINE
 * keys live in the set itself (most sources probe one or two targets),
 * slots are allocated only beyond. lim->budget (borrowed, may be NULL) is
 * a slot count shared by many sets: growing takes slots from it and fini
 * gives them back; a set that cannot grow refuses new keys. Every call on
 * a set takes the same lim. */
void scan_set_init(struct scan_set *s);
void scan_set_fini(struct scan_set *s, const struct scan_set_lim *lim);
/* 1 when k was new and inserted, 0 when present, -1 when new but the set
 * is full (counted in lim->refused). */
int scan_set_add(struct scan_set *s, uint64_t k, struct scan_set_lim *lim);
bool scan_set_has(const struct scan_set *s, uint64_t k);

/* A 64-bit finaliser (MurmurHash3's fmix64 constants), and an address
 * hashed with it. Inline: the detectors take several per flow. */
static inline uint64_t scan_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static inline uint64_t scan_hash_addr(const struct asc_addr *a)
{
    uint64_t lo, hi;
    memcpy(&lo, a->b, 8);
    memcpy(&hi, a->b + 8, 8);
    return scan_mix(lo ^ scan_mix(hi ^ a->family));
}

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
