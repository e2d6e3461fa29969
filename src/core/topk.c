/*
 * topk.c - Space-Saving heavy hitters (see topk.h).
 *
 * Items sit in an array with an open-addressing index for lookup, and a
 * binary min-heap of (count, item number) finds the item a new key
 * replaces in O(log k); the heap carries the counts so that sifting reads
 * one small array. In front of a full summary, the filter cells of topk.h.
 * Deterministic: the same updates give the same state.
 */
#include "core/topk.h"

#include <stdlib.h>
#include <string.h>

#include "core/hll.h"

/* An index slot: the item and the low half of its hash, compared before
 * the key (one array, so a probe reads one cache line). */
struct islot {
    int32_t item;
    uint32_t h;
};

struct hent {
    uint64_t count; /* the item's count, kept equal to items[item].count */
    int32_t item;
};

struct asc_topk {
    size_t k, n;
    struct asc_topk_item *items;
    struct islot *index; /* idx_cap slots: item -1 = empty */
    uint64_t *item_hash; /* item -> its hash */
    struct hent *heap;   /* min-heap of items by count */
    int32_t *pos;        /* item -> its position in heap */
    size_t idx_cap;
    uint64_t total;
    uint64_t *filt;      /* asc_topk_new_filtered: bounds for keys not held, else NULL */
    size_t fmask;        /* filter cells - 1: 8 k cells, a power of two */
    uint8_t *fheld;      /* per filter cell, the held items mapped to it; FHELD_STUCK: some */
};

static uint64_t khash(const struct asc_addr *a)
{
    return asc_addr_hash(a);
}

struct asc_topk *asc_topk_new(size_t k)
{
    if (k == 0)
        k = 1;
    struct asc_topk *t = asc_xcalloc(1, sizeof(*t));
    t->k = k;
    t->items = asc_xcalloc(k, sizeof(*t->items));
    t->idx_cap = 16;
    while (t->idx_cap < 2 * k)
        t->idx_cap <<= 1;
    t->index = asc_xmalloc(t->idx_cap * sizeof(*t->index));
    for (size_t i = 0; i < t->idx_cap; i++)
        t->index[i] = (struct islot){-1, 0};
    t->item_hash = asc_xcalloc(k, sizeof(*t->item_hash));
    t->heap = asc_xcalloc(k, sizeof(*t->heap));
    t->pos = asc_xcalloc(k, sizeof(*t->pos));
    return t;
}

struct asc_topk *asc_topk_new_filtered(size_t k)
{
    struct asc_topk *t = asc_topk_new(k);
    size_t cells = 64;
    while (cells < 8 * t->k)
        cells <<= 1;
    t->filt = asc_xcalloc(cells, sizeof(*t->filt));
    t->fmask = cells - 1;
    t->fheld = asc_xcalloc(cells, sizeof(*t->fheld));
    return t;
}

void asc_topk_free(struct asc_topk *t)
{
    if (!t)
        return;
    free(t->items);
    free(t->index);
    free(t->item_hash);
    free(t->heap);
    free(t->pos);
    free(t->filt);
    free(t->fheld);
    free(t);
}

/* The slot of key a (hash h), or the empty slot where it would go. */
static size_t find_slot_h(const struct asc_topk *t, const struct asc_addr *a, uint64_t h)
{
    size_t m = t->idx_cap - 1, s = h & m;
    while (t->index[s].item >= 0 &&
           (t->index[s].h != (uint32_t)h ||
            memcmp(&t->items[t->index[s].item].key, a, sizeof(*a)) != 0))
        s = (s + 1) & m;
    return s;
}

/* The slot that holds item it (hash h). */
static size_t item_slot(const struct asc_topk *t, int32_t it, uint64_t h)
{
    size_t m = t->idx_cap - 1, s = h & m;
    while (t->index[s].item != it)
        s = (s + 1) & m;
    return s;
}

static void index_set(struct asc_topk *t, size_t s, int32_t item, uint64_t h)
{
    t->index[s] = (struct islot){item, (uint32_t)h};
    t->item_hash[item] = h;
}

/* Remove the index entry at slot s: later entries of its probe run shift
 * back unless their home slot lies after the hole. */
static void index_delete(struct asc_topk *t, size_t s)
{
    size_t m = t->idx_cap - 1;
    for (size_t j = (s + 1) & m; t->index[j].item >= 0; j = (j + 1) & m) {
        size_t home = t->index[j].h & m;
        bool stays = s <= j ? (home > s && home <= j) : (home > s || home <= j);
        if (stays)
            continue;
        t->index[s] = t->index[j];
        s = j;
    }
    t->index[s].item = -1;
}

/* The heap entry x goes to position h; pos follows it. */
static inline void hset(struct asc_topk *t, size_t h, struct hent x)
{
    t->heap[h] = x;
    t->pos[x.item] = (int32_t)h;
}

/* Both sifts move a hole rather than swapping at each level: the same
 * moves as a swap per level (ties stay where they are; between equal
 * children the left one goes), with half the writes. */
static void sift_up(struct asc_topk *t, size_t h)
{
    struct hent x = t->heap[h];
    while (h > 0 && t->heap[(h - 1) / 2].count > x.count) {
        hset(t, h, t->heap[(h - 1) / 2]);
        h = (h - 1) / 2;
    }
    hset(t, h, x);
}

static void sift_down(struct asc_topk *t, size_t h)
{
    struct hent x = t->heap[h];
    size_t n = t->n;
    for (;;) {
        size_t c = 2 * h + 1;
        if (c >= n)
            break;
        if (c + 1 < n && t->heap[c + 1].count < t->heap[c].count)
            c++;
        if (t->heap[c].count >= x.count)
            break;
        hset(t, h, t->heap[c]);
        h = c;
    }
    hset(t, h, x);
}

/* sift_down(t, 0) for a root that is likely to sink far (a new key takes
 * the minimum's place with a count above it): down the path of smaller
 * children to a leaf without comparing against the root's count, then up
 * again while the parent's count is >= it. Counts do not decrease down the
 * path, so the root ends where sift_down puts it: above the first path
 * entry whose count is >= its own, everything else in the same place. */
static void sift_root_deep(struct asc_topk *t)
{
    struct hent x = t->heap[0];
    size_t n = t->n, h = 0;
    for (size_t c = 1; c < n; c = 2 * h + 1) {
        /* Without a branch: which child is smaller is a coin toss. */
        size_t r = c + 1 < n ? c + 1 : c;
        c += (size_t)(t->heap[r].count < t->heap[c].count);
        hset(t, h, t->heap[c]);
        h = c;
    }
    while (h > 0 && t->heap[(h - 1) / 2].count >= x.count) {
        hset(t, h, t->heap[(h - 1) / 2]);
        h = (h - 1) / 2;
    }
    hset(t, h, x);
}

/* A cell that ever counted this many held items stays at it, no longer
 * counted: some may map to it (eight cells per item make it rare). */
#define FHELD_STUCK UINT8_MAX

static void fheld_add(struct asc_topk *t, size_t at, int d)
{
    if (t->fheld[at] != FHELD_STUCK)
        t->fheld[at] = (uint8_t)(t->fheld[at] + d);
}

/* The filter cell number of hash h. */
static size_t filter_at(const struct asc_topk *t, uint64_t h)
{
    return (h >> 32) & t->fmask;
}

/* Whether key a (hash h) is held: its index slot in *s, or the empty slot
 * where it would go. A key whose filter cell no held item maps to is not
 * held, which one byte in a small array tells without the index
 * (*s is then SIZE_MAX): on a stream of mostly new keys, most updates. */
static bool held_at(const struct asc_topk *t, const struct asc_addr *a, uint64_t h, size_t *s)
{
    if (t->fheld && !t->fheld[filter_at(t, h)]) {
        *s = SIZE_MAX;
        return false;
    }
    *s = find_slot_h(t, a, h);
    return t->index[*s].item >= 0;
}

void asc_topk_add(struct asc_topk *t, const struct asc_addr *key, uint64_t w, uint64_t aux)
{
    t->total += w;
    uint64_t h = khash(key);
    size_t s;
    if (held_at(t, key, h, &s)) {
        int32_t it = t->index[s].item;
        t->items[it].count += w;
        t->items[it].aux += aux;
        t->heap[t->pos[it]].count = t->items[it].count;
        sift_down(t, (size_t)t->pos[it]);
        return;
    }
    if (t->n < t->k) {
        size_t i = t->n++;
        t->items[i] = (struct asc_topk_item){.key = *key, .count = w, .err = 0, .aux = aux};
        index_set(t, s != SIZE_MAX ? s : find_slot_h(t, key, h), (int32_t)i, h);
        if (t->fheld)
            fheld_add(t, filter_at(t, h), 1);
        t->heap[i] = (struct hent){w, (int32_t)i};
        t->pos[i] = (int32_t)i;
        sift_up(t, i);
        return;
    }
    /* Full: the key replaces the item with the smallest count. Filtered,
     * the key's cell bounds what it sent while not held (every cell stays
     * <= the smallest count): while that bound stays below the smallest
     * count the key stays out and the cell takes its weight; otherwise it
     * replaces that item, whose count goes to its own cell. */
    uint64_t min = t->heap[0].count; /* the smallest item's count, without reading it */
    uint64_t floor = min;
    if (t->filt) {
        uint64_t *cell = &t->filt[filter_at(t, h)];
        if (w <= min - *cell) {   /* *cell <= min: no overflow */
            *cell += w;
            return;
        }
        size_t vat = filter_at(t, t->item_hash[t->heap[0].item]);
        if (t->filt[vat] < min)
            t->filt[vat] = min;
        fheld_add(t, vat, -1);
        fheld_add(t, filter_at(t, h), 1);
        floor = *cell;
    }
    size_t mi = (size_t)t->heap[0].item;
    struct asc_topk_item *v = &t->items[mi];
    index_delete(t, item_slot(t, (int32_t)mi, t->item_hash[mi]));
    *v = (struct asc_topk_item){.key = *key, .count = floor + w, .err = floor, .aux = aux};
    index_set(t, find_slot_h(t, key, h), (int32_t)mi, h);
    t->heap[0].count = v->count;
    sift_root_deep(t);
}

static int item_cmp(const void *a, const void *b)
{
    const struct asc_topk_item *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return asc_addr_cmp(&x->key, &y->key);
}

size_t asc_topk_list(const struct asc_topk *t, struct asc_topk_item *out, size_t n)
{
    struct asc_topk_item *tmp = asc_xcalloc(t->n ? t->n : 1, sizeof(*tmp));
    memcpy(tmp, t->items, t->n * sizeof(*tmp));
    qsort(tmp, t->n, sizeof(*tmp), item_cmp);
    size_t m = t->n < n ? t->n : n;
    memcpy(out, tmp, m * sizeof(*out));
    free(tmp);
    return m;
}

uint64_t asc_topk_total(const struct asc_topk *t)
{
    return t->total;
}
