/*
 * intel.h - intel lists: named, categorised, dated sets of addresses,
 * networks and domain names (known C2, scanners, Tor exits, DROP, ...).
 *
 * Part of the enrichment stage. CIDRs of every list go into one LPM
 * structure per family whose value is the bitmap of lists that contain the
 * prefix (a longer prefix inherits the bits of the shorter ones that cover
 * it); domains go into a suffix table (exact and "any subdomain of").
 * Formats: plain IP/CIDR per line, Spamhaus DROP/EDROP, FireHOL .netset and
 * .ipset, DShield block lists, Tor exit lists (bulk and exit-addresses),
 * abuse.ch Feodo CSV, ET compromised IPs, plain domain lists.
 * A malformed line is skipped and counted; each file logs one warning that
 * names the first one as file:line. An empty file loads as a list with no
 * entries and a warning. Lines longer than ASC_INTEL_MAX_LINE are malformed.
 * Lookups are read-only and safe from several threads.
 */
#ifndef ASC_INTEL_H
#define ASC_INTEL_H

#include <stdio.h>

#include "core/common.h"

#define ASC_INTEL_MAX_LINE 4096
#define ASC_INTEL_MAX_DOMAINS (16u * 1024 * 1024)

struct asc_intel_list {
    const char *name;       /* "feodo", "firehol_level1", ... */
    const char *category;   /* "c2", "phishing", "scanner", "tor", "proxy", "drop", ... */
    const char *date;       /* YYYY-MM-DD from the file or the flag, "" when unknown */
    const char *path;
    uint64_t n_addrs, n_nets, n_domains;   /* entries loaded */
    uint64_t n_bad;                        /* malformed lines skipped */
};

struct asc_intel;

struct asc_intel *asc_intel_new(void);
void asc_intel_free(struct asc_intel *in);

/* Loads one list. `spec` is FILE or NAME,CATEGORY[,DATE]=FILE; the name
 * defaults to the file's base name, the category is guessed from known
 * list names (feodo -> c2, tor -> tor, drop -> drop, ...) and the date from
 * the file's header. Returns the list index, or -1 with err set. */
int asc_intel_load(struct asc_intel *in, const char *spec, struct asc_err *err);

/* Same from an open stream (borrowed, not closed); `spec` as above, its
 * FILE part only names the list. Used by the fuzz harness. */
int asc_intel_load_stream(struct asc_intel *in, FILE *f, const char *spec, struct asc_err *err);

size_t asc_intel_n_lists(const struct asc_intel *in);
const struct asc_intel_list *asc_intel_list(const struct asc_intel *in, size_t i);

/* Bitmap of lists containing the address (0 when none). */
uint64_t asc_intel_match_addr(const struct asc_intel *in, const struct asc_addr *a);
/* Bitmap of lists containing the name or a parent domain of it. */
uint64_t asc_intel_match_domain(const struct asc_intel *in, const char *name);

#endif
