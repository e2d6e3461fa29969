/*
 * common.c - error strings, address helpers, checked allocation, logging.
 *
 * Bottom of the pipeline's dependency order; see common.h.
 */
#include "core/common.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

const char *asc_strerror(int code)
{
    switch (code) {
    case ASC_OK: return "success";
    case ASC_EIO: return "input/output error";
    case ASC_EFORMAT: return "bad format";
    case ASC_ETRUNC: return "truncated input";
    case ASC_ENOMEM: return "out of memory";
    case ASC_EINVAL: return "invalid argument";
    case ASC_ENOTSUP: return "not supported";
    case ASC_ENOENT: return "not found";
    default: return "unknown error";
    }
}

int asc_err_set(struct asc_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}

char *asc_addr4_put(char *p, const uint8_t *b)
{
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (v >= 100)
            *p++ = (char)('0' + v / 100);
        if (v >= 10)
            *p++ = (char)('0' + v / 10 % 10);
        *p++ = (char)('0' + v % 10);
        *p++ = '.';
    }
    return p - 1;
}

/* Dotted quad without stdio (glibc's inet_ntop formats with sprintf). */
static void v4_str(const uint8_t *b, char *out)
{
    *asc_addr4_put(out, b) = '\0';
}

/* IPv6 text as glibc's inet_ntop writes it, without stdio: lower-case hex
 * groups without leading zeros; the first longest run of two or more zero
 * groups as "::"; "::a.b.c.d" and "::ffff:a.b.c.d" for the IPv4-compatible
 * and IPv4-mapped forms (RFC 4291 section 2.2). out: 46 bytes. */
static void v6_str(const uint8_t *b, char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned w[8];
    int best = -1, best_len = 0;
    for (int i = 0, run = 0; i < 8; i++) {
        w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
        run = w[i] ? 0 : run + 1;
        if (run > best_len) {
            best_len = run;
            best = i - run + 1;
        }
    }
    if (best_len < 2)
        best = -1;
    char *p = out;
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best)
                *p++ = ':';
            continue;
        }
        if (i)
            *p++ = ':';
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
            v4_str(b + 12, p);
            return;
        }
        int shift = w[i] >= 0x1000 ? 12 : w[i] >= 0x100 ? 8 : w[i] >= 0x10 ? 4 : 0;
        for (; shift >= 0; shift -= 4)
            *p++ = hex[(w[i] >> shift) & 15];
    }
    if (best >= 0 && best + best_len == 8)
        *p++ = ':';
    *p = '\0';
}

const char *asc_addr_str(const struct asc_addr *a, char *buf, size_t len)
{
    if (a->family == ASC_AF_INET && len >= 16) {
        v4_str(a->b, buf);
        return buf;
    }
    if (a->family == ASC_AF_INET6 && len >= 46) {
        v6_str(a->b, buf);
        return buf;
    }
    int af = a->family == ASC_AF_INET6 ? AF_INET6 : AF_INET;
    if (a->family == ASC_AF_NONE || !inet_ntop(af, a->b, buf, (socklen_t)len)) {
        if (len)
            snprintf(buf, len, "-");
    }
    return buf;
}

int asc_addr_parse(const char *s, struct asc_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, s, out->b) == 1) {
        out->family = ASC_AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, s, out->b) == 1) {
        out->family = ASC_AF_INET6;
        return 0;
    }
    memset(out, 0, sizeof(*out));
    return ASC_EINVAL;
}

int asc_addr_cmp(const struct asc_addr *a, const struct asc_addr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    return memcmp(a->b, b->b, 16);
}

static void oom(size_t n)
{
    fprintf(stderr, "ascribe: out of memory allocating %zu bytes\n", n);
    abort();
}

void *asc_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *asc_xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        oom(nmemb * size);
    return p;
}

#define HUGE_BYTES ((size_t)2 << 20)

void *asc_table_alloc(size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        oom(SIZE_MAX);
    size_t n = nmemb * size;
    if (n < HUGE_BYTES) {   /* cache-line aligned: entries of 64 or 128 bytes stay on their lines */
        size_t len = (n + 63) & ~(size_t)63;
        void *p = aligned_alloc(64, len ? len : 64);
        if (!p)
            oom(n);
        return memset(p, 0, len ? len : 64);
    }
    if (n > SIZE_MAX - 2 * HUGE_BYTES)
        oom(n);
    size_t len = (n + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1);
    uint8_t *p = mmap(NULL, len + HUGE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
    if (p == MAP_FAILED)
        oom(n);
    uint8_t *a = (uint8_t *)(((uintptr_t)p + HUGE_BYTES - 1) & ~(uintptr_t)(HUGE_BYTES - 1));
    if (a > p)
        munmap(p, (size_t)(a - p));
    if (a + len < p + len + HUGE_BYTES)
        munmap(a + len, (size_t)(p + len + HUGE_BYTES - (a + len)));
#ifdef MADV_HUGEPAGE
    madvise(a, len, MADV_HUGEPAGE);
#endif
    return a;
}

void asc_table_free(void *p, size_t nmemb, size_t size)
{
    size_t n = nmemb * size;
    if (!p)
        return;
    if (n < HUGE_BYTES)
        free(p);
    else
        munmap(p, (n + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1));
}

void *asc_xrealloc(void *p, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        oom(SIZE_MAX);
    size_t total = nmemb * size;
    void *q = realloc(p, total ? total : 1);
    if (!q)
        oom(nmemb * size);
    return q;
}

char *asc_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = asc_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

static enum asc_log_level log_level = ASC_LOG_WARN;

void asc_log_set_level(enum asc_log_level lvl)
{
    log_level = lvl;
}

void asc_log(enum asc_log_level lvl, const char *module, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (lvl > log_level)
        return;
    va_list ap;
    fprintf(stderr, "ascribe: %s: %s: ", names[lvl], module);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
