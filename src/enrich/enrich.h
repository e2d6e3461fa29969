/*
 * enrich.h - the enrichment stage: what is known about an address.
 *
 * Sits between flow records and detectors (DESIGN.md, "Pipeline"). One
 * struct asc_enricher holds an ordered list of backends (libloc, .mmdb
 * files, registry tables) and the intel lists, with a cache in front.
 * Each field of struct asc_geo is filled by the first backend in
 * precedence order that knows it, and the answer records which backend
 * that was, so every figure can say which database produced it.
 *
 * Precedence (documented in docs/enrich.md): databases given by flag, in
 * the order given; then libloc's default database; then .mmdb files
 * discovered in the usual directories. The IANA special-purpose table
 * (private, reserved, ...) always applies and outranks every backend.
 *
 * Thread safety: asc_enrich_lookup() may be called from several threads
 * at once on one enricher; opening and closing are single-threaded.
 */
#ifndef ASC_ENRICH_H
#define ASC_ENRICH_H

#include "core/common.h"

/* Network flags of an address. */
enum {
    ASC_NF_ANYCAST    = 1u << 0,  /* libloc / mmdb */
    ASC_NF_ANON_PROXY = 1u << 1,  /* libloc / mmdb anonymous-ip */
    ASC_NF_SATELLITE  = 1u << 2,  /* libloc / mmdb */
    ASC_NF_HOSTILE    = 1u << 3,  /* libloc "drop" (Spamhaus DROP in the database) */
    ASC_NF_PRIVATE    = 1u << 4,  /* IANA special-purpose: private-use, CGN, ULA */
    ASC_NF_RESERVED   = 1u << 5,  /* IANA special-purpose: reserved, documentation, ... */
    ASC_NF_BOGON      = 1u << 6,  /* never valid as a public source (special-purpose, not global) */
    ASC_NF_UNROUTED   = 1u << 7,  /* no backend knows an announcing AS */
    ASC_NF_HOSTING    = 1u << 8,  /* mmdb anonymous-ip is_hosting_provider */
    ASC_NF_TOR        = 1u << 9,  /* an intel list of category "tor", or mmdb is_tor_exit_node */
};

/* Which backend answered a field; an index into asc_enrich_backends(). */
#define ASC_SRC_NONE 0xff

#define ASC_INTEL_MAX_LISTS 64

struct asc_geo {
    char cc[3];               /* ISO 3166-1 alpha-2, "" when unknown */
    uint32_t asn;             /* 0 when unknown */
    const char *as_name;      /* owned by the enricher; NULL when unknown */
    uint32_t flags;           /* ASC_NF_* */
    uint64_t lists;           /* bit i: listed in intel list i */
    uint8_t src_cc, src_asn, src_name, src_flags;   /* backend index or ASC_SRC_NONE */
};

/* One database, as recorded in run metadata. */
struct asc_db_info {
    const char *name;         /* "libloc", the mmdb database_type ("GeoLite2-Country"),
                                 the registry file's base name */
    const char *kind;         /* "libloc", "mmdb", "rir", "pfx2as", "country-lists" */
    const char *path;
    const char *vendor;       /* e.g. "IPFire Project", "MaxMind", "DB-IP" */
    const char *description;  /* database type or description, may be NULL */
    int64_t built;            /* build time, seconds since the epoch; 0 unknown */
    uint64_t entries;         /* records loaded: networks (libloc, mmdb), prefixes or
                                 ranges (registry); 0 unknown */
};

/* A backend. lookup() fills only what it knows and returns the ASC_GEO_*
 * bits it filled (0 when the address is unknown to it). Must be safe for
 * concurrent calls. Strings it returns live as long as the backend. */
enum { ASC_GEO_CC = 1, ASC_GEO_ASN = 2, ASC_GEO_NAME = 4, ASC_GEO_FLAGS = 8 };

struct asc_geo_part {
    char cc[3];
    uint32_t asn;
    const char *as_name;
    uint32_t flags;
};

struct asc_geo_backend {
    void *state;
    struct asc_db_info info;
    /* ASC_GEO_* bits this backend can ever fill; 0 means "any". The
     * facade sets ASC_NF_UNROUTED only when some backend provides
     * ASC_GEO_ASN. */
    unsigned provides;
    unsigned (*lookup)(void *state, const struct asc_addr *a, struct asc_geo_part *out);
    /* Routed space: calls cb once per announced prefix (for per-AS and
     * per-country /24-equivalent counts). May be NULL. */
    int (*walk)(void *state, void (*cb)(void *ctx, const struct asc_addr *net, unsigned plen,
                                        const struct asc_geo_part *g), void *ctx);
    void (*close)(void *state);
    /* Lookups that failed on corrupt data since open (the answer was left
     * empty); the first failure's message goes to msg. May be NULL. */
    uint64_t (*errors)(void *state, char *msg, size_t len);
};

/* A database named on the command line. The kind says how it is read:
 * GEO an .mmdb whose every field is used (country, ASN, AS name, flags);
 * ASN an .mmdb used for ASN and AS name only; LIBLOC a libloc database;
 * REGISTRY an RIR delegated file, pfx2as table or country list. */
enum asc_db_kind { ASC_DB_GEO, ASC_DB_ASN, ASC_DB_LIBLOC, ASC_DB_REGISTRY };
struct asc_db_arg {
    enum asc_db_kind kind;
    const char *path;
};

struct asc_enrich_conf {
    const struct asc_db_arg *dbs;      /* --geo/--asn/--libloc/--registry, in the order given */
    size_t n_dbs;
    const char *const *intel_files;    /* --intel [NAME,CATEGORY,DATE=]FILE */
    size_t n_intel;
    const char *libloc_path;           /* NULL: the default database */
    bool no_default;                   /* do not open libloc's default or discover .mmdb */
    const char *const *mmdb_dirs;      /* where to discover .mmdb; NULL: the usual ones */
    size_t n_mmdb_dirs;
    size_t cache_entries;              /* 0: default (65536); SIZE_MAX: no cache */
    /* libloc fast path: copy libloc's networks into an LPM after this many
     * lookups through libloc (0: the default, 20,000; UINT64_MAX: never;
     * docs/enrich.md "libloc fast path"). */
    uint64_t libloc_flat_after;
};

struct asc_enricher;

int asc_enrich_open(const struct asc_enrich_conf *cf, struct asc_enricher **out,
                    struct asc_err *err);
void asc_enrich_close(struct asc_enricher *e);

/* Everything known about `a`. Never fails: unknown fields stay empty. */
void asc_enrich_lookup(struct asc_enricher *e, const struct asc_addr *a, struct asc_geo *out);

/* The backends in precedence order (for run metadata and "which database
 * said what"). */
size_t asc_enrich_n_backends(const struct asc_enricher *e);
const struct asc_db_info *asc_enrich_backend(const struct asc_enricher *e, size_t i);

struct asc_intel;
const struct asc_intel *asc_enrich_intel(const struct asc_enricher *e);

/* How often backend i was consulted (lookups that missed the cache: the
 * cache holds final answers) and how many of those it answered (filled at
 * least one field). Deterministic for a single-threaded run. */
void asc_enrich_backend_counts(const struct asc_enricher *e, size_t i, uint64_t *queries,
                               uint64_t *answered);
/* Lookups that missed the cache (each consults every backend and the
 * intel lists), and those whose address intel list i holds. */
uint64_t asc_enrich_queries(const struct asc_enricher *e);
uint64_t asc_enrich_list_hits(const struct asc_enricher *e, size_t i);
/* Index of the backend the routed space comes from (see below), SIZE_MAX
 * when none. */
size_t asc_enrich_routed_backend(const struct asc_enricher *e);

/* The same answer without the cache (for tests and benchmarks). */
void asc_enrich_lookup_uncached(struct asc_enricher *e, const struct asc_addr *a,
                                struct asc_geo *out);

/* Lookups that failed on corrupt database data, summed over backends; the
 * first message (naming the file) goes to err when err is not NULL. */
uint64_t asc_enrich_lookup_errors(const struct asc_enricher *e, struct asc_err *err);

/* Name of one ASC_NF_* bit ("anycast", "anon_proxy", ...); NULL for an unknown bit. */
const char *asc_enrich_flag_name(uint32_t flag);

/*
 * Routed address space per AS and per country, for density statistics
 * ("bad hosts per routed /24"). Computed once from the first backend in
 * precedence order that has walk() and provides ASNs (libloc: every network
 * in the database, flattened so nothing counts twice). IPv4 is counted in
 * /24 equivalents (a /16 is 256, a /25 is 0.5), IPv6 in /48 equivalents.
 */
struct asc_routed_space;
int asc_enrich_routed_space(struct asc_enricher *e, struct asc_routed_space **out,
                            struct asc_err *err);
void asc_routed_space_free(struct asc_routed_space *rs);
struct asc_routed_count {
    double v4_24;             /* IPv4 /24 equivalents announced */
    double v6_48;             /* IPv6 /48 equivalents announced */
    uint64_t prefixes;        /* prefixes seen (after flattening) */
};
/* Zero counts when the AS or country is unknown. cc is two letters. */
struct asc_routed_count asc_routed_by_asn(const struct asc_routed_space *rs, uint32_t asn);
struct asc_routed_count asc_routed_by_cc(const struct asc_routed_space *rs, const char *cc);
struct asc_routed_count asc_routed_total(const struct asc_routed_space *rs);
/* The database the counts came from (borrowed from the enricher). */
const struct asc_db_info *asc_routed_source(const struct asc_routed_space *rs);
size_t asc_routed_n_asns(const struct asc_routed_space *rs);

#endif
