/*
 * test_pcap_src.c - unit tests for the capture reader and merge
 * (src/source/pcap_src.h) and, through it, the pcapng reader.
 *
 * Every capture is written byte by byte by the test itself into /tmp:
 * classic pcap in micro/nano and both byte orders, pcapng with mixed link
 * types, EPB/SPB/section restarts and timestamp resolutions, then damaged
 * variants (truncated at many offsets, corrupt blocks), files that are not
 * captures, a 3-way merge and reading standard input (file and pipe).
 * Reading in batches is tested in test_pcap_batch.c; the capture builders
 * are in capture_build.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture_build.h"

/* ------------------------------------------------------------------ */
/* Classic pcap                                                        */
/* ------------------------------------------------------------------ */

static void check_classic(bool be, bool nano)
{
    struct bb b = {.be = be};
    uint32_t mul = nano ? 1 : 1000;
    pcap_hdr(&b, nano, 1);
    pcap_rec(&b, 1700000000u, nano ? 123456789u : 123456u, 60, 60, 0x10);
    pcap_rec(&b, 1700000001u, 0, 1, 1500, 0x20);
    /* 2100-01-01: past 2^31 seconds, the field is unsigned */
    pcap_rec(&b, 4102444800u, nano ? 999999999u : 999999u, 42, 42, 0x30);
    const char *path = write_file(nano ? "nano" : "micro", b.d, b.n);

    struct asc_pcap_src *s = NULL;
    struct asc_err err = {0};
    struct asc_frame fr;
    CHECK_EQ_U(asc_pcap_open(path, &s, &err), 0);
    if (!s)
        return;
    CHECK_STR(asc_pcap_name(s), path);
    CHECK_EQ_U(asc_pcap_size(s), b.n);
    CHECK_EQ_U(asc_pcap_next(s, &fr, &err), 1);
    CHECK_EQ_U(fr.ts, 1700000000 * ASC_NS_PER_SEC + (nano ? 123456789 : 123456) * (int64_t)mul);
    CHECK(frame_is(&fr, 60, 0x10));
    CHECK_EQ_U(fr.wirelen, 60);
    CHECK_EQ_U(fr.linktype, 1);
    CHECK_EQ_U(asc_pcap_offset(s), 24 + 16 + 60);
    CHECK_EQ_U(asc_pcap_next(s, &fr, &err), 1);
    CHECK_EQ_U(fr.ts, 1700000001 * ASC_NS_PER_SEC);
    CHECK(frame_is(&fr, 1, 0x20));
    CHECK_EQ_U(fr.wirelen, 1500);
    CHECK_EQ_U(asc_pcap_next(s, &fr, &err), 1);
    CHECK_EQ_U(fr.ts, INT64_C(4102444800) * ASC_NS_PER_SEC + ASC_NS_PER_SEC - mul);
    CHECK(frame_is(&fr, 42, 0x30));
    CHECK_EQ_U(asc_pcap_next(s, &fr, &err), 0);
    CHECK_EQ_U(asc_pcap_next(s, &fr, &err), 0);
    CHECK_EQ_U(asc_pcap_offset(s), b.n);
    asc_pcap_close(s);
    unlink(path);
}

static void t_pcap_micro_le(void)
{
    check_classic(false, false);
}
static void t_pcap_micro_be(void)
{
    check_classic(true, false);
}
static void t_pcap_nano_le(void)
{
    check_classic(false, true);
}
static void t_pcap_nano_be(void)
{
    check_classic(true, true);
}

/* Records longer than the file's snaplen: libpcap returns the first
 * snaplen bytes and drops the rest; offsets must still count them. */
static void t_pcap_snaplen_cut(void)
{
    struct bb b = {0};
    pcap_hdr(&b, false, 1);
    set32(&b, 16, 64);
    for (uint32_t i = 0; i < 3; i++)
        pcap_rec(&b, i, 0, 100, 100, (uint8_t)i);
    const char *path = write_file("snaplen", b.d, b.n);
    struct asc_pcap_src *s = NULL;
    struct asc_err err = {0};
    struct asc_frame fr;
    CHECK_EQ_U(asc_pcap_open(path, &s, &err), 0);
    for (uint32_t i = 0; s && i < 3; i++) {
        CHECK_EQ_U(asc_pcap_next(s, &fr, &err), 1);
        CHECK(frame_is(&fr, 64, (uint8_t)i));
        CHECK_EQ_U(fr.wirelen, 100);
        CHECK_EQ_U(asc_pcap_offset(s), 24 + (i + 1) * 116);
    }
    asc_pcap_close(s);
    unlink(path);
}

/* ------------------------------------------------------------------ */
/* pcapng                                                              */
/* ------------------------------------------------------------------ */

struct want {
    asc_time ts;
    int linktype;
    uint32_t caplen, wirelen;
    uint8_t tag;
};

static void read_expect(const char *path, const struct want *w, size_t n)
{
    struct asc_pcap_src *s = NULL;
    struct asc_err err = {0};
    struct asc_frame fr;
    CHECK_EQ_U(asc_pcap_open(path, &s, &err), 0);
    if (!s) {
        fprintf(stderr, "  open: %s\n", err.msg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int rc = asc_pcap_next(s, &fr, &err);
        CHECK_EQ_U(rc, 1);
        if (rc != 1) {
            fprintf(stderr, "  frame %zu: %s\n", i, err.msg);
            break;
        }
        CHECK_EQ_U(fr.ts, w[i].ts);
        CHECK_EQ_U(fr.linktype, w[i].linktype);
        CHECK_EQ_U(fr.wirelen, w[i].wirelen);
        CHECK(frame_is(&fr, w[i].caplen, w[i].tag));
    }
    CHECK_EQ_U(asc_pcap_next(s, &fr, &err), 0);
    asc_pcap_close(s);
}

/* Two interfaces of different link types (libpcap 1.10 refuses this),
 * EPBs on both, an SPB, skipped blocks, then a big-endian section restart
 * whose interface 0 has yet another link type. */
static void t_pcapng_mixed(void)
{
    struct bb b = {0};
    ng_shb(&b, false);
    ng_idb(&b, 1, 0, -1, 0);
    ng_other(&b, 5); /* interface statistics: skipped */
    ng_epb(&b, 0, 1700000000000001ull, 60, 0x01);
    ng_idb(&b, 228, 0, -1, 0);
    ng_epb(&b, 1, 1700000000000002ull, 40, 0x02);
    ng_other(&b, 4);          /* name resolution: skipped */
    ng_spb(&b, 30, 32, 0x03); /* wire 30, 32 stored (padding) */
    ng_epb(&b, 0, 1700000000000003ull, 61, 0x04);
    ng_shb(&b, true);
    ng_idb(&b, 113, 20, -1, 0); /* Linux SLL, snaplen 20 */
    ng_epb(&b, 0, 1700000000000004ull, 20, 0x05);
    ng_spb(&b, 100, 100, 0x06); /* cut to the snaplen */
    ng_idb(&b, 101, 0, -1, 0);  /* LINKTYPE_RAW, reported as DLT_RAW (12) */
    ng_epb(&b, 1, 1700000000000005ull, 20, 0x07);
    const char *path = write_file("mixed.pcapng", b.d, b.n);
    const asc_time base = 1700000000 * ASC_NS_PER_SEC;
    const struct want w[] = {
        {base + 1000, 1, 60, 160, 0x01},   {base + 2000, 228, 40, 140, 0x02},
        {base + 2000, 1, 30, 30, 0x03},    {base + 3000, 1, 61, 161, 0x04},
        {base + 4000, 113, 20, 120, 0x05}, {base + 4000, 113, 20, 100, 0x06},
        {base + 5000, 12, 20, 120, 0x07},
    };
    read_expect(path, w, ASC_ARRAY_LEN(w));
    unlink(path);
}

static void t_pcapng_tsresol(void)
{
    struct bb b = {0};
    ng_shb(&b, false);
    ng_idb(&b, 1, 0, 9, 0);           /* nanoseconds */
    ng_idb(&b, 1, 0, 0x80 | 10, 100); /* 1/1024 s, +100 s */
    ng_idb(&b, 1, 0, 0, -10);         /* whole seconds, -10 s */
    ng_epb(&b, 0, 1700000000123456789ull, 10, 0x11);
    ng_epb(&b, 1, 5 * 1024 + 512, 10, 0x12);
    ng_epb(&b, 2, 1000, 10, 0x13);
    const char *path = write_file("tsresol.pcapng", b.d, b.n);
    const struct want w[] = {
        {INT64_C(1700000000123456789), 1, 10, 110, 0x11},
        {105 * ASC_NS_PER_SEC + ASC_NS_PER_SEC / 2, 1, 10, 110, 0x12},
        {990 * ASC_NS_PER_SEC, 1, 10, 110, 0x13},
    };
    read_expect(path, w, ASC_ARRAY_LEN(w));
    unlink(path);
}

/* ------------------------------------------------------------------ */
/* Damaged input                                                       */
/* ------------------------------------------------------------------ */

/* Reads `path`: expects `good` frames, then an error at `off` naming the
 * file (or a clean end if off is UINT64_MAX), then 0 for ever. */
static void expect_damage(const char *path, unsigned good, uint64_t off)
{
    struct asc_pcap_src *s = NULL;
    struct asc_err err = {0};
    struct asc_frame fr;
    CHECK_EQ_U(asc_pcap_open(path, &s, &err), 0);
    if (!s)
        return;
    unsigned n = 0;
    int rc;
    while ((rc = asc_pcap_next(s, &fr, &err)) == 1)
        n++;
    CHECK_EQ_U(n, good);
    if (off == UINT64_MAX) {
        CHECK_EQ_U(rc, 0);
    } else {
        char at[64];
        snprintf(at, sizeof(at), "at byte %llu", (unsigned long long)off);
        CHECK(rc < 0);
        CHECK_EQ_U(err.offset, off);
        CHECK(err.code == rc);
        CHECK(strstr(err.msg, path) != NULL);
        CHECK(strstr(err.msg, at) != NULL);
        if (n != good || err.offset != off)
            fprintf(stderr, "  %s\n", err.msg);
    }
    CHECK_EQ_U(asc_pcap_next(s, &fr, &err), 0);
    asc_pcap_close(s);
}

static void t_pcap_truncated(void)
{
    struct bb b = {0};
    three_records(&b);
    const struct cut_case *cases = three_record_cuts;
    for (size_t i = 0; i < ASC_ARRAY_LEN(three_record_cuts); i++) {
        const char *path = write_file("trunc.pcap", b.d, cases[i].cut);
        expect_damage(path, cases[i].good, cases[i].off);
        unlink(path);
    }
    /* A record claiming a huge capture length is corrupt, not truncated. */
    struct bb c = {0};
    pcap_hdr(&c, false, 1);
    pcap_rec(&c, 1, 0, 10, 10, 1);
    put32(&c, 2);
    put32(&c, 0);
    put32(&c, 0x7fffffff);
    put32(&c, 0x7fffffff);
    const char *path = write_file("huge.pcap", c.d, c.n);
    expect_damage(path, 1, 24 + 16 + 10);
    unlink(path);
}

static void t_pcapng_truncated(void)
{
    struct bb b = {0};
    ng_shb(&b, false);       /* 0..28 */
    ng_idb(&b, 1, 0, -1, 0); /* 28..52 */
    size_t e1 = b.n;
    ng_epb(&b, 0, 1, 40, 1); /* e1..e1+72 */
    size_t e2 = b.n;
    ng_epb(&b, 0, 2, 40, 2);
    size_t end = b.n;
    static const size_t cuts_in_idb[] = {29, 40, 51};
    for (size_t i = 0; i < ASC_ARRAY_LEN(cuts_in_idb); i++) {
        const char *path = write_file("trunc.pcapng", b.d, cuts_in_idb[i]);
        expect_damage(path, 0, 28);
        unlink(path);
    }
    const size_t cuts[] = {e1 + 1, e1 + 7, e1 + 8, e1 + 30, e2 - 1, e2 + 3, e2 + 50, end - 4};
    for (size_t i = 0; i < ASC_ARRAY_LEN(cuts); i++) {
        const char *path = write_file("trunc.pcapng", b.d, cuts[i]);
        expect_damage(path, cuts[i] < e2 ? 0 : 1, cuts[i] < e2 ? e1 : e2);
        unlink(path);
    }
    const char *path = write_file("whole.pcapng", b.d, end);
    expect_damage(path, 2, UINT64_MAX);
    unlink(path);
}

static void t_pcapng_corrupt(void)
{
    struct bb b = {0};
    ng_shb(&b, false);
    ng_idb(&b, 1, 0, -1, 0);
    size_t e1 = b.n;
    ng_epb(&b, 0, 1, 40, 1);
    size_t e2 = b.n;
    ng_epb(&b, 0, 2, 40, 2);
    struct bb c;
    const char *path;

    c = b; /* trailing length differs */
    set32(&c, c.n - 4, 76);
    path = write_file("c1.pcapng", c.d, c.n);
    expect_damage(path, 1, e2);
    c = b; /* leading length not a multiple of 4 */
    set32(&c, e2 + 4, 73);
    path = write_file("c2.pcapng", c.d, c.n);
    expect_damage(path, 1, e2);
    c = b; /* block length beyond the 256 MiB cap */
    set32(&c, e2 + 4, 0x7ffffff0u);
    path = write_file("c3.pcapng", c.d, c.n);
    expect_damage(path, 1, e2);
    c = b; /* undeclared interface */
    set32(&c, e1 + 8, 3);
    path = write_file("c4.pcapng", c.d, c.n);
    expect_damage(path, 0, e1);
    c = b; /* captured length past the block */
    set32(&c, e2 + 20, 41);
    path = write_file("c5.pcapng", c.d, c.n);
    expect_damage(path, 1, e2);
    c = b; /* block length below the minimum */
    set32(&c, e1 + 4, 8);
    path = write_file("c6.pcapng", c.d, c.n);
    expect_damage(path, 0, e1);
    unlink(path);
    for (int i = 1; i <= 5; i++) {
        char tag[32];
        snprintf(tag, sizeof(tag), "c%d.pcapng", i);
        unlink(tmp_path(tag));
    }
    /* An SPB before any interface, and an if_tsresol too fine to use. */
    struct bb d = {0};
    ng_shb(&d, true);
    ng_spb(&d, 4, 4, 0);
    path = write_file("c7.pcapng", d.d, d.n);
    expect_damage(path, 0, 28);
    unlink(path);
    struct bb f = {0};
    ng_shb(&f, false);
    ng_idb(&f, 1, 0, 0x80 | 100, 0);
    path = write_file("c8.pcapng", f.d, f.n);
    expect_damage(path, 0, 28);
    unlink(path);
}

static void expect_open_fails(const char *path, const char *why)
{
    struct asc_pcap_src *s = NULL;
    struct asc_err err = {0};
    int rc = asc_pcap_open(path, &s, &err);
    CHECK(rc < 0);
    CHECK(s == NULL);
    CHECK(err.code == rc);
    CHECK(strstr(err.msg, path) != NULL);
    if (why)
        CHECK(strstr(err.msg, why) != NULL);
    if (rc >= 0 || !strstr(err.msg, path))
        fprintf(stderr, "  %s: %s\n", path, err.msg);
    asc_pcap_close(s);
}

static void t_not_a_capture(void)
{
    const char *path = write_file("empty", "", 0);
    expect_open_fails(path, "empty");
    unlink(path);
    uint8_t junk[4096];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(junk); i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (uint8_t)(x >> 16);
    }
    path = write_file("random", junk, sizeof(junk));
    expect_open_fails(path, "not a pcap or pcapng");
    unlink(path);
    path = write_file("short", "\xd4\xc3", 2);
    expect_open_fails(path, "too short");
    unlink(path);
    /* pcap header cut short, wrong pcap version, wrong pcapng version */
    struct bb b = {0};
    pcap_hdr(&b, false, 1);
    path = write_file("hdrcut", b.d, 10);
    expect_open_fails(path, NULL);
    unlink(path);
    set32(&b, 4, 1); /* version 1.0 */
    path = write_file("oldver", b.d, b.n);
    expect_open_fails(path, NULL);
    unlink(path);
    struct bb g = {0};
    ng_shb(&g, false);
    g.d[12] = 2; /* major version 2 */
    path = write_file("ngver", g.d, g.n);
    expect_open_fails(path, "version 2.0");
    unlink(path);
    expect_open_fails("/nonexistent/asc/capture.pcap", "No such file");
    expect_open_fails("/tmp", "directory");
}

/* ------------------------------------------------------------------ */
/* Merge                                                               */
/* ------------------------------------------------------------------ */

static void t_merge(void)
{
    /* File k holds frames at 3i+k for i = 0..9, except that file 2 also
     * repeats file 0's times (ties: file 0 first). Tag = 10*k + i. */
    const char *paths[3];
    uint64_t total = 0;
    for (int k = 0; k < 3; k++) {
        struct bb b = {0};
        if (k == 1) {
            ng_shb(&b, true);
            ng_idb(&b, 1, 0, 9, 0);
        } else {
            pcap_hdr(&b, k == 2, 1);
        }
        for (uint32_t i = 0; i < 10; i++) {
            uint32_t t = 3 * i + (k == 2 ? 0 : (uint32_t)k);
            if (k == 1)
                ng_epb(&b, 0, (uint64_t)t * ASC_NS_PER_SEC, 8, (uint8_t)(10 * k + i));
            else
                pcap_rec(&b, t, 0, 8, 8, (uint8_t)(10 * k + i));
        }
        char tag[16];
        snprintf(tag, sizeof(tag), "merge%d", k);
        paths[k] = write_file(tag, b.d, b.n);
        total += b.n;
    }
    struct asc_merge *m = NULL;
    struct asc_err err = {0};
    struct asc_frame fr;
    struct err_log log = {0};
    CHECK_EQ_U(asc_merge_open(paths, 3, &m, &err), 0);
    if (!m)
        return;
    CHECK_EQ_U(asc_merge_size(m), total);
    asc_time prev = INT64_MIN;
    uint8_t prev_tag = 0;
    unsigned n = 0;
    while (asc_merge_next(m, &fr, on_err, &log) == 1) {
        CHECK(fr.ts >= prev);
        if (fr.ts == prev) /* tie between file 0 and file 2 */
            CHECK(prev_tag < 10 && fr.data[0] >= 20);
        CHECK_EQ_U(fr.caplen, 8);
        prev = fr.ts;
        prev_tag = fr.data[0];
        n++;
    }
    CHECK_EQ_U(n, 30);
    CHECK_EQ_U(log.calls, 0);
    CHECK_EQ_U(asc_merge_damaged(m), 0);
    CHECK_EQ_U(asc_merge_offset(m), total);
    CHECK_EQ_U(asc_merge_next(m, &fr, on_err, &log), 0);
    asc_merge_close(m);
    for (int k = 0; k < 3; k++)
        unlink(paths[k]);
}

static void t_merge_damaged(void)
{
    struct bb a = {0}, b = {0};
    pcap_hdr(&a, false, 1);
    pcap_hdr(&b, false, 1);
    for (uint32_t i = 0; i < 5; i++) {
        pcap_rec(&a, 2 * i, 0, 4, 4, 1);
        pcap_rec(&b, 2 * i + 1, 0, 4, 4, 2);
    }
    const char *paths[3];
    paths[0] = write_file("md0", a.d, a.n - 2); /* last record cut */
    paths[1] = write_file("md1", b.d, b.n);
    paths[2] = "/nonexistent/asc/x.pcap";
    struct asc_merge *m = NULL;
    struct asc_err err = {0};
    struct asc_frame fr;
    CHECK(asc_merge_open(paths, 3, &m, &err) < 0);
    CHECK(m == NULL);
    CHECK(strstr(err.msg, paths[2]) != NULL);
    struct err_log log = {0};
    CHECK_EQ_U(asc_merge_open(paths, 2, &m, &err), 0);
    unsigned n = 0;
    while (asc_merge_next(m, &fr, on_err, &log) == 1)
        n++;
    CHECK_EQ_U(n, 9);
    CHECK_EQ_U(log.calls, 1);
    CHECK(strstr(log.last, paths[0]) != NULL);
    CHECK_EQ_U(asc_merge_damaged(m), 1);
    CHECK_EQ_U(asc_merge_next(m, &fr, on_err, &log), 0);
    CHECK_EQ_U(log.calls, 1);
    asc_merge_close(m);
    /* The callback is optional. */
    CHECK_EQ_U(asc_merge_open(paths, 2, &m, &err), 0);
    n = 0;
    while (asc_merge_next(m, &fr, NULL, NULL) == 1)
        n++;
    CHECK_EQ_U(n, 9);
    asc_merge_close(m);
    unlink(paths[0]);
    unlink(paths[1]);
}

/* ------------------------------------------------------------------ */
/* Standard input and caller streams                                   */
/* ------------------------------------------------------------------ */

/* In a child with `fd` on standard input, reads "-"; exit status is the
 * frame count, or 200 + something on failure. */
static int count_stdin_in_child(int fd, int close_fd)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (close_fd >= 0)
            close(close_fd);
        if (dup2(fd, 0) < 0)
            _exit(201);
        struct asc_pcap_src *s = NULL;
        struct asc_err err = {0};
        struct asc_frame fr;
        if (asc_pcap_open("-", &s, &err) < 0)
            _exit(202);
        int n = 0, rc;
        while ((rc = asc_pcap_next(s, &fr, &err)) == 1)
            n++;
        if (rc < 0 || asc_pcap_size(s) != 0 || strcmp(asc_pcap_name(s), "stdin") != 0)
            _exit(203);
        asc_pcap_close(s);
        _exit(n);
    }
    return pid;
}

static int wait_status(int pid)
{
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static void t_stdin(void)
{
    struct bb b = {0}, g = {0};
    pcap_hdr(&b, true, 1);
    for (uint32_t i = 0; i < 7; i++)
        pcap_rec(&b, i, 0, 100, 100, (uint8_t)i);
    ng_shb(&g, false);
    ng_idb(&g, 1, 0, -1, 0);
    for (uint32_t i = 0; i < 5; i++)
        ng_epb(&g, 0, i, 100, (uint8_t)i);
    const struct bb *caps[2] = {&b, &g};
    const int want[2] = {7, 5};
    for (int k = 0; k < 2; k++) {
        /* a pipe on fd 0: not seekable, size unknown (0) */
        int fds[2];
        CHECK(pipe(fds) == 0);
        int pid = count_stdin_in_child(fds[0], fds[1]);
        close(fds[0]);
        const uint8_t *p = caps[k]->d;
        size_t left = caps[k]->n;
        while (left) {
            ssize_t w = write(fds[1], p, left);
            if (w <= 0)
                break;
            p += w;
            left -= (size_t)w;
        }
        close(fds[1]);
        CHECK_EQ_U(wait_status(pid), want[k]);
    }
}

static void t_stdin_file(void)
{
    struct bb b = {0};
    pcap_hdr(&b, false, 1);
    for (uint32_t i = 0; i < 3; i++)
        pcap_rec(&b, i, 0, 10, 10, (uint8_t)i);
    const char *path = write_file("stdinfile", b.d, b.n);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fileno(f), 0);
        struct asc_pcap_src *s = NULL;
        struct asc_err err = {0};
        struct asc_frame fr;
        if (asc_pcap_open("-", &s, &err) < 0)
            _exit(202);
        int n = 0;
        while (asc_pcap_next(s, &fr, &err) == 1)
            n++;
        if (asc_pcap_offset(s) != b.n)
            _exit(204);
        asc_pcap_close(s);
        _exit(n);
    }
    fclose(f);
    CHECK_EQ_U(wait_status(pid), 3);
    unlink(path);
}

static void t_open_stream(void)
{
    static struct bb g;
    memset(&g, 0, sizeof(g));
    ng_shb(&g, true);
    ng_idb(&g, 12, 0, -1, 0);
    ng_epb(&g, 0, 5, 20, 9);
    FILE *f = fmemopen(g.d, g.n, "rb");
    CHECK(f != NULL);
    struct asc_pcap_src *s = NULL;
    struct asc_err err = {0};
    struct asc_frame fr;
    CHECK_EQ_U(asc_pcap_open_stream(f, "mem", &s, &err), 0);
    if (!s)
        return;
    CHECK_STR(asc_pcap_name(s), "mem");
    CHECK_EQ_U(asc_pcap_size(s), 0);
    CHECK_EQ_U(asc_pcap_next(s, &fr, &err), 1);
    CHECK_EQ_U(fr.ts, 5000);
    CHECK_EQ_U(fr.linktype, 12);
    CHECK(frame_is(&fr, 20, 9));
    CHECK_EQ_U(asc_pcap_next(s, &fr, &err), 0);
    CHECK_EQ_U(asc_pcap_offset(s), g.n);
    asc_pcap_close(s); /* closes f */
    /* A failed open closes the stream too (no leak under ASan). */
    f = fmemopen(g.d, 3, "rb");
    CHECK(asc_pcap_open_stream(f, "mem3", &s, &err) < 0);
    CHECK(strstr(err.msg, "mem3") != NULL);
    asc_pcap_close(NULL);
    asc_merge_close(NULL);
}

/* A capture truncated while it is read: the reader returns what it read
 * before and reports the damage at the first record it cannot read whole. */
static void t_pcap_shrinks(void)
{
    const char *path = tmp_path("shrink");
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    struct bb h = {.be = false};
    pcap_hdr(&h, false, 1);
    fwrite(h.d, 1, h.n, f);
    uint8_t rec[16 + 1000];
    for (uint32_t i = 0; i < 2000; i++) {
        struct bb r = {.be = false};
        pcap_rec(&r, 1700000000u + i, 0, 1000, 1000, (uint8_t)i);
        memcpy(rec, r.d, r.n);
        fwrite(rec, 1, r.n, f);
    }
    CHECK_EQ_U(fclose(f), 0);
    struct asc_pcap_src *s = NULL;
    struct asc_err err = {0};
    struct asc_frame fr;
    CHECK_EQ_U(asc_pcap_open(path, &s, &err), 0);
    if (!s)
        return;
    for (int i = 0; i < 5; i++)
        CHECK_EQ_U(asc_pcap_next(s, &fr, &err), 1);
    CHECK_EQ_U(truncate(path, 40000), 0);
    unsigned n = 5, sum = 0;
    int rc;
    while ((rc = asc_pcap_next(s, &fr, &err)) == 1) {
        for (uint32_t i = 0; i < fr.caplen; i++)
            sum += fr.data[i];   /* touch every byte, as the decoder may */
        n++;
    }
    CHECK(rc == ASC_ETRUNC);
    CHECK(strstr(err.msg, "shrank") != NULL);
    CHECK(strstr(err.msg, path) != NULL);
    CHECK(n >= 38 && n < 2000);
    CHECK(err.offset >= 24 + 38 * 1016 && err.offset < 2000 * 1016);
    if (rc != ASC_ETRUNC || n < 38 || n >= 2000)
        fprintf(stderr, "  %u frames, rc %d: %s (sum %u)\n", n, rc, err.msg, sum);
    CHECK_EQ_U(asc_pcap_next(s, &fr, &err), 0);
    asc_pcap_close(s);
    unlink(path);
}

TEST_MAIN(T(t_pcap_micro_le), T(t_pcap_micro_be), T(t_pcap_nano_le), T(t_pcap_nano_be),
          T(t_pcap_snaplen_cut), T(t_pcapng_mixed), T(t_pcapng_tsresol), T(t_pcap_truncated),
          T(t_pcapng_truncated), T(t_pcapng_corrupt), T(t_not_a_capture), T(t_merge),
          T(t_merge_damaged), T(t_stdin), T(t_stdin_file), T(t_open_stream), T(t_pcap_shrinks))
