/*
 * detq.c - the reader -> detection thread queue (detq.h).
 *
 * Batches cycle between two lists guarded by one mutex: `full` (written,
 * waiting for the detection thread, in order) and `free`. The lock is
 * taken once per batch, not per record, so its cost vanishes next to the
 * records' own. A record is an 8-byte header (length, kind) and its bytes,
 * padded to 8; a zero-length header ends a batch early.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "app/detq.h"

#define HDR 8u

struct batch {
    struct batch *next;
    size_t used;
    unsigned char *buf;
};

struct asc_detq {
    pthread_mutex_t mu;
    pthread_cond_t cv_full;    /* a batch was queued, or the reader is done */
    pthread_cond_t cv_free;    /* a batch came back */
    struct batch *full_head, *full_tail, *free_list;
    struct batch *cur;         /* the reader's batch */
    struct batch *all;         /* n_batches of them */
    unsigned n_batches;
    size_t cap;
    bool done, joined;
    pthread_t th;
    asc_detq_fn fn;
    void *ctx;
    struct asc_detq_stats st;
};

static void run_batch(struct asc_detq *q, const struct batch *b)
{
    size_t off = 0;
    while (off + HDR <= b->used) {
        uint32_t len;
        memcpy(&len, b->buf + off, 4);
        unsigned kind = b->buf[off + 4];
        if (!kind)
            break;
        q->fn(q->ctx, kind, b->buf + off + HDR, len);
        off += HDR + ASC_ALIGN8(len);
    }
    q->fn(q->ctx, 0, NULL, 0);
}

static void *consumer(void *arg)
{
    struct asc_detq *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->full_head && !q->done)
            pthread_cond_wait(&q->cv_full, &q->mu);
        struct batch *b = q->full_head;
        if (!b)
            break;          /* done and drained */
        q->full_head = b->next;
        if (!q->full_head)
            q->full_tail = NULL;
        pthread_mutex_unlock(&q->mu);
        run_batch(q, b);
        pthread_mutex_lock(&q->mu);
        b->used = 0;
        b->next = q->free_list;
        q->free_list = b;
        pthread_cond_signal(&q->cv_free);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

struct asc_detq *asc_detq_new(size_t batch_bytes, unsigned n_batches, asc_detq_fn fn, void *ctx,
                              struct asc_err *err)
{
    if (batch_bytes < 4096)
        batch_bytes = 4096;
    if (n_batches < 2)
        n_batches = 2;
    struct asc_detq *q = asc_xcalloc(1, sizeof(*q));
    q->cap = ASC_ALIGN8(batch_bytes);
    q->n_batches = n_batches;
    q->fn = fn;
    q->ctx = ctx;
    q->all = asc_xcalloc(n_batches, sizeof(*q->all));
    for (unsigned i = 0; i < n_batches; i++) {
        q->all[i].buf = asc_xmalloc(q->cap);
        if (i > 0) {
            q->all[i].next = q->free_list;
            q->free_list = &q->all[i];
        }
    }
    q->cur = &q->all[0];
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv_full, NULL);
    pthread_cond_init(&q->cv_free, NULL);
    int rc = pthread_create(&q->th, NULL, consumer, q);
    if (rc != 0) {
        asc_err_set(err, ASC_ENOMEM, "cannot start the detection thread: %s", strerror(rc));
        q->joined = true;
        asc_detq_free(q, NULL);
        return NULL;
    }
    return q;
}

/* Queue the reader's batch; take a free one (waiting if need be) unless
 * the reader is finishing. */
static void hand_over(struct asc_detq *q, bool take_next)
{
    struct batch *b = q->cur;
    q->cur = NULL;
    pthread_mutex_lock(&q->mu);
    if (b && b->used) {
        b->next = NULL;
        if (q->full_tail)
            q->full_tail->next = b;
        else
            q->full_head = b;
        q->full_tail = b;
        q->st.batches++;
        pthread_cond_signal(&q->cv_full);
    } else if (b) {
        b->next = q->free_list;
        q->free_list = b;
    }
    if (take_next) {
        if (!q->free_list)
            q->st.reader_waits++;
        while (!q->free_list)
            pthread_cond_wait(&q->cv_free, &q->mu);
        q->cur = q->free_list;
        q->free_list = q->cur->next;
        q->cur->next = NULL;
    }
    pthread_mutex_unlock(&q->mu);
}

void *asc_detq_put(struct asc_detq *q, unsigned kind, size_t len)
{
    size_t need = HDR + ASC_ALIGN8(len);
    if (need > q->cap)
        abort();            /* a caller bug: records are far smaller than a batch */
    if (q->cur->used + need > q->cap)
        hand_over(q, true);
    unsigned char *p = q->cur->buf + q->cur->used;
    uint32_t l32 = (uint32_t)len;
    memcpy(p, &l32, 4);
    p[4] = (unsigned char)kind;
    p[5] = p[6] = p[7] = 0;
    q->cur->used += need;
    q->st.records++;
    return p + HDR;
}

void asc_detq_finish(struct asc_detq *q)
{
    if (!q || q->joined)
        return;
    hand_over(q, false);
    pthread_mutex_lock(&q->mu);
    q->done = true;
    pthread_cond_signal(&q->cv_full);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->th, NULL);
    q->joined = true;
}

void asc_detq_free(struct asc_detq *q, struct asc_detq_stats *st)
{
    if (!q)
        return;
    asc_detq_finish(q);
    if (st)
        *st = q->st;
    for (unsigned i = 0; i < q->n_batches; i++)
        free(q->all[i].buf);
    free(q->all);
    pthread_cond_destroy(&q->cv_free);
    pthread_cond_destroy(&q->cv_full);
    pthread_mutex_destroy(&q->mu);
    free(q);
}
