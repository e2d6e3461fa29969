/*
 * test_pcap_batch.c - reading classic pcap in batches (asc_merge_next_batch,
 * asc_pcap_more in src/source/pcap_src.h): every frame of a batch is the
 * right one and still intact when the batch is complete, batches end at
 * window edges and never lose a frame, several inputs give one frame per
 * call, records larger than the read window come whole, and damage --
 * cut files, a file truncated while it is read -- is
 * reported at the same offsets as frame by frame.
 */
#include <stdbool.h>

#include "capture_build.h"

static uint32_t batch_caplen(uint32_t i)
{
    return 1 + (i * 37) % 1500;
}

/* n records of varied sizes (over 2 MiB for n = 3000: several windows). */
static const char *write_batch_file(const char *tag, uint32_t n)
{
    const char *path = tmp_path(tag);
    FILE *f = fopen(path, "wb");
    if (!f)
        return path;
    struct bb h = {.be = false};
    pcap_hdr(&h, true, 1);
    fwrite(h.d, 1, h.n, f);
    for (uint32_t i = 0; i < n; i++) {
        struct bb r = {.be = false};
        pcap_rec(&r, 1700000000u + i, i, batch_caplen(i), 1514, (uint8_t)i);
        fwrite(r.d, 1, r.n, f);
    }
    fclose(f);
    return path;
}

/* The merge of one file (checked to open), or NULL. */
static struct asc_merge *open_one(const char *path)
{
    const char *paths[1] = {path};
    struct asc_merge *m = NULL;
    struct asc_err err = {0};
    CHECK_EQ_U(asc_merge_open(paths, 1, &m, &err), 0);
    return m;
}

/* Every frame of every batch is the right one and still intact when the
 * batch is complete; batches end at window edges, never lose a frame. */
static void t_batch(void)
{
    const char *path = write_batch_file("batch", 3000);
    struct asc_err err = {0};
    struct err_log log = {0};
    struct asc_frame fr[7];
    struct asc_merge *m = open_one(path);
    if (!m)
        return;
    uint32_t idx = 0, multi = 0, bad = 0;
    size_t k;
    while ((k = asc_merge_next_batch(m, fr, 7, on_err, &log)) > 0) {
        CHECK(k <= 7);
        multi += k > 1;
        for (size_t j = 0; j < k; j++, idx++)
            if (!frame_is(&fr[j], batch_caplen(idx), (uint8_t)idx) || fr[j].wirelen != 1514 ||
                fr[j].ts != (1700000000 + (int64_t)idx) * ASC_NS_PER_SEC + idx)
                bad++;
    }
    CHECK_EQ_U(idx, 3000);
    CHECK_EQ_U(bad, 0);
    CHECK(multi > 3000 / 7 - 10);    /* almost every batch is full */
    CHECK_EQ_U(log.calls, 0);
    CHECK_EQ_U(asc_merge_offset(m), asc_merge_size(m));
    CHECK_EQ_U(asc_merge_next_batch(m, fr, 7, on_err, &log), 0);
    asc_merge_close(m);
    /* Several inputs: one frame per call, still in merge order. */
    const char *two[2] = {path, path};
    CHECK_EQ_U(asc_merge_open(two, 2, &m, &err), 0);
    idx = 0;
    bad = 0;
    while ((k = asc_merge_next_batch(m, fr, 7, on_err, &log)) > 0) {
        if (k != 1 || !frame_is(&fr[0], batch_caplen(idx / 2), (uint8_t)(idx / 2)))
            bad++;
        idx++;
    }
    CHECK_EQ_U(idx, 6000);
    CHECK_EQ_U(bad, 0);
    asc_merge_close(m);
    unlink(path);
}

/* Damaged files read in batches: the same frames, then the same error at
 * the same offset, as frame by frame (t_pcap_truncated's cases). */
static void t_batch_damage(void)
{
    struct bb b = {0};
    three_records(&b);
    const struct cut_case *cases = three_record_cuts;
    for (size_t i = 0; i < ASC_ARRAY_LEN(three_record_cuts); i++) {
        const char *path = write_file("btrunc.pcap", b.d, cases[i].cut);
        struct err_log log = {0};
        struct asc_frame fr[8];
        struct asc_merge *m = open_one(path);
        if (!m)
            continue;
        unsigned n = 0;
        size_t k;
        while ((k = asc_merge_next_batch(m, fr, 8, on_err, &log)) > 0)
            n += (unsigned)k;
        CHECK_EQ_U(n, cases[i].good);
        CHECK_EQ_U(log.calls, cases[i].off == UINT64_MAX ? 0u : 1u);
        if (cases[i].off != UINT64_MAX) {
            char at[64];
            snprintf(at, sizeof(at), "at byte %llu", (unsigned long long)cases[i].off);
            CHECK(strstr(log.last, at) != NULL);
        }
        asc_merge_close(m);
        unlink(path);
    }
}

/* Truncated while read in batches: no SIGBUS, the damage is
 * reported, no frame is returned twice or out of order. */
static void t_batch_shrinks(void)
{
    const char *path = write_batch_file("bshrink", 3000);
    struct err_log log = {0};
    struct asc_frame fr[16];
    struct asc_merge *m = open_one(path);
    if (!m)
        return;
    uint32_t idx = 0, bad = 0, sum = 0;
    size_t k;
    bool cut = false;
    while ((k = asc_merge_next_batch(m, fr, 16, on_err, &log)) > 0) {
        for (size_t j = 0; j < k; j++, idx++) {
            for (uint32_t x = 0; x < fr[j].caplen; x++)
                sum += fr[j].data[x];   /* touch every byte, as the decoder may */
            if (fr[j].ts > 0 && fr[j].ts != (1700000000 + (int64_t)idx) * ASC_NS_PER_SEC + idx)
                bad++;
        }
        if (!cut) {
            CHECK_EQ_U(truncate(path, 100000), 0);
            cut = true;
        }
    }
    CHECK_EQ_U(log.calls, 1);
    CHECK(strstr(log.last, "shrank") != NULL || strstr(log.last, "truncated") != NULL);
    CHECK(idx >= 100 && idx < 3000);
    CHECK_EQ_U(bad, 0);
    if (log.calls != 1 || idx < 100 || idx >= 3000 || bad)
        fprintf(stderr, "  %u frames, %u bad: %s (sum %u)\n", idx, bad, log.last, sum);
    asc_merge_close(m);
    unlink(path);
}

/* Records as large as the snapshot length allows (262144 bytes, larger
 * than the reader's window) between small ones: each is read whole, in
 * batches, with its neighbours intact. */
static void t_batch_big_records(void)
{
    static const uint32_t sizes[] = {60, 262144, 1514, 200000, 9, 262144, 262144, 70, 131000};
    enum { N = 40 };
    const char *path = tmp_path("bigrec");
    FILE *f = fopen(path, "wb");
    uint8_t *data = malloc(262144);
    CHECK(f != NULL && data != NULL);
    if (!f || !data) {
        free(data);
        return;
    }
    struct bb h = {.be = false};
    pcap_hdr(&h, false, 1);
    set32(&h, 16, 262144);   /* snapshot length */
    fwrite(h.d, 1, h.n, f);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t len = sizes[i % ASC_ARRAY_LEN(sizes)];
        struct bb r = {.be = false};
        put32(&r, 1700000000u + i);
        put32(&r, i);
        put32(&r, len);
        put32(&r, len);
        frame_bytes(data, len, (uint8_t)(3 * i));
        fwrite(r.d, 1, r.n, f);
        fwrite(data, 1, len, f);
    }
    CHECK_EQ_U(fclose(f), 0);
    free(data);
    struct err_log log = {0};
    struct asc_frame fr[5];
    struct asc_merge *m = open_one(path);
    if (!m)
        return;
    uint32_t idx = 0, bad = 0, multi_late = 0;
    size_t k;
    while ((k = asc_merge_next_batch(m, fr, 5, on_err, &log)) > 0) {
        /* Batches of several frames come only from the in-place reader:
         * past the first big record, they show it read on rather than
         * handing the file to libpcap (frame by frame). */
        multi_late += k > 1 && idx > 2;
        for (size_t j = 0; j < k; j++, idx++)
            if (!frame_is(&fr[j], sizes[idx % ASC_ARRAY_LEN(sizes)], (uint8_t)(3 * idx)) ||
                fr[j].ts != (1700000000 + (int64_t)idx) * ASC_NS_PER_SEC + idx * 1000)
                bad++;
    }
    CHECK_EQ_U(idx, N);
    CHECK_EQ_U(bad, 0);
    CHECK(multi_late > 0);
    CHECK_EQ_U(log.calls, 0);
    CHECK_EQ_U(asc_merge_offset(m), asc_merge_size(m));
    asc_merge_close(m);
    unlink(path);
}

TEST_MAIN(T(t_batch), T(t_batch_damage), T(t_batch_shrinks), T(t_batch_big_records))
