/*
 * lpm.h - longest-prefix match over IPv4 and IPv6 prefixes.
 *
 * Part of the enrichment stage: the registry tables (RIR delegations,
 * pfx2as, country lists, iptoasn) and the intel lists put their prefixes
 * here and look addresses up through it.
 *
 * Life cycle: asc_lpm_new(), any number of asc_lpm_add(), asc_lpm_build(),
 * then lookups. Adding after a build is allowed; it takes effect at the next
 * build (lookups keep seeing the previous build until then). Lookups on a
 * built table are read-only and safe from several threads at once; add and
 * build are single-threaded.
 *
 * Build flattens the prefixes into a sorted array of disjoint address
 * ranges, each with the value of the longest prefix that covers it, and
 * indexes the array by the top 16 bits of the address: a lookup is one
 * load from the 65,537-entry index plus a binary search over the few ranges
 * that start inside that /16 (often none).
 *
 * Values are 64-bit: a uint32 payload, a bitmap or a pointer (uintptr_t).
 *
 * Rules:
 *  - host bits below the prefix length are ignored (10.1.2.3/8 is 10/8);
 *  - /0 to /32 (IPv4) and /0 to /128 (IPv6) are valid;
 *  - the same prefix added twice: ASC_LPM_LAST keeps the value added last,
 *    ASC_LPM_FIRST the one added first, ASC_LPM_OR ORs the values;
 *  - with ASC_LPM_OR a longer prefix also inherits (ORs in) the values of
 *    every shorter prefix that covers it, so a lookup returns the union of
 *    all matching prefixes' values (bitmaps of lists). With LAST/FIRST the
 *    longest matching prefix's value alone is returned.
 */
#ifndef ASC_LPM_H
#define ASC_LPM_H

#include "core/common.h"

enum asc_lpm_mode {
    ASC_LPM_LAST = 0, /* duplicate prefix: the later value wins */
    ASC_LPM_FIRST,    /* duplicate prefix: the earlier value wins */
    ASC_LPM_OR,       /* duplicates OR'ed; nested prefixes inherit the outer bits */
};

/* Hard cap on prefixes per family, so hostile input cannot grow memory
 * without bound (a full BGP table is about 1M IPv4 + 200k IPv6). */
#define ASC_LPM_MAX_PREFIXES (32u * 1024 * 1024)

struct asc_lpm;

/* Returns a new empty table (never NULL; aborts on OOM). Free with asc_lpm_free. */
struct asc_lpm *asc_lpm_new(enum asc_lpm_mode mode);
void asc_lpm_free(struct asc_lpm *t);

/* Adds net/plen with `val`. net->family picks the table. Returns 0,
 * ASC_EINVAL (bad family or plen), or ASC_ENOMEM (cap reached). */
int asc_lpm_add(struct asc_lpm *t, const struct asc_addr *net, unsigned plen, uint64_t val);
/* Same for IPv4 with the address as a host-order integer. */
int asc_lpm_add4(struct asc_lpm *t, uint32_t net, unsigned plen, uint64_t val);

/* Builds the lookup structure from everything added so far. Returns 0. */
int asc_lpm_build(struct asc_lpm *t);

/* Frees the prefixes kept for the next build and for asc_lpm_walk(),
 * keeping only the built lookup structure (large read-only tables). After
 * it, asc_lpm_walk() sees nothing and a later build sees only the prefixes
 * added after the shrink. */
void asc_lpm_shrink(struct asc_lpm *t);

/* Longest match for `a`: true and *val set when a prefix covers it. */
bool asc_lpm_lookup(const struct asc_lpm *t, const struct asc_addr *a, uint64_t *val);
/* IPv4 fast path, address in host byte order. */
bool asc_lpm_lookup4(const struct asc_lpm *t, uint32_t a, uint64_t *val);

/* Calls cb for every distinct prefix of the last build (duplicates merged
 * by the mode's rule, values as added, not inherited), IPv4 first, in
 * address order. Stops and returns cb's value when it is non-zero. */
int asc_lpm_walk(const struct asc_lpm *t,
                 int (*cb)(void *ctx, const struct asc_addr *net, unsigned plen, uint64_t val),
                 void *ctx);

/* Calls cb for every range [lo, hi] of the built structure that carries a
 * value, with the value a lookup returns there (the longest prefix's, or
 * the OR of the covering ones), IPv4 first, in address order; neighbours
 * with equal values may come merged. Works after asc_lpm_shrink. Stops and
 * returns cb's value when it is non-zero. */
int asc_lpm_walk_ranges(const struct asc_lpm *t,
                        int (*cb)(void *ctx, const struct asc_addr *lo, const struct asc_addr *hi,
                                  uint64_t val),
                        void *ctx);

struct asc_lpm_stats {
    size_t n_prefixes4, n_prefixes6; /* distinct prefixes in the last build */
    size_t n_ranges4, n_ranges6;     /* flattened ranges */
    size_t bytes;                    /* memory of the built lookup structure */
};
void asc_lpm_stats(const struct asc_lpm *t, struct asc_lpm_stats *out);

/* Splits the inclusive range [lo, hi] (same family) into the minimal list
 * of CIDR prefixes, calling cb for each in address order. Returns the
 * number of prefixes, or ASC_EINVAL if lo > hi or the families differ. */
int asc_range_to_cidrs(const struct asc_addr *lo, const struct asc_addr *hi,
                       void (*cb)(void *ctx, const struct asc_addr *net, unsigned plen),
                       void *ctx);

/* Parses "ADDR" or "ADDR/LEN" (no surrounding space). A bare address gets
 * the full length. Returns 0 or ASC_EINVAL. */
int asc_cidr_parse(const char *s, struct asc_addr *net, unsigned *plen);

#endif
