/*
 * registry.h - registry tables as geolocation backends.
 *
 * Enrichment stage: each file (or directory) opened here becomes one
 * struct asc_geo_backend (enrich.h) that the enricher facade puts in its
 * precedence list. Formats, detected from the content (gzip-compressed or
 * plain, any of them):
 *
 *   kind "rir"           RIR statistics exchange files, delegated and
 *                        delegated-extended (version 2 and 2.3):
 *                        registry|cc|type|start|value|date|status[|id...].
 *                        IPv4 start+count split into CIDRs, IPv6 prefix.
 *                        Only status allocated/assigned is loaded; built is
 *                        the header's end date. Fills cc.
 *   kind "pfx2as"        RouteViews prefix-to-AS as written by pyasn
 *                        (prefix/len TAB asn, ';' comments; .dat.gz).
 *                        Multi-origin "a_b" / AS sets "{a,b}" keep the first
 *                        AS. built is the RIB date from the header. Fills
 *                        asn, and as_name when an asnames.json(.gz) is given
 *                        or sits in the same directory.
 *   kind "country-lists" one CIDR per line, '#' comments (ipverse
 *                        country/<cc>/ipv4-aggregated.txt). cc from the
 *                        "# Country: Name (CC)" header or the parent
 *                        directory's name; a directory path loads every
 *                        <cc>/ipv{4,6}-aggregated.txt below it (or below its
 *                        country/ subdirectory). Fills cc.
 *   kind "iptoasn"       iptoasn.com ip2asn TSV: start TAB end TAB asn TAB
 *                        cc TAB name; ranges split into CIDRs; AS 0 ("not
 *                        routed") is skipped. Fills asn, cc, as_name.
 *
 * Malformed lines are skipped and counted; each file logs one warning
 * naming the first one as file:line and the total. A file with no record at
 * all, or one whose format is not recognised, fails with ASC_EFORMAT.
 * Lookups go through the project's LPM and are safe from several threads.
 */
#ifndef ASC_REGISTRY_H
#define ASC_REGISTRY_H

#include "enrich/enrich.h"

/* Longest accepted line; longer ones are malformed. */
#define ASC_REGISTRY_MAX_LINE 4096

struct asc_registry_stats {
    uint64_t n_lines;        /* lines read */
    uint64_t n_records;      /* data lines accepted (loaded or skipped on purpose) */
    uint64_t n_prefixes;     /* CIDRs put into the LPM */
    uint64_t n_skipped;      /* valid records not loaded: status available/reserved, asn rows, AS 0 */
    uint64_t n_bad;          /* malformed lines skipped */
    uint64_t first_bad_line; /* 1-based, 0 when none */
    uint64_t n_files;        /* files read (a directory has many) */
    uint64_t n_names;        /* AS names known */
    bool truncated;          /* a compressed file ended early or was corrupt */
    /* what the file says about itself, for cross-checks */
    char version[8];         /* rir: header version ("2", "2.3") */
    uint64_t hdr_records;    /* rir: header record count */
    uint64_t sum_ipv4, sum_ipv6, sum_asn; /* rir: summary line counts */
    uint64_t hdr_prefixes;   /* pfx2as: "Prefixes" (+ "-v4" and "-v6") header counts */
    uint64_t n_v4_records, n_v6_records; /* rir: ipv4 / ipv6 rows (any status) */
};

/* Opens `path` (file or directory) and fills *out. On failure returns a
 * negative ASC_E* with err set and leaves *out empty. The backend owns
 * everything it returns; release with out->close(out->state). */
int asc_registry_open(const char *path, struct asc_geo_backend *out, struct asc_err *err);

/* pfx2as with an explicit asnames.json(.gz) (NULL: look beside `path`). */
int asc_registry_open_pfx2as(const char *path, const char *names_path,
                             struct asc_geo_backend *out, struct asc_err *err);

/* Load counters of a backend opened here; NULL for any other backend. */
const struct asc_registry_stats *asc_registry_stats(const struct asc_geo_backend *b);

#endif
