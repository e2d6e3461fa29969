/*
 * topk.h - Space-Saving heavy hitters (Metwally et al. 2005) over 16+1 byte
 * keys (addresses), with a weight per update.
 *
 * Bounded memory: k counters whatever the number of distinct keys. Counts
 * of listed keys are over-estimates by at most `err`; a key with a true
 * weight above total/k is guaranteed to be listed. asc_topk_new: plain
 * Space-Saving, used for incidents' top sources (src/attrib/srcset.c).
 *
 * asc_topk_new_filtered, used for the run's top talkers (app/pipeline.c),
 * puts a filter in front of the counters (in the manner of Filtered
 * Space-Saving, Homem and Carvalho 2010): 8 k cells (a power of two, at
 * least 64). Once the k counters are full, a key not held is counted in
 * its cell, which bounds what any key mapped to it sent while not held,
 * and replaces the smallest counter only when that bound passes it; the
 * evicted count goes to the evicted key's cell. Every cell stays at or
 * below the smallest count, so the guarantees above hold, and the largest
 * `err` over the summary is never larger than plain Space-Saving's on the
 * same updates (one key's `err` can be). On a stream of mostly new keys
 * most updates touch one cell instead of the heap, and a count per cell
 * of the held keys mapped to it spares them the index lookup as well.
 * Which of several
 * near-equal keys are listed then depends on the cells, not only on the
 * order of updates.
 */
#ifndef ASC_TOPK_H
#define ASC_TOPK_H

#include "core/common.h"

struct asc_topk_item {
    struct asc_addr key;
    uint64_t count;   /* estimated weight */
    uint64_t err;     /* maximum over-estimate */
    uint64_t aux;     /* a second weight summed alongside (e.g. packets) */
};

struct asc_topk;

struct asc_topk *asc_topk_new(size_t k);
struct asc_topk *asc_topk_new_filtered(size_t k);
void asc_topk_free(struct asc_topk *t);
void asc_topk_add(struct asc_topk *t, const struct asc_addr *key, uint64_t w, uint64_t aux);
/* Copy the items sorted by count descending, then key; returns how many. */
size_t asc_topk_list(const struct asc_topk *t, struct asc_topk_item *out, size_t n);
uint64_t asc_topk_total(const struct asc_topk *t);

#endif
