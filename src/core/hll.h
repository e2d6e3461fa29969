/*
 * hll.h - HyperLogLog distinct counting (Flajolet et al. 2007, with the
 * small-range linear-counting correction of Heule et al. 2013) and the
 * address hash it and the detectors' tables use.
 *
 * Used by detectors to count the sources of an incident beyond the point
 * where they are kept exactly. Fixed memory: 2^ASC_HLL_P one-byte
 * registers (4 KiB), standard error about 1.04/sqrt(4096) = 1.6 %.
 * Registers merge by maximum, so counts from several sensors merge.
 */
#ifndef ASC_HLL_H
#define ASC_HLL_H

#include <string.h>

#include "core/common.h"

#define ASC_HLL_P 12
#define ASC_HLL_M (1u << ASC_HLL_P)

struct asc_hll {
    uint8_t reg[ASC_HLL_M];
};

/* 64-bit mix of an address (family included); good avalanche, not keyed. */
static inline uint64_t asc_addr_hash(const struct asc_addr *a)
{
    uint64_t lo, hi;
    memcpy(&lo, a->b, 8);
    memcpy(&hi, a->b + 8, 8);
    uint64_t h = lo * 0x9e3779b97f4a7c15ull ^ (hi + a->family) * 0xc2b2ae3d27d4eb4full;
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 29;
    h *= 0x94d049bb133111ebull;
    return h ^ (h >> 32);
}

void asc_hll_clear(struct asc_hll *h);
/* Adds a 64-bit hash; returns true when a register grew. */
bool asc_hll_add(struct asc_hll *h, uint64_t hash);
uint64_t asc_hll_count(const struct asc_hll *h);
void asc_hll_merge(struct asc_hll *into, const struct asc_hll *from);

#endif
