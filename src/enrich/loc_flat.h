/*
 * loc_flat.h - libloc's networks flattened into the project's LPM (the
 * libloc backend's fast path; loc_flat.c says how, loc.c when).
 *
 * Internal to src/enrich. A built table is read-only: lookups are safe
 * from any number of threads without a lock. Answers are those of libloc's
 * own lookup on the same file (tests/unit/test_loc_flat.c checks it).
 */
#ifndef ASC_LOC_FLAT_H
#define ASC_LOC_FLAT_H

#include <libloc/network.h>

#include "enrich/enrich.h"

struct asc_loc_flat;

struct asc_loc_flat_stats {
    size_t networks4, networks6; /* networks read (IPv4: under ::ffff:0:0/96) */
    size_t nodes;                /* tree nodes visited */
    size_t ases;                 /* AS table entries */
    size_t ranges;               /* flattened LPM ranges, both families */
    size_t bytes;                /* memory kept after the build: LPM, names, pool */
    double seconds;              /* wall time of the build */
};

/* Reads the libloc database open on fd (its header already checked by
 * loc.c) and builds the table. Returns 0, or a negative ASC_E* with err
 * naming path when the file is inconsistent (the caller keeps using
 * libloc's lookups). */
int asc_loc_flat_build(int fd, const char *path, struct asc_loc_flat **out, struct asc_err *err);
void asc_loc_flat_free(struct asc_loc_flat *f);
void asc_loc_flat_stats(const struct asc_loc_flat *f, struct asc_loc_flat_stats *out);

/* The backend's answer for a (struct asc_geo_backend.lookup contract);
 * AS names point into the table and live until asc_loc_flat_free(). */
unsigned asc_loc_flat_lookup(const struct asc_loc_flat *f, const struct asc_addr *a,
                             struct asc_geo_part *out);

/* Calls cb for every network of the table, flattened (no overlaps; the
 * ranges of equal answers split into CIDR blocks), with the answer there,
 * IPv4 first, in address order: the same address space and answers as
 * libloc's flattening enumerator, in about a second instead of minutes.
 * Returns 0 or a negative ASC_E*. */
int asc_loc_flat_walk(const struct asc_loc_flat *f,
                      void (*cb)(void *ctx, const struct asc_addr *net, unsigned plen,
                                 const struct asc_geo_part *g),
                      void *ctx);

/* libloc network flags (LOC_NETWORK_FLAG_*) as ASC_NF_* bits. */
static inline uint32_t asc_loc_flags(uint32_t lf)
{
    uint32_t f = 0;
    if (lf & LOC_NETWORK_FLAG_ANYCAST)
        f |= ASC_NF_ANYCAST;
    if (lf & LOC_NETWORK_FLAG_ANONYMOUS_PROXY)
        f |= ASC_NF_ANON_PROXY;
    if (lf & LOC_NETWORK_FLAG_SATELLITE_PROVIDER)
        f |= ASC_NF_SATELLITE;
    if (lf & LOC_NETWORK_FLAG_DROP)
        f |= ASC_NF_HOSTILE;
    return f;
}

#endif
