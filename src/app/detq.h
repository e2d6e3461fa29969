/*
 * detq.h - the hand-off between the reading thread and the detection
 * thread of `ascribe analyze` (DESIGN.md, "Threads").
 *
 * A single-producer, single-consumer queue of variable-length records
 * (flow records, packets with their flow so far, ticks), written into
 * fixed-size batches. The reader fills a batch; when it is full it goes
 * to the detection thread, which hands every record, in order, to one
 * callback and returns the batch. Memory is bounded by the batch count:
 * a reader that gets ahead waits for a free batch, so nothing is dropped.
 * Records reach the callback in the order they were written, so a run
 * gives the same results as calling the callback directly.
 */
#ifndef ASC_DETQ_H
#define ASC_DETQ_H

#include <stddef.h>
#include <stdint.h>

#include "core/common.h"

/* Records are 8-byte aligned in a batch: a record of n bytes takes
 * ASC_ALIGN8(n) (callers laying out several parts in one record use it
 * too). */
#define ASC_ALIGN8(n) (((n) + 7u) & ~(size_t)7u)

struct asc_detq;

/* Called on the detection thread for each record (len bytes at rec,
 * 8-byte aligned, valid until the end of its batch), then once with kind
 * 0 (rec NULL) when the records of a batch are done and about to be
 * reused: a record may be kept by pointer until that call. */
typedef void (*asc_detq_fn)(void *ctx, unsigned kind, const void *rec, size_t len);

struct asc_detq_stats {
    uint64_t batches;          /* batches handed over */
    uint64_t records;
    uint64_t reader_waits;     /* times the reader waited for a free batch */
};

/* Start the detection thread. batch_bytes is the size of one batch (at
 * least 64 KiB is sensible), n_batches (>= 2) how many exist. NULL with
 * err set if the thread cannot start. */
struct asc_detq *asc_detq_new(size_t batch_bytes, unsigned n_batches, asc_detq_fn fn, void *ctx,
                              struct asc_err *err);
/* Room for a record of kind and len bytes (len at most batch_bytes - 16);
 * write it before the next call. Never NULL. */
void *asc_detq_put(struct asc_detq *q, unsigned kind, size_t len);
/* Hand over what is written and wait until the detection thread has
 * processed every record and stopped. Idempotent. */
void asc_detq_finish(struct asc_detq *q);
/* Finishes if needed, then frees. NULL is fine. */
void asc_detq_free(struct asc_detq *q, struct asc_detq_stats *st);

#endif
