/*
 * special.h - IANA special-purpose address registries and bogons.
 *
 * Enrichment stage: applied to every address before (and above) any
 * geolocation backend. The table in special.c transcribes the IANA IPv4 and
 * IPv6 Special-Purpose Address Registries (RFC 6890, RFC 8190 and the RFCs
 * that added entries since); its date is ASC_SPECIAL_TABLE_DATE.
 *
 * Flags (ASC_NF_* from enrich.h):
 *  - ASC_NF_PRIVATE:  private-use (RFC 1918), shared/CGN (RFC 6598), ULA;
 *  - ASC_NF_RESERVED: any other special-purpose block that is not globally
 *    reachable (loopback, link-local, documentation, benchmarking, ...),
 *    plus multicast and, for IPv6, space outside 2000::/3 that IANA has not
 *    allocated for unicast;
 *  - ASC_NF_BOGON:    never valid as a public source: every block whose
 *    "globally reachable" is False, multicast (224.0.0.0/4, ff00::/8) and
 *    IPv6 outside 2000::/3 not otherwise listed.
 * The most specific entry decides (192.0.0.9/32 is global inside the
 * non-global 192.0.0.0/24). Globally reachable special blocks (AS112, PCP
 * anycast, 6to4, Teredo, NAT64 64:ff9b::/96) get no flag.
 */
#ifndef ASC_SPECIAL_H
#define ASC_SPECIAL_H

#include "core/common.h"

#define ASC_SPECIAL_TABLE_DATE "2025-10-09"

/* ASC_NF_PRIVATE | ASC_NF_RESERVED | ASC_NF_BOGON bits for `a` (0 for
 * ordinary global unicast). Thread-safe, no initialisation needed. */
uint32_t asc_special_flags(const struct asc_addr *a);

/* The registry name of the most specific special block containing `a`
 * ("Private-Use", "Documentation (TEST-NET-1)", ...), or NULL. */
const char *asc_special_name(const struct asc_addr *a);

#endif
