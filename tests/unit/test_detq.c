/*
 * test_detq.c - the reader -> detection thread queue (src/app/detq.c):
 * every record arrives once, in order, with its kind and bytes, across
 * many batch hand-overs; each batch ends with a kind-0 call, until which
 * its records stay intact; a slow consumer makes the reader wait instead
 * of losing records; finish is idempotent and an empty run is fine.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "app/detq.h"
#include "harness.h"

struct seen {
    uint64_t next;             /* sequence number expected next */
    uint64_t bad_order, bad_bytes, bad_kind, misaligned;
    unsigned slow_every;       /* sleep on every Nth record (0: never) */
    uint64_t ends;             /* kind-0 calls */
    uint64_t bad_held;         /* records changed before their batch's end */
    size_t n_held;
    const void *held[64];      /* the first records of the current batch, by pointer */
};

/* Record i: kind 1 + i % 3, length 1 + (i * 37) % 700, bytes derived from i. */
static size_t rec_len(uint64_t i)
{
    return 8 + (size_t)((i * 37) % 700);
}

static void fill(unsigned char *p, uint64_t i, size_t len)
{
    memcpy(p, &i, 8);
    for (size_t k = 8; k < len; k++)
        p[k] = (unsigned char)(i * 131 + k);
}

/* Whether record i's bytes are intact at rec. */
static bool intact(const unsigned char *p, uint64_t i, size_t len)
{
    for (size_t k = 8; k < len; k++)
        if (p[k] != (unsigned char)(i * 131 + k))
            return false;
    return true;
}

static void on_rec(void *ctx, unsigned kind, const void *rec, size_t len)
{
    struct seen *s = ctx;
    if (kind == 0) {            /* the batch is done: what was held is still there */
        s->ends++;
        for (size_t h = 0; h < s->n_held; h++) {
            uint64_t j;
            memcpy(&j, s->held[h], 8);
            if (!intact(s->held[h], j, rec_len(j)))
                s->bad_held++;
        }
        s->n_held = 0;
        return;
    }
    if (s->n_held < 64)
        s->held[s->n_held++] = rec;
    uint64_t i;
    memcpy(&i, rec, 8);
    if ((uintptr_t)rec % 8)
        s->misaligned++;
    if (i != s->next)
        s->bad_order++;
    if (kind != 1 + i % 3)
        s->bad_kind++;
    const unsigned char *p = rec;
    if (len != rec_len(i) || !intact(p, i, len))
        s->bad_bytes++;
    s->next = i + 1;
    if (s->slow_every && i % s->slow_every == 0) {
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
}

static void run(uint64_t n, size_t batch, unsigned nb, unsigned slow, struct asc_detq_stats *st,
                struct seen *s)
{
    memset(s, 0, sizeof(*s));
    s->slow_every = slow;
    struct asc_err err = {0};
    struct asc_detq *q = asc_detq_new(batch, nb, on_rec, s, &err);
    CHECK(q != NULL);
    if (!q)
        return;
    for (uint64_t i = 0; i < n; i++) {
        size_t len = rec_len(i);
        fill(asc_detq_put(q, (unsigned)(1 + i % 3), len), i, len);
    }
    asc_detq_finish(q);
    asc_detq_finish(q);     /* idempotent */
    asc_detq_free(q, st);
}

static void test_order_and_bytes(void)
{
    struct seen s;
    struct asc_detq_stats st;
    run(200000, 64 << 10, 4, 0, &st, &s);
    CHECK_EQ_U(s.next, 200000);
    CHECK_EQ_U(s.bad_order, 0);
    CHECK_EQ_U(s.bad_kind, 0);
    CHECK_EQ_U(s.bad_bytes, 0);
    CHECK_EQ_U(s.misaligned, 0);
    CHECK_EQ_U(st.records, 200000);
    CHECK(st.batches > 100);   /* ~73 MB of records through 64 KiB batches */
    CHECK_EQ_U(s.ends, st.batches);
    CHECK_EQ_U(s.bad_held, 0);
}

static void test_slow_consumer_waits(void)
{
    struct seen s;
    struct asc_detq_stats st;
    run(20000, 4096, 2, 500, &st, &s);
    CHECK_EQ_U(s.next, 20000);
    CHECK_EQ_U(s.bad_order + s.bad_bytes + s.bad_kind, 0);
    CHECK(st.reader_waits > 0);  /* it waited rather than dropping */
}

static void test_empty(void)
{
    struct seen s;
    struct asc_detq_stats st;
    run(0, 4096, 2, 0, &st, &s);
    CHECK_EQ_U(s.next, 0);
    CHECK_EQ_U(st.records, 0);
    CHECK_EQ_U(st.batches, 0);
    asc_detq_free(NULL, NULL);
}

TEST_MAIN(T(test_order_and_bytes), T(test_slow_consumer_waits), T(test_empty))
