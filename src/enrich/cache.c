/*
 * cache.c - the enrichment lookup cache (see enrich_int.h).
 *
 * Direct-mapped: an address hashes to one slot. A slot is one cache line
 * of eight 64-bit atomic words: a sequence counter, then the key and the
 * packed answer. Readers never write: they read the counter (odd means a
 * write is in progress), the words, then the counter again, and use the
 * copy only if the counter did not move (a seqlock; C11 atomics with the
 * fences placed as in Boehm, "Can seqlocks get along with programming
 * language memory models?", 2012). A writer claims the slot by moving the
 * counter from even to odd with a compare-and-swap; if another writer holds
 * it, the insert is skipped (a cache may forget). So lookups scale across
 * threads with no lock and no shared write on a hit.
 *
 * Word layout: 1-2 the 16 address bytes; 3 family, cc, and the four
 * source indexes, with a "filled" byte; 4 asn and flags; 5 intel list
 * bits; 6 the AS name pointer (owned by a backend, valid until close).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/enrich_int.h"

struct slot {
    _Alignas(64) _Atomic uint64_t w[8];
};

struct asc_geo_cache {
    struct slot *slots;
    size_t mask;
};

struct asc_geo_cache *asc_geo_cache_new(size_t entries)
{
    size_t n = 64;
    while (n < entries && n < ((size_t)1 << 30))
        n <<= 1;
    struct asc_geo_cache *c = asc_xcalloc(1, sizeof(*c));
    c->slots = aligned_alloc(64, n * sizeof(struct slot));
    if (!c->slots)
        abort();
    memset(c->slots, 0, n * sizeof(struct slot));
    c->mask = n - 1;
    return c;
}

void asc_geo_cache_free(struct asc_geo_cache *c)
{
    if (!c)
        return;
    free(c->slots);
    free(c);
}

static inline void key_words(const struct asc_addr *a, uint64_t *k0, uint64_t *k1)
{
    memcpy(k0, a->b, 8);
    memcpy(k1, a->b + 8, 8);
}

static inline size_t slot_of(const struct asc_geo_cache *c, uint64_t k0, uint64_t k1,
                             uint8_t fam)
{
    uint64_t h = (k0 ^ (k1 * 0xff51afd7ed558ccdull) ^ fam) * 0x9e3779b97f4a7c15ull;
    h ^= h >> 29;
    return (size_t)(h * 0xbf58476d1ce4e5b9ull >> 32) & c->mask;
}

static inline uint64_t pack_meta(const struct asc_geo *g, uint8_t fam)
{
    return (uint64_t)fam | (uint64_t)(uint8_t)g->cc[0] << 8 | (uint64_t)(uint8_t)g->cc[1] << 16 |
           (uint64_t)g->src_cc << 24 | (uint64_t)g->src_asn << 32 |
           (uint64_t)g->src_name << 40 | (uint64_t)g->src_flags << 48 | (uint64_t)1 << 56;
}

bool asc_geo_cache_get(const struct asc_geo_cache *c, const struct asc_addr *a,
                       struct asc_geo *out)
{
    uint64_t k0, k1, w[7];
    key_words(a, &k0, &k1);
    struct slot *s = &c->slots[slot_of(c, k0, k1, a->family)];
    uint64_t s1 = atomic_load_explicit(&s->w[0], memory_order_acquire);
    if (s1 & 1)
        return false;
    for (int i = 1; i < 7; i++)
        w[i] = atomic_load_explicit(&s->w[i], memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&s->w[0], memory_order_relaxed) != s1)
        return false;
    if (w[1] != k0 || w[2] != k1 || (w[3] & 0xff) != a->family || !(w[3] >> 56))
        return false;
    out->cc[0] = (char)(w[3] >> 8);
    out->cc[1] = (char)(w[3] >> 16);
    out->cc[2] = 0;
    out->src_cc = (uint8_t)(w[3] >> 24);
    out->src_asn = (uint8_t)(w[3] >> 32);
    out->src_name = (uint8_t)(w[3] >> 40);
    out->src_flags = (uint8_t)(w[3] >> 48);
    out->asn = (uint32_t)w[4];
    out->flags = (uint32_t)(w[4] >> 32);
    out->lists = w[5];
    out->as_name = (const char *)(uintptr_t)w[6];
    return true;
}

void asc_geo_cache_put(struct asc_geo_cache *c, const struct asc_addr *a,
                       const struct asc_geo *g)
{
    uint64_t k0, k1;
    key_words(a, &k0, &k1);
    struct slot *s = &c->slots[slot_of(c, k0, k1, a->family)];
    uint64_t seq = atomic_load_explicit(&s->w[0], memory_order_relaxed);
    if ((seq & 1) || !atomic_compare_exchange_strong_explicit(&s->w[0], &seq, seq + 1,
                                                              memory_order_relaxed,
                                                              memory_order_relaxed))
        return;
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&s->w[1], k0, memory_order_relaxed);
    atomic_store_explicit(&s->w[2], k1, memory_order_relaxed);
    atomic_store_explicit(&s->w[3], pack_meta(g, a->family), memory_order_relaxed);
    atomic_store_explicit(&s->w[4], (uint64_t)g->asn | (uint64_t)g->flags << 32,
                          memory_order_relaxed);
    atomic_store_explicit(&s->w[5], g->lists, memory_order_relaxed);
    atomic_store_explicit(&s->w[6], (uint64_t)(uintptr_t)g->as_name, memory_order_relaxed);
    atomic_store_explicit(&s->w[0], seq + 2, memory_order_release);
}
