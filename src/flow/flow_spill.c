/*
 * flow_spill.c - the high words of flow byte counters (see flow_internal.h).
 *
 * Part of the flow stage. The node keeps the low 32 bits of each byte
 * counter; when an addition carries out of them, the carry is added here,
 * in a chained hash keyed by the node's address (nodes never move). Only
 * flows past 4 GiB in one counter, or with absurd claimed frame lengths,
 * get an entry, so this is off the hot path; it grows with its entries so
 * that hostile input cannot make it slow. A node's FN_SPILLED flag says
 * whether it has an entry.
 */
#include <stdint.h>
#include <stdlib.h>

#include "flow/flow_internal.h"

#define NCOUNTERS (2 * CNT__PER_DIR)

struct spill_ent {
    const struct fnode *n;
    struct spill_ent *next;
    uint64_t high[NCOUNTERS];
};

struct flow_spill {
    struct spill_ent **b;
    size_t nb, count;       /* nb: power of two */
};

static size_t spill_bucket(const struct flow_spill *s, const struct fnode *n)
{
    uint64_t h = (uint64_t)(uintptr_t)n * UINT64_C(0x9e3779b97f4a7c15);
    return (size_t)(h >> 32) & (s->nb - 1);
}

struct flow_spill *flow_spill_new(void)
{
    struct flow_spill *s = asc_xcalloc(1, sizeof(*s));
    s->nb = 16;
    s->b = asc_xcalloc(s->nb, sizeof(*s->b));
    return s;
}

void flow_spill_free(struct flow_spill *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nb; i++) {
        for (struct spill_ent *e = s->b[i], *nx; e; e = nx) {
            nx = e->next;
            free(e);
        }
    }
    free(s->b);
    free(s);
}

static struct spill_ent *find(const struct flow_spill *s, const struct fnode *n)
{
    for (struct spill_ent *e = s->b[spill_bucket(s, n)]; e; e = e->next)
        if (e->n == n)
            return e;
    return NULL;
}

static void grow(struct flow_spill *s)
{
    struct spill_ent **old = s->b;
    size_t onb = s->nb;
    s->nb *= 2;
    s->b = asc_xcalloc(s->nb, sizeof(*s->b));
    for (size_t i = 0; i < onb; i++) {
        for (struct spill_ent *e = old[i], *nx; e; e = nx) {
            nx = e->next;
            size_t k = spill_bucket(s, e->n);
            e->next = s->b[k];
            s->b[k] = e;
        }
    }
    free(old);
}

void flow_spill_add(struct flow_spill *s, struct fnode *n, unsigned c, uint32_t carry)
{
    struct spill_ent *e = (n->flags & FN_SPILLED) ? find(s, n) : NULL;
    if (!e) {
        if (s->count >= s->nb)
            grow(s);
        e = asc_xcalloc(1, sizeof(*e));
        e->n = n;
        size_t k = spill_bucket(s, n);
        e->next = s->b[k];
        s->b[k] = e;
        s->count++;
        n->flags |= FN_SPILLED;
    }
    if (c < NCOUNTERS)
        e->high[c] += carry;
}

uint64_t flow_spill_high(const struct flow_spill *s, const struct fnode *n, unsigned c)
{
    const struct spill_ent *e = (n->flags & FN_SPILLED) ? find(s, n) : NULL;
    return e && c < NCOUNTERS ? e->high[c] : 0;
}

void flow_spill_drop(struct flow_spill *s, struct fnode *n)
{
    if (!(n->flags & FN_SPILLED))
        return;
    n->flags &= (uint8_t)~FN_SPILLED;
    for (struct spill_ent **pp = &s->b[spill_bucket(s, n)]; *pp; pp = &(*pp)->next) {
        if ((*pp)->n == n) {
            struct spill_ent *e = *pp;
            *pp = e->next;
            free(e);
            s->count--;
            return;
        }
    }
}
