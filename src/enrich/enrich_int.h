/*
 * enrich_int.h - declarations shared inside src/enrich only: the backend
 * constructors and the lookup cache. Nothing outside the enrichment stage
 * includes this; the public interface is enrich.h.
 */
#ifndef ASC_ENRICH_INT_H
#define ASC_ENRICH_INT_H

#include "enrich/enrich.h"

/* libloc database (loc.c). path NULL: ASC_LOC_DEFAULT_PATH. Fills *out;
 * on failure returns a negative ASC_E* with err naming the file. */
#define ASC_LOC_DEFAULT_PATH "/var/lib/location/database.db"
int asc_loc_open(const char *path, struct asc_geo_backend *out, struct asc_err *err);

/* The libloc backend's fast path (loc.c, loc_flat.c): after this many
 * lookups through libloc's tree walk, its networks are copied into an LPM
 * and later lookups probe that (same answers). */
#define ASC_LOC_FLAT_AFTER 131072u
/* Threshold for backend b (opened by asc_loc_open): 0 builds on the first
 * lookup, UINT64_MAX never. Call before any lookup. */
void asc_loc_set_flat_after(struct asc_geo_backend *b, uint64_t n);
/* Builds the fast path now (no-op when built); 0 or a negative ASC_E*. */
int asc_loc_flatten(const struct asc_geo_backend *b, struct asc_err *err);
/* The fast path when built, else NULL (struct asc_loc_flat: loc_flat.h). */
struct asc_loc_flat;
const struct asc_loc_flat *asc_loc_flat_of(const struct asc_geo_backend *b);
/* libloc's own lookup, never the fast path (tests and benchmarks). */
unsigned asc_loc_tree_lookup(const struct asc_geo_backend *b, const struct asc_addr *a,
                             struct asc_geo_part *out);

/* MaxMind DB file (mmdb.c): GeoLite2/GeoIP2/DB-IP Country, City, ASN, ISP,
 * Anonymous-IP, Enterprise. asn_only: use it for ASN and AS name only.
 * The search tree and every data record are checked at open (files up to
 * ASC_MMDB_VERIFY_MAX bytes; larger files: the tree and a sample of
 * records), so a corrupt file fails here rather than during lookups. */
#define ASC_MMDB_VERIFY_MAX (64u << 20)
int asc_mmdb_open(const char *path, bool asn_only, struct asc_geo_backend *out,
                  struct asc_err *err);

/* True when the file starts with libloc's magic (used to tell a libloc
 * database given as --geo from an .mmdb). */
bool asc_loc_sniff(const char *path);

/*
 * The lookup cache (cache.c): direct-mapped, one 64-byte entry per slot,
 * each guarded by its own sequence counter (a seqlock), so readers on any
 * number of threads never write shared memory and never block. A writer
 * that finds the slot busy skips the insert. Entries hold the final
 * answer, including intel bits and special-purpose flags.
 */
struct asc_geo_cache;
struct asc_geo_cache *asc_geo_cache_new(size_t entries);   /* rounded up to a power of 2 */
void asc_geo_cache_free(struct asc_geo_cache *c);
bool asc_geo_cache_get(const struct asc_geo_cache *c, const struct asc_addr *a,
                       struct asc_geo *out);
void asc_geo_cache_put(struct asc_geo_cache *c, const struct asc_addr *a,
                       const struct asc_geo *g);

/* The backend whose walk() gives the routed space: the first in
 * precedence order that has walk() and provides ASNs; NULL if none. */
const struct asc_geo_backend *asc_enrich_walk_backend(const struct asc_enricher *e);

#endif
