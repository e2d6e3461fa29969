/*
 * common.h - types and helpers shared by every stage of the pipeline.
 *
 * Sits at the bottom of the dependency order (core <- model <- source/decode
 * <- flow <- ...). Knows nothing about packets: time, addresses, error
 * reporting, checked allocation and logging only.
 */
#ifndef ASC_COMMON_H
#define ASC_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Time is always data time: nanoseconds since the Unix epoch, taken from
 * packet or record timestamps. The wall clock is never used for analysis. */
typedef int64_t asc_time;
#define ASC_NS_PER_SEC INT64_C(1000000000)

/* Status codes: 0 is success, failures are negative. */
enum asc_status {
    ASC_OK = 0,
    ASC_EIO = -1,       /* read or write failed */
    ASC_EFORMAT = -2,   /* input is not in the expected format */
    ASC_ETRUNC = -3,    /* input ended early */
    ASC_ENOMEM = -4,    /* allocation failed or a cap was reached */
    ASC_EINVAL = -5,    /* bad argument or configuration */
    ASC_ENOTSUP = -6,   /* valid but unsupported */
    ASC_ENOENT = -7,    /* not found */
};

/* Caller-owned error context for operations on files and configuration. */
struct asc_err {
    int code;           /* enum asc_status */
    uint64_t offset;    /* byte offset in the input where it happened, if known */
    char msg[256];
};

const char *asc_strerror(int code);
/* Fill err (may be NULL) with code and a printf-style message; returns code. */
int asc_err_set(struct asc_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* IPv4 and IPv6 in one type. IPv4 lives in b[0..3], the rest is zero. */
enum { ASC_AF_NONE = 0, ASC_AF_INET = 4, ASC_AF_INET6 = 6 };
struct asc_addr {
    uint8_t family;     /* ASC_AF_INET or ASC_AF_INET6 */
    uint8_t b[16];
};
#define ASC_ADDR_STRLEN 46
/* Writes a NUL-terminated textual form (inet_ntop style) into buf. */
const char *asc_addr_str(const struct asc_addr *a, char *buf, size_t len);
/* Parse text; returns 0 or ASC_EINVAL. */
int asc_addr_parse(const char *s, struct asc_addr *out);
/* Total order: family first, then bytes. */
int asc_addr_cmp(const struct asc_addr *a, const struct asc_addr *b);
/* a == b, inline: for the per-packet paths (asc_addr_cmp calls memcmp). */
static inline bool asc_addr_eq(const struct asc_addr *a, const struct asc_addr *b)
{
    uint64_t a0, a1, b0, b1;
    memcpy(&a0, a->b, 8);
    memcpy(&a1, a->b + 8, 8);
    memcpy(&b0, b->b, 8);
    memcpy(&b1, b->b + 8, 8);
    return a->family == b->family && ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

/* The dotted quad of the 4 bytes at b written at p (at most 15 bytes, no
 * NUL); returns its end. asc_addr_str uses it, and so does the JSON sink. */
char *asc_addr4_put(char *p, const uint8_t *b);

/* Checked allocation for control-plane data: aborts on overflow or OOM. */
void *asc_xmalloc(size_t n);
void *asc_xcalloc(size_t nmemb, size_t size);
void *asc_xrealloc(void *p, size_t nmemb, size_t size);
char *asc_xstrdup(const char *s);
/* A zeroed table of nmemb * size bytes for random access on the per-record
 * path: large ones are mapped 2 MiB-aligned and marked for transparent
 * huge pages (one TLB entry per 2 MiB instead of per 4 KiB), small ones
 * are allocated 64-byte (cache-line) aligned. Aborts on overflow or OOM like asc_xcalloc. Free with
 * asc_table_free and the same sizes. */
void *asc_table_alloc(size_t nmemb, size_t size);
void asc_table_free(void *p, size_t nmemb, size_t size);

/* Logging to stderr. Reports never go through the logger. */
enum asc_log_level { ASC_LOG_ERROR, ASC_LOG_WARN, ASC_LOG_INFO, ASC_LOG_DEBUG };
void asc_log_set_level(enum asc_log_level lvl);
void asc_log(enum asc_log_level lvl, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define ASC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ASC_MIN(a, b) ((a) < (b) ? (a) : (b))
#define ASC_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Zero n bytes, n a compile-time constant, for the per-packet structs
 * (IP layer, flow node, emitted record). GCC turns one memset of more than
 * 128 bytes into `rep stos`, whose start-up cost is most of the clearing
 * at these sizes; memsets of 64 bytes become plain vector stores. */
static inline void asc_zero(void *p, size_t n)
{
    unsigned char *b = p;
    size_t off = 0;
    for (; off + 64 <= n; off += 64)
        memset(b + off, 0, 64);
    if (off < n)
        memset(b + off, 0, n - off);
}

#endif
