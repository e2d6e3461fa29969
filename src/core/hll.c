/*
 * hll.c - HyperLogLog registers, estimate and merge (see hll.h).
 */
#include <math.h>
#include <string.h>

#include "core/hll.h"

void asc_hll_clear(struct asc_hll *h)
{
    memset(h->reg, 0, sizeof(h->reg));
}

bool asc_hll_add(struct asc_hll *h, uint64_t hash)
{
    uint32_t idx = (uint32_t)(hash >> (64 - ASC_HLL_P));
    uint64_t rest = hash << ASC_HLL_P | (1ull << (ASC_HLL_P - 1));   /* guard bit */
    uint8_t rank = (uint8_t)(__builtin_clzll(rest) + 1);
    if (rank > h->reg[idx]) {
        h->reg[idx] = rank;
        return true;
    }
    return false;
}

uint64_t asc_hll_count(const struct asc_hll *h)
{
    double sum = 0;
    unsigned zeros = 0;
    for (unsigned i = 0; i < ASC_HLL_M; i++) {
        sum += ldexp(1.0, -(int)h->reg[i]);
        zeros += h->reg[i] == 0;
    }
    double m = ASC_HLL_M;
    double alpha = 0.7213 / (1.0 + 1.079 / m);
    double est = alpha * m * m / sum;
    if (est <= 2.5 * m && zeros)
        est = m * log(m / zeros);          /* linear counting for small sets */
    return (uint64_t)(est + 0.5);
}

void asc_hll_merge(struct asc_hll *into, const struct asc_hll *from)
{
    for (unsigned i = 0; i < ASC_HLL_M; i++)
        if (from->reg[i] > into->reg[i])
            into->reg[i] = from->reg[i];
}
