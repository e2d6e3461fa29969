/*
 * pcap_src.c - capture file reader and the k-way merge of several files.
 *
 * First stage of the pipeline for packet input (see pcap_src.h). We read
 * the 4-byte magic ourselves, then hand the stream on:
 *  - classic pcap (micro/nano, either byte order) goes to libpcap, asked for
 *    nanosecond timestamps so both precisions come out in ns;
 *  - pcapng goes to our own block reader (pcapng.c), because libpcap 1.10
 *    refuses files whose interfaces have different link types.
 * A classic pcap that is a regular file we opened goes to libpcap as it is
 * (rewound), so libpcap checks the file header. When the header is the
 * common kind (version 2.4, Ethernet or raw IP), records are then read in
 * place from a window of the file read into one buffer ("fast path",
 * below): one pread(2) per FAST_WINDOW bytes instead of stdio calls and a
 * copy per packet. Not a memory map: mapping costs page-table work per
 * 4 KiB page (populating, unmapping, TLB shootdowns when threads run), and
 * the first read of each record header through a fresh mapping was a
 * cache miss that prefetching did not hide; the kernel's copy into a
 * buffer that stays in the core's L2 cache was cheaper (bench/README.md).
 * The first record that is not plainly well formed (caplen above the
 * snapshot length, cut short by the end of the file) hands the rest of
 * the file back to libpcap at that record's offset, so damage is reported
 * exactly as libpcap reports it. A file that grows while it is read is
 * read on (its size is checked again at the end); one that shrinks is
 * reported at the record that could not be read whole.
 * Other streams (pipes, standard input, caller streams) reach libpcap
 * through a stdio cookie stream that first replays the magic we consumed,
 * then reads the real stream; pipes work without seeking. The cookie
 * stream's seek hook answers only "where are you" (bytes handed out), so
 * ftell(pcap_file(p)) gives the exact offset of the next record, buffering
 * included, even when libpcap skips bytes of an oversized record. For
 * pcapng we count bytes ourselves.
 *
 * In place, asc_pcap_more hands out the further records that lie wholly
 * in the window already read, so that a batch of frames stays valid
 * together.
 *
 * Errors: a damaged record ends that reader with a negative code, the file
 * name, the libpcap or pcapng reason and the byte offset of the record.
 * Frames already returned stay valid. Later calls return 0.
 *
 * The merge holds each reader's current frame (libpcap and pcapng buffers
 * are per reader) in a binary min-heap keyed by (timestamp, file index).
 */
#define _GNU_SOURCE /* fopencookie */
#include "source/pcap_src.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source/pcapng.h"

#define MAGIC_PCAPNG 0x0A0D0D0Au
#define MAGIC_USEC 0xA1B2C3D4u
#define MAGIC_NSEC 0xA1B23C4Du
#define MAGIC_KUZNETZOV 0xA1B2CD34u
#define FAST_WINDOW (256u << 10) /* bytes read at a time: the buffer stays in L2 */

/* Classic pcap records read in place from a window of the file. */
struct fastbuf {
    int fd;
    uint64_t size;         /* file size */
    uint64_t pos;          /* offset of the next record header */
    uint8_t *buf;          /* the file's [wbase, wbase + wlen) (wlen 0: none) */
    size_t bufcap;
    uint64_t wbase;
    size_t wlen;
    uint32_t snap;         /* libpcap's snapshot length for the file */
    bool swapped;
};

struct asc_pcap_src {
    char *name;
    FILE *in;        /* the underlying stream */
    bool own_in;     /* fclose(in) on close (not for stdin via "-") */
    uint8_t head[4]; /* magic, replayed before the rest of `in` */
    size_t head_len, head_pos;
    uint64_t consumed;     /* bytes handed on (to pcapng, or into the cookie buffer) */
    uint64_t size;         /* file size, 0 if unknown */
    pcap_t *pc;            /* classic pcap */
    bool pc_owns_in;       /* pcap_close() closes `in` (direct, uncookied) */
    bool fast;             /* records come from fm, not from libpcap */
    struct fastbuf fm;
    struct asc_pcapng *ng; /* pcapng */
    int linktype;          /* DLT of a classic pcap */
    bool nano;             /* classic pcap with nanosecond fractions */
    bool done;
};

/* ------------------------------------------------------------------ */
/* Byte source shared by libpcap (through a cookie stream) and pcapng  */
/* ------------------------------------------------------------------ */

static size_t src_read(void *ctx, void *buf, size_t n)
{
    struct asc_pcap_src *s = ctx;
    uint8_t *out = buf;
    size_t got = 0;
    while (got < n && s->head_pos < s->head_len)
        out[got++] = s->head[s->head_pos++];
    if (got < n)
        got += fread(out + got, 1, n - got, s->in);
    s->consumed += got;
    return got;
}

static ssize_t cookie_read(void *ctx, char *buf, size_t n)
{
    struct asc_pcap_src *s = ctx;
    size_t got = src_read(s, buf, n);
    if (got == 0 && ferror(s->in))
        return -1;
    return (ssize_t)got;
}

/* Only ftell's question (offset 0 from here) is answered; glibc subtracts
 * what it still holds in its buffer. Real seeks fail as on a pipe. */
static int cookie_seek(void *ctx, off64_t *pos, int whence)
{
    struct asc_pcap_src *s = ctx;
    if (whence == SEEK_CUR && *pos == 0) {
        *pos = (off64_t)s->consumed;
        return 0;
    }
    errno = ESPIPE;
    return -1;
}

static int cookie_close(void *ctx)
{
    (void)ctx; /* the underlying stream is closed by asc_pcap_close() */
    return 0;
}

static uint32_t load_le32(const uint8_t *q)
{
    return q[0] | ((uint32_t)q[1] << 8) | ((uint32_t)q[2] << 16) | ((uint32_t)q[3] << 24);
}

static uint32_t bswap32(uint32_t m)
{
    return ((m & 0xffu) << 24) | ((m & 0xff00u) << 8) | ((m >> 8) & 0xff00u) | (m >> 24);
}

static bool is_pcap_magic(uint32_t m)
{
    uint32_t sw = bswap32(m);
    return m == MAGIC_USEC || m == MAGIC_NSEC || m == MAGIC_KUZNETZOV || sw == MAGIC_USEC ||
           sw == MAGIC_NSEC || sw == MAGIC_KUZNETZOV;
}

/* ------------------------------------------------------------------ */
/* Opening                                                             */
/* ------------------------------------------------------------------ */

static void fast_start(struct asc_pcap_src *s, uint32_t magic);

/* A regular file of ours: libpcap reads it directly, then maybe the fast path. */
static int open_libpcap_direct(struct asc_pcap_src *s, uint32_t magic, struct asc_err *err)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    s->pc = pcap_fopen_offline_with_tstamp_precision(s->in, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (!s->pc) {
        int code = ferror(s->in) ? ASC_EIO : ASC_EFORMAT;
        asc_err_set(err, code, "%s: cannot read pcap file header: %s", s->name, ebuf);
        return code;
    }
    s->pc_owns_in = true;
    s->linktype = pcap_datalink(s->pc);
    fast_start(s, magic);
    return 0;
}

static int open_libpcap(struct asc_pcap_src *s, struct asc_err *err)
{
    static const cookie_io_functions_t io = {
        .read = cookie_read, .seek = cookie_seek, .close = cookie_close};
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    FILE *wrap = fopencookie(s, "r", io);
    if (!wrap)
        return asc_err_set(err, ASC_ENOMEM, "%s: cannot set up reader: %s", s->name,
                           strerror(errno));
    s->pc = pcap_fopen_offline_with_tstamp_precision(wrap, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (!s->pc) {
        fclose(wrap); /* libpcap leaves the stream open on failure */
        int code = ferror(s->in) ? ASC_EIO : ASC_EFORMAT;
        asc_err_set(err, code, "%s: cannot read pcap file header: %s", s->name, ebuf);
        return code;
    }
    s->linktype = pcap_datalink(s->pc);
    return 0;
}

static int open_pcapng(struct asc_pcap_src *s, struct asc_err *err)
{
    struct asc_err e = {0};
    int rc = asc_pcapng_new(src_read, s, &s->ng, &e);
    if (rc < 0) {
        if (ferror(s->in))
            rc = ASC_EIO;
        asc_err_set(err, rc, "%s: cannot read pcapng section header: %s", s->name, e.msg);
    }
    return rc;
}

/* Reads the magic and hands the stream to the parser for its format. */
static int open_format(struct asc_pcap_src *s, struct asc_err *err)
{
    s->head_len = fread(s->head, 1, sizeof(s->head), s->in);
    uint32_t magic = load_le32(s->head);
    if (s->head_len == 0 && ferror(s->in))
        return asc_err_set(err, ASC_EIO, "%s: read error: %s", s->name, strerror(errno));
    if (s->head_len == 0)
        return asc_err_set(err, ASC_EFORMAT, "%s: empty file, not a capture", s->name);
    if (s->head_len < sizeof(s->head))
        return asc_err_set(err, ASC_EFORMAT, "%s: too short to be a capture (%zu bytes)", s->name,
                           s->head_len);
    if (magic == MAGIC_PCAPNG)
        return open_pcapng(s, err);
    if (is_pcap_magic(magic)) {
        s->nano = magic == MAGIC_NSEC || magic == bswap32(MAGIC_NSEC);
        if (s->own_in && s->size > 0 && fileno(s->in) >= 0 && fseeko(s->in, 0, SEEK_SET) == 0)
            return open_libpcap_direct(s, magic, err);
        return open_libpcap(s, err);
    }
    return asc_err_set(err, ASC_EFORMAT, "%s: not a pcap or pcapng capture (magic 0x%08x)", s->name,
                       (unsigned)magic);
}

static int open_common(FILE *f, const char *name, bool own, struct asc_pcap_src **out,
                       struct asc_err *err)
{
    struct stat st;
    struct asc_pcap_src *s = asc_xcalloc(1, sizeof(*s));
    s->name = asc_xstrdup(name);
    s->in = f;
    s->own_in = own;
    if (fileno(f) >= 0 && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
        s->size = (uint64_t)st.st_size;
    int rc = open_format(s, err);
    if (rc < 0) {
        if (err)
            err->offset = 0;
        asc_pcap_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

int asc_pcap_open_stream(FILE *f, const char *name, struct asc_pcap_src **out, struct asc_err *err)
{
    *out = NULL;
    if (!f)
        return asc_err_set(err, ASC_EINVAL, "%s: no stream", name ? name : "(null)");
    return open_common(f, name ? name : "(stream)", true, out, err);
}

int asc_pcap_open(const char *path, struct asc_pcap_src **out, struct asc_err *err)
{
    struct stat st;
    *out = NULL;
    if (strcmp(path, "-") == 0)
        return open_common(stdin, "stdin", false, out, err);
    FILE *f = fopen(path, "rb");
    if (!f) {
        int code = errno == ENOENT ? ASC_ENOENT : ASC_EIO;
        return asc_err_set(err, code, "%s: cannot open: %s", path, strerror(errno));
    }
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return asc_err_set(err, ASC_EINVAL, "%s: is a directory, not a capture", path);
    }
    return open_common(f, path, true, out, err);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

/* The pcap format stores seconds and the fraction as unsigned 32-bit
 * fields; libpcap 1.10 hands both back sign-extended (and the microsecond
 * fraction multiplied by 1000), which turns 2038-2106 into dates before
 * 1970. Recover the unsigned fields. An out-of-range fraction (>= 1 s) is
 * added as it stands; the sum stays below 2^63. */
static asc_time classic_ts(const struct asc_pcap_src *s, const struct pcap_pkthdr *h)
{
    int64_t sec = (int64_t)(uint32_t)h->ts.tv_sec;
    int64_t frac = s->nano ? (int64_t)(uint32_t)h->ts.tv_usec
                           : (int64_t)(uint32_t)(h->ts.tv_usec / 1000) * 1000;
    return sec * ASC_NS_PER_SEC + frac;
}

static int next_libpcap(struct asc_pcap_src *s, struct asc_frame *fr, struct asc_err *err)
{
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t rec = asc_pcap_offset(s);
    int rc = pcap_next_ex(s->pc, &h, &d);
    if (rc == 1) {
        fr->ts = classic_ts(s, h);
        fr->caplen = h->caplen;
        fr->wirelen = h->len;
        fr->data = d;
        fr->linktype = s->linktype;
        return 1;
    }
    s->done = true;
    if (rc == PCAP_ERROR_BREAK)
        return 0;
    const char *why = pcap_geterr(s->pc);
    int code = ferror(s->in)                       ? ASC_EIO
               : strncmp(why, "truncated", 9) == 0 ? ASC_ETRUNC
                                                   : ASC_EFORMAT;
    asc_err_set(err, code, "%s: truncated or corrupt capture at byte %llu: %s", s->name,
                (unsigned long long)rec, why);
    if (err)
        err->offset = rec;
    return code;
}

/* ------------------------------------------------------------------ */
/* Fast path: classic pcap records in place from a read window        */
/* ------------------------------------------------------------------ */

static void fast_drop(struct fastbuf *fm)
{
    fm->wlen = 0;
}

/* Use the fast path when libpcap would do nothing to the records but copy
 * them: version 2.4 (no swapped length fields), standard magic (16-byte
 * record headers) and a link type without pseudo-headers to fix up. */
static void fast_start(struct asc_pcap_src *s, uint32_t magic)
{
    struct fastbuf *fm = &s->fm;
    uint32_t m = magic == MAGIC_USEC || magic == MAGIC_NSEC ? magic : bswap32(magic);
    bool plain_dlt = s->linktype == DLT_EN10MB || s->linktype == DLT_RAW ||
                     s->linktype == DLT_IPV4 || s->linktype == DLT_IPV6;
    off_t at = ftello(s->in);
    if ((m != MAGIC_USEC && m != MAGIC_NSEC) || !plain_dlt || at <= 0 ||
        pcap_major_version(s->pc) != 2 || pcap_minor_version(s->pc) < 4 ||
        pcap_snapshot(s->pc) <= 0)
        return;
    fm->fd = fileno(s->in);
    fm->size = s->size;
    fm->pos = (uint64_t)at;
    fm->snap = (uint32_t)pcap_snapshot(s->pc);
    fm->swapped = m != magic;
    s->fast = true;
}

/* Read a window holding [pos, end) (end <= fm->size): 1 when it is there,
 * 0 when no buffer or a read error (libpcap reads on and reports it), -1
 * when the file ended before `end` (it shrank while we read it). */
static int fast_window(struct fastbuf *fm, uint64_t pos, uint64_t end)
{
    if (fm->wlen && pos >= fm->wbase && end <= fm->wbase + fm->wlen)
        return 1;
    fast_drop(fm);
    uint64_t base = pos & ~(uint64_t)63; /* the same alignment in buf */
    uint64_t len = end - base > FAST_WINDOW ? end - base : FAST_WINDOW;
    if (len > fm->size - base)
        len = fm->size - base;
    if (len > fm->bufcap) {
        size_t cap = ((size_t)len + 63) & ~(size_t)63;
        free(fm->buf);
        fm->buf = aligned_alloc(64, cap);
        fm->bufcap = fm->buf ? cap : 0;
        if (!fm->buf)
            return 0;
    }
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(fm->fd, fm->buf + got, (size_t)len - got, (off_t)(base + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return 0;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    if (got < end - base)
        return -1;
    fm->wbase = base;
    fm->wlen = got;
    return 1;
}

static uint32_t fast_u32(const struct fastbuf *fm, const uint8_t *q)
{
    uint32_t v = load_le32(q);
    return fm->swapped ? bswap32(v) : v;
}

static int next_libpcap(struct asc_pcap_src *s, struct asc_frame *fr, struct asc_err *err);

/* Anything unusual: libpcap reads on from the record at fm->pos. */
static int fast_fallback(struct asc_pcap_src *s, struct asc_frame *fr, struct asc_err *err)
{
    s->fast = false;
    fast_drop(&s->fm);
    if (fseeko(s->in, (off_t)s->fm.pos, SEEK_SET) != 0) {
        s->done = true;
        asc_err_set(err, ASC_EIO, "%s: read error at byte %llu: %s", s->name,
                    (unsigned long long)s->fm.pos, strerror(errno));
        if (err)
            err->offset = s->fm.pos;
        return ASC_EIO;
    }
    return next_libpcap(s, fr, err);
}

/* The file ended under us before the record at fm->pos. */
static int fast_shrank(struct asc_pcap_src *s, struct asc_err *err)
{
    s->done = true;
    fast_drop(&s->fm);
    asc_err_set(err, ASC_ETRUNC,
                "%s: truncated or corrupt capture at byte %llu: the file shrank while it was read",
                s->name, (unsigned long long)s->fm.pos);
    if (err)
        err->offset = s->fm.pos;
    return ASC_ETRUNC;
}

/* The record whose 16-byte header is at h (wholly in the window). */
static void fast_take(struct asc_pcap_src *s, const uint8_t *h, uint32_t caplen,
                      struct asc_frame *fr)
{
    struct fastbuf *fm = &s->fm;
    uint64_t o = fm->wbase + (uint64_t)(h - fm->buf);
    uint64_t frac = fast_u32(fm, h + 4);
    fr->ts = (int64_t)fast_u32(fm, h) * ASC_NS_PER_SEC + (int64_t)(s->nano ? frac : frac * 1000);
    fr->caplen = caplen;
    fr->wirelen = fast_u32(fm, h + 12);
    fr->data = h + 16;
    fr->linktype = s->linktype;
    fm->pos = o + 16 + caplen;
}

static int next_fast(struct asc_pcap_src *s, struct asc_frame *fr, struct asc_err *err)
{
    struct fastbuf *fm = &s->fm;
    uint64_t o = fm->pos;
    struct stat st;
    if (o == fm->size && fstat(fm->fd, &st) == 0 && (uint64_t)st.st_size > fm->size)
        fm->size = (uint64_t)st.st_size; /* the file grew while we read it */
    if (o == fm->size) {
        s->done = true;
        fast_drop(fm);
        return 0;
    }
    int w = o + 16 > fm->size ? 0 : fast_window(fm, o, o + 16);
    if (w <= 0)
        return w < 0 ? fast_shrank(s, err) : fast_fallback(s, fr, err);
    const uint8_t *h = fm->buf + (o - fm->wbase);
    uint32_t caplen = fast_u32(fm, h + 8);
    uint64_t end = o + 16 + caplen;
    w = caplen > fm->snap || end > fm->size ? 0 : fast_window(fm, o, end);
    if (w <= 0)
        return w < 0 ? fast_shrank(s, err) : fast_fallback(s, fr, err);
    fast_take(s, fm->buf + (o - fm->wbase), caplen, fr);
    return 1;
}

/* Up to n more records that lie wholly in the window already read: no
 * new read, so every frame returned since the last asc_pcap_next stays
 * valid. Stops at anything next_fast would treat specially (window edge,
 * end of file, a record to hand back to libpcap). */
static size_t fast_more(struct asc_pcap_src *s, struct asc_frame *fr, size_t n)
{
    struct fastbuf *fm = &s->fm;
    size_t k = 0;
    if (!s->fast || s->done || !fm->wlen)
        return 0;
    uint64_t wend = fm->wbase + fm->wlen;
    while (k < n) {
        uint64_t o = fm->pos;
        if (o + 16 > fm->size || o + 16 > wend)
            break;
        const uint8_t *h = fm->buf + (o - fm->wbase);
        uint32_t caplen = fast_u32(fm, h + 8);
        uint64_t end = o + 16 + caplen;
        if (caplen > fm->snap || end > fm->size || end > wend)
            break;
        fast_take(s, h, caplen, &fr[k++]);
    }
    return k;
}

static int next_pcapng(struct asc_pcap_src *s, struct asc_frame *fr, struct asc_err *err)
{
    struct asc_err e = {0};
    int rc = asc_pcapng_next(s->ng, fr, &e);
    if (rc >= 0) {
        s->done = rc == 0;
        return rc;
    }
    s->done = true;
    if (ferror(s->in))
        rc = ASC_EIO;
    asc_err_set(err, rc, "%s: truncated or corrupt capture at byte %llu: %s", s->name,
                (unsigned long long)e.offset, e.msg);
    if (err)
        err->offset = e.offset;
    return rc;
}

int asc_pcap_next(struct asc_pcap_src *s, struct asc_frame *fr, struct asc_err *err)
{
    if (!s || s->done)
        return 0;
    if (s->fast)
        return next_fast(s, fr, err);
    return s->ng ? next_pcapng(s, fr, err) : next_libpcap(s, fr, err);
}

size_t asc_pcap_more(struct asc_pcap_src *s, struct asc_frame *fr, size_t n)
{
    return s ? fast_more(s, fr, n) : 0;
}

uint64_t asc_pcap_offset(const struct asc_pcap_src *s)
{
    if (!s)
        return 0;
    if (s->fast)
        return s->fm.pos;
    if (s->pc) {
        off_t at = ftello(pcap_file(s->pc));
        if (at >= 0)
            return (uint64_t)at;
    }
    return s->consumed;
}

uint64_t asc_pcap_size(const struct asc_pcap_src *s)
{
    return s ? s->size : 0;
}

const char *asc_pcap_name(const struct asc_pcap_src *s)
{
    return s ? s->name : "";
}

void asc_pcap_close(struct asc_pcap_src *s)
{
    if (!s)
        return;
    free(s->fm.buf);
    if (s->pc)
        pcap_close(s->pc); /* also closes the cookie stream, or `in` itself */
    asc_pcapng_free(s->ng);
    if (s->own_in && s->in && !s->pc_owns_in)
        fclose(s->in);
    free(s->name);
    free(s);
}

/* ------------------------------------------------------------------ */
/* Merge                                                               */
/* ------------------------------------------------------------------ */

struct merge_in {
    struct asc_pcap_src *src;
    struct asc_frame cur; /* valid while the reader is in the heap */
};

struct asc_merge {
    struct merge_in *in;
    size_t n;
    size_t *heap; /* indexes into in[], min-heap on (ts, index) */
    size_t nheap;
    size_t last; /* reader of the frame returned last, or n */
    bool started;
    unsigned damaged;
};

static bool merge_less(const struct asc_merge *m, size_t a, size_t b)
{
    asc_time ta = m->in[a].cur.ts, tb = m->in[b].cur.ts;
    return ta < tb || (ta == tb && a < b);
}

static void heap_push(struct asc_merge *m, size_t idx)
{
    size_t i = m->nheap++;
    m->heap[i] = idx;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!merge_less(m, m->heap[i], m->heap[parent]))
            break;
        size_t t = m->heap[i];
        m->heap[i] = m->heap[parent];
        m->heap[parent] = t;
        i = parent;
    }
}

static size_t heap_pop(struct asc_merge *m)
{
    size_t top = m->heap[0], i = 0;
    m->heap[0] = m->heap[--m->nheap];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, best = i;
        if (l < m->nheap && merge_less(m, m->heap[l], m->heap[best]))
            best = l;
        if (r < m->nheap && merge_less(m, m->heap[r], m->heap[best]))
            best = r;
        if (best == i)
            break;
        size_t t = m->heap[i];
        m->heap[i] = m->heap[best];
        m->heap[best] = t;
        i = best;
    }
    return top;
}

/* Reads the next frame of reader i into the heap, or retires it. */
static void merge_pull(struct asc_merge *m, size_t i, asc_merge_err_fn on_err, void *ctx)
{
    struct asc_err e = {.code = 0}; /* msg is written before any use */
    e.msg[0] = '\0';
    int rc = asc_pcap_next(m->in[i].src, &m->in[i].cur, &e);
    if (rc == 1) {
        heap_push(m, i);
    } else if (rc < 0) {
        m->damaged++;
        if (on_err)
            on_err(ctx, &e);
    }
}

int asc_merge_open(const char *const *paths, size_t n, struct asc_merge **out, struct asc_err *err)
{
    *out = NULL;
    struct asc_merge *m = asc_xcalloc(1, sizeof(*m));
    m->in = asc_xcalloc(n ? n : 1, sizeof(*m->in));
    m->heap = asc_xcalloc(n ? n : 1, sizeof(*m->heap));
    m->n = n;
    m->last = n;
    for (size_t i = 0; i < n; i++) {
        int rc = asc_pcap_open(paths[i], &m->in[i].src, err);
        if (rc < 0) {
            asc_merge_close(m);
            return rc;
        }
    }
    *out = m;
    return 0;
}

int asc_merge_next(struct asc_merge *m, struct asc_frame *fr, asc_merge_err_fn on_err, void *ctx)
{
    if (!m)
        return 0;
    if (m->n == 1) { /* one input: no heap */
        struct asc_err e = {.code = 0};
        e.msg[0] = '\0';
        int rc = asc_pcap_next(m->in[0].src, fr, &e);
        if (rc < 0) {
            m->damaged++;
            if (on_err)
                on_err(ctx, &e);
        }
        return rc == 1;
    }
    if (!m->started) {
        m->started = true;
        for (size_t i = 0; i < m->n; i++)
            merge_pull(m, i, on_err, ctx);
    } else if (m->last < m->n) {
        merge_pull(m, m->last, on_err, ctx); /* the caller is done with its frame */
    }
    m->last = m->n;
    if (m->nheap == 0)
        return 0;
    size_t i = heap_pop(m);
    *fr = m->in[i].cur;
    m->last = i;
    return 1;
}

size_t asc_merge_next_batch(struct asc_merge *m, struct asc_frame *fr, size_t n,
                            asc_merge_err_fn on_err, void *ctx)
{
    if (n == 0 || asc_merge_next(m, fr, on_err, ctx) != 1)
        return 0;
    /* Several inputs: one frame (each reader's buffer holds only its own). */
    return m->n == 1 ? 1 + asc_pcap_more(m->in[0].src, fr + 1, n - 1) : 1;
}

uint64_t asc_merge_offset(const struct asc_merge *m)
{
    uint64_t sum = 0;
    for (size_t i = 0; m && i < m->n; i++)
        sum += asc_pcap_offset(m->in[i].src);
    return sum;
}

uint64_t asc_merge_size(const struct asc_merge *m)
{
    uint64_t sum = 0;
    for (size_t i = 0; m && i < m->n; i++)
        sum += asc_pcap_size(m->in[i].src);
    return sum;
}

unsigned asc_merge_damaged(const struct asc_merge *m)
{
    return m ? m->damaged : 0;
}

void asc_merge_close(struct asc_merge *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        asc_pcap_close(m->in[i].src);
    free(m->in);
    free(m->heap);
    free(m);
}
