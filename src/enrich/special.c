/*
 * special.c - the IANA special-purpose address table and the bogon notion.
 *
 * Enrichment stage, see special.h. The table is small (about 50 blocks),
 * so a lookup scans the address family's rows and keeps the longest match:
 * no initialisation, no shared state, safe from any thread.
 *
 * Sources, as of ASC_SPECIAL_TABLE_DATE (2025-10-09, the IPv6 registry's
 * last update; the IPv4 registry's entries are unchanged since 2020):
 *   https://www.iana.org/assignments/iana-ipv4-special-registry/
 *   https://www.iana.org/assignments/iana-ipv6-special-registry/
 * Columns kept: block, name, and "Globally Reachable" (folded into the
 * flags: False -> RESERVED or PRIVATE, plus BOGON; True or N/A -> none).
 * Rows marked "(space)" are not in the special-purpose registries but in
 * the IPv4 / IPv6 address-space registries: multicast, and IPv6 outside the
 * 2000::/3 global unicast space, which the usual bogon lists also drop.
 * Each row cites the RFC that assigned the block (section where useful).
 * Re-checked row by row against both registries on 2026-11-23 (blocks,
 * prefix lengths, "Globally Reachable"): nothing missing or changed since
 * the table date, which therefore stays.
 */
#include "enrich/special.h"

#include "enrich/enrich.h"

enum {
    P = ASC_NF_PRIVATE | ASC_NF_BOGON,  /* private-use, not global */
    R = ASC_NF_RESERVED | ASC_NF_BOGON, /* special, not global */
    D = ASC_NF_RESERVED,                /* deprecated, still seen in the wild */
    G = 0,                              /* special but globally reachable */
};

struct special {
    uint64_t hi, lo; /* IPv4: address in the low 32 bits of lo */
    uint8_t plen;
    uint8_t flags;
    const char *name;
};

#define V4(a, b, c, d) ((uint64_t)(a) << 24 | (uint64_t)(b) << 16 | (uint64_t)(c) << 8 | (d))

static const struct special special4[] = {
    {0, V4(0, 0, 0, 0), 8, R, "\"This network\""}, /* RFC 791 3.2 */
    {0, V4(0, 0, 0, 0), 32, R, "\"This host on this network\""}, /* RFC 1122 3.2.1.3 */
    {0, V4(10, 0, 0, 0), 8, P, "Private-Use"}, /* RFC 1918 */
    {0, V4(100, 64, 0, 0), 10, P, "Shared Address Space"}, /* RFC 6598 */
    {0, V4(127, 0, 0, 0), 8, R, "Loopback"}, /* RFC 1122 3.2.1.3 */
    {0, V4(169, 254, 0, 0), 16, R, "Link Local"}, /* RFC 3927 */
    {0, V4(172, 16, 0, 0), 12, P, "Private-Use"}, /* RFC 1918 */
    {0, V4(192, 0, 0, 0), 24, R, "IETF Protocol Assignments"}, /* RFC 6890 2.1 */
    {0, V4(192, 0, 0, 0), 29, R, "IPv4 Service Continuity Prefix"}, /* RFC 7335 */
    {0, V4(192, 0, 0, 8), 32, R, "IPv4 dummy address"}, /* RFC 7600 */
    {0, V4(192, 0, 0, 9), 32, G, "Port Control Protocol Anycast"}, /* RFC 7723 */
    {0, V4(192, 0, 0, 10), 32, G, "Traversal Using Relays around NAT Anycast"}, /* RFC 8155 */
    {0, V4(192, 0, 0, 170), 32, R, "NAT64/DNS64 Discovery"}, /* RFC 8880, RFC 7050 */
    {0, V4(192, 0, 0, 171), 32, R, "NAT64/DNS64 Discovery"}, /* RFC 8880, RFC 7050 */
    {0, V4(192, 0, 2, 0), 24, R, "Documentation (TEST-NET-1)"}, /* RFC 5737 */
    {0, V4(192, 31, 196, 0), 24, G, "AS112-v4"}, /* RFC 7535 */
    {0, V4(192, 52, 193, 0), 24, G, "AMT"}, /* RFC 7450 */
    {0, V4(192, 88, 99, 0), 24, D, "Deprecated (6to4 Relay Anycast)"}, /* RFC 7526 */
    {0, V4(192, 168, 0, 0), 16, P, "Private-Use"}, /* RFC 1918 */
    {0, V4(192, 175, 48, 0), 24, G, "Direct Delegation AS112 Service"}, /* RFC 7534 */
    {0, V4(198, 18, 0, 0), 15, R, "Benchmarking"}, /* RFC 2544 */
    {0, V4(198, 51, 100, 0), 24, R, "Documentation (TEST-NET-2)"}, /* RFC 5737 */
    {0, V4(203, 0, 113, 0), 24, R, "Documentation (TEST-NET-3)"}, /* RFC 5737 */
    {0, V4(224, 0, 0, 0), 4, R, "Multicast (space)"}, /* RFC 5771 */
    {0, V4(240, 0, 0, 0), 4, R, "Reserved"}, /* RFC 1112 4 */
    {0, V4(255, 255, 255, 255), 32, R, "Limited Broadcast"}, /* RFC 8190, RFC 919 7 */
};

static const struct special special6[] = {
    /* (space): everything outside 2000::/3 except what rows below carve out */
    {0x0000000000000000ull, 0, 3, R, "Reserved by IETF (space)"}, /* RFC 4291 2.4 */
    {0x4000000000000000ull, 0, 2, R, "Reserved by IETF (space)"}, /* RFC 4291 2.4 */
    {0x8000000000000000ull, 0, 1, R, "Reserved by IETF (space)"}, /* RFC 4291 2.4 */
    {0xff00000000000000ull, 0, 8, R, "Multicast (space)"}, /* RFC 4291 */
    /* the IPv6 special-purpose registry */
    {0, 0, 128, R, "Unspecified Address"}, /* RFC 4291 */
    {0, 1, 128, R, "Loopback Address"}, /* RFC 4291 */
    {0, 0x0000ffff00000000ull, 96, R, "IPv4-mapped Address"}, /* RFC 4291 */
    {0x0064ff9b00000000ull, 0, 96, G, "IPv4-IPv6 Translat."}, /* RFC 6052 */
    {0x0064ff9b00010000ull, 0, 48, R, "IPv4-IPv6 Translat. (local use)"}, /* RFC 8215 */
    {0x0100000000000000ull, 0, 64, R, "Discard-Only Address Block"}, /* RFC 6666 */
    {0x0100000000000001ull, 0, 64, R, "Dummy IPv6 Prefix"}, /* RFC 9780 */
    {0x2001000000000000ull, 0, 23, R, "IETF Protocol Assignments"}, /* RFC 2928 */
    {0x2001000000000000ull, 0, 32, G, "TEREDO"}, /* RFC 4380, RFC 8190 */
    {0x2001000100000000ull, 1, 128, G, "Port Control Protocol Anycast"}, /* RFC 7723 */
    {0x2001000100000000ull, 2, 128, G, "Traversal Using Relays around NAT Anycast"}, /* RFC 8155 */
    {0x2001000100000000ull, 3, 128, G, "DNS-SD Service Registration Protocol Anycast"}, /* RFC 9665 */
    {0x2001000200000000ull, 0, 48, R, "Benchmarking"}, /* RFC 5180 */
    {0x2001000300000000ull, 0, 32, G, "AMT"}, /* RFC 7450 */
    {0x2001000401120000ull, 0, 48, G, "AS112-v6"}, /* RFC 7535 */
    {0x2001001000000000ull, 0, 28, R, "Deprecated (previously ORCHID)"}, /* RFC 4843 */
    {0x2001002000000000ull, 0, 28, G, "ORCHIDv2"}, /* RFC 7343 */
    {0x2001003000000000ull, 0, 28, G, "Drone Remote ID Protocol Entity Tags (DETs) Prefix"}, /* RFC 9374 */
    {0x20010db800000000ull, 0, 32, R, "Documentation"}, /* RFC 3849 */
    {0x2002000000000000ull, 0, 16, G, "6to4"}, /* RFC 3056 */
    {0x2620004f80000000ull, 0, 48, G, "Direct Delegation AS112 Service"}, /* RFC 7534 */
    {0x3fff000000000000ull, 0, 20, R, "Documentation"}, /* RFC 9637 */
    {0x5f00000000000000ull, 0, 16, R, "Segment Routing (SRv6) SIDs"}, /* RFC 9602 */
    {0xfc00000000000000ull, 0, 7, P, "Unique-Local"}, /* RFC 4193, RFC 8190 */
    {0xfe80000000000000ull, 0, 10, R, "Link-Local Unicast"}, /* RFC 4291 */
};

static uint64_t mask64(unsigned bits)
{
    return bits == 0 ? 0 : bits >= 64 ? ~0ull : ~0ull << (64 - bits);
}

static const struct special *find(const struct asc_addr *a)
{
    const struct special *best = NULL;
    if (a->family == ASC_AF_INET) {
        uint64_t v = V4(a->b[0], a->b[1], a->b[2], a->b[3]);
        for (size_t i = 0; i < ASC_ARRAY_LEN(special4); i++) {
            const struct special *s = &special4[i];
            uint64_t m = s->plen ? (0xffffffffull << (32 - s->plen)) & 0xffffffffull : 0;
            if ((v & m) == s->lo && (!best || s->plen > best->plen))
                best = s;
        }
    } else if (a->family == ASC_AF_INET6) {
        uint64_t hi = 0, lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = hi << 8 | a->b[i];
            lo = lo << 8 | a->b[8 + i];
        }
        for (size_t i = 0; i < ASC_ARRAY_LEN(special6); i++) {
            const struct special *s = &special6[i];
            uint64_t mh = mask64(s->plen), ml = s->plen > 64 ? mask64(s->plen - 64u) : 0;
            if ((hi & mh) == s->hi && (lo & ml) == s->lo && (!best || s->plen > best->plen))
                best = s;
        }
    }
    return best;
}

uint32_t asc_special_flags(const struct asc_addr *a)
{
    const struct special *s = find(a);
    return s ? s->flags : 0;
}

const char *asc_special_name(const struct asc_addr *a)
{
    const struct special *s = find(a);
    return s ? s->name : NULL;
}
