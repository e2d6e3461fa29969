/*
 * jsonw.c - the JSON writer (see jsonw.h). Escapes per RFC 8259: quote,
 * backslash and control characters; bytes >= 0x80 that are not valid UTF-8
 * are written as \u00XX so output is always valid JSON.
 */
#include "core/jsonw.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void asc_jw_init(struct asc_jsonw *w)
{
    memset(w, 0, sizeof(*w));
    w->cap = 4096;
    w->buf = asc_xmalloc(w->cap);
}

void asc_jw_fini(struct asc_jsonw *w)
{
    free(w->buf);
    memset(w, 0, sizeof(*w));
}

void asc_jw_reset(struct asc_jsonw *w)
{
    w->len = 0;
    w->depth = 0;
    w->need_comma[0] = false;
}

static void grow(struct asc_jsonw *w, size_t n)
{
    while (w->len + n + 1 > w->cap)
        w->cap *= 2;
    w->buf = asc_xrealloc(w->buf, w->cap, 1);
}

static inline void put(struct asc_jsonw *w, const char *s, size_t n)
{
    if (w->len + n + 1 > w->cap)
        grow(w, n);
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static inline void putc1(struct asc_jsonw *w, char c)
{
    if (w->len + 2 > w->cap)
        grow(w, 1);
    w->buf[w->len++] = c;
}

void asc_jw_raw_char(struct asc_jsonw *w, char c)
{
    putc1(w, c);
}

/* Length of a valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t need;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        need = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        need = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        need = 4;
    else
        return 0;
    if (need > n)
        return 0;
    for (size_t i = 1; i < need; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return need;
}

static void put_string(struct asc_jsonw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    putc1(w, '"');
    for (size_t i = 0; i < n;) {
        size_t run = i;
        while (run < n && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > i) {
            put(w, (const char *)p + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            putc1(w, '\\');
            putc1(w, (char)c);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(w, e, 6);
            i++;
        } else if (c < 0x80) {
            putc1(w, (char)c);
            i++;
        } else {
            size_t l = utf8_len(p + i, n - i);
            if (l) {
                put(w, (const char *)p + i, l);
                i += l;
            } else {
                char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                put(w, e, 6);
                i++;
            }
        }
    }
    putc1(w, '"');
}

static void prefix(struct asc_jsonw *w, const char *key)
{
    if (w->need_comma[w->depth])
        putc1(w, ',');
    w->need_comma[w->depth] = true;
    if (key) {
        put_string(w, key);
        putc1(w, ':');
    }
}

static void open_(struct asc_jsonw *w, const char *key, char c)
{
    prefix(w, key);
    putc1(w, c);
    if (w->depth + 1 < ASC_ARRAY_LEN(w->need_comma))
        w->depth++;
    w->need_comma[w->depth] = false;
}

static void close_(struct asc_jsonw *w, char c)
{
    putc1(w, c);
    if (w->depth > 0)
        w->depth--;
}

void asc_jw_obj_open(struct asc_jsonw *w, const char *key)
{
    open_(w, key, '{');
}
void asc_jw_obj_close(struct asc_jsonw *w)
{
    close_(w, '}');
}
void asc_jw_arr_open(struct asc_jsonw *w, const char *key)
{
    open_(w, key, '[');
}
void asc_jw_arr_close(struct asc_jsonw *w)
{
    close_(w, ']');
}

void asc_jw_str(struct asc_jsonw *w, const char *key, const char *val)
{
    prefix(w, key);
    if (val)
        put_string(w, val);
    else
        put(w, "null", 4);
}

static const char pairs[200] = "00010203040506070809101112131415161718192021222324"
                               "25262728293031323334353637383940414243444546474849"
                               "50515253545556575859606162636465666768697071727374"
                               "75767778798081828384858687888990919293949596979899";

static const uint64_t pow10_u64[20] = {
    UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000), UINT64_C(10000),
    UINT64_C(100000), UINT64_C(1000000), UINT64_C(10000000), UINT64_C(100000000),
    UINT64_C(1000000000), UINT64_C(10000000000), UINT64_C(100000000000),
    UINT64_C(1000000000000), UINT64_C(10000000000000), UINT64_C(100000000000000),
    UINT64_C(1000000000000000), UINT64_C(10000000000000000),
    UINT64_C(100000000000000000), UINT64_C(1000000000000000000),
    UINT64_C(10000000000000000000)};

/* Number of decimal digits of v (1 for 0): bits * 1233 / 4096 is
 * floor(log10(2^bits)), which is the digit count or one short of it. */
static inline unsigned digits_u64(uint64_t v)
{
    unsigned t = (unsigned)(64 - __builtin_clzll(v | 1)) * 1233 >> 12;
    return t + ((v | 1) >= pow10_u64[t]);
}

/* The n (1-4) digits of v < 10000 at p: the pairs of v / 100 and v % 100,
 * the leading zero of an odd count skipped. Always stores four bytes: the
 * callers reserve room past the number (ASC_JW_U64_MAX, ASC_JW_TIME_MAX),
 * and whatever lands past its last digit is overwritten or not counted. */
static inline void put4(char *p, uint32_t v, unsigned n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* The four digits in a register, first digit in the low byte, shifted
     * past the skipped ones: one store, and no load of bytes just stored
     * (a 4-byte load over two 2-byte stores is not forwarded and stalls). */
    uint16_t hi, lo;
    memcpy(&hi, pairs + 2 * (v / 100), 2);
    memcpy(&lo, pairs + 2 * (v % 100), 2);
    uint32_t w = ((uint32_t)hi | (uint32_t)lo << 16) >> (8 * (4 - n));
    memcpy(p, &w, 4);
#else
    char d[8] = {0};
    memcpy(d, pairs + 2 * (v / 100), 2);
    memcpy(d + 2, pairs + 2 * (v % 100), 2);
    memcpy(p, d + 4 - n, 4);
#endif
}

/* The n (1-8) digits of v < 10^8 at p; returns the end. */
static inline char *put8(char *p, uint32_t v, unsigned n)
{
    if (n <= 4) {
        put4(p, v, n);
    } else {
        put4(p, v / 10000, n - 4);
        put4(p + n - 4, v % 10000, 4);
    }
    return p + n;
}

/* Eight digits of v < 10^8, leading zeros kept. */
static inline char *put8z(char *p, uint32_t v)
{
    put4(p, v / 10000, 4);
    put4(p + 4, v % 10000, 4);
    return p + 8;
}

/* Decimal digits of v, two at a time from a table: faster than snprintf
 * and than one division per digit on the per-flow output path. The value
 * is cut into pieces of eight digits and those into halves of four, whose
 * pairs are made independently in 32-bit arithmetic (short dependency
 * chains instead of one division after another). */
char *asc_jw_fmt_u64_long(char *p, uint64_t v)
{
    unsigned n = digits_u64(v);
    if (n <= 8)
        return put8(p, (uint32_t)v, n);
    uint32_t lo = (uint32_t)(v % 100000000u);
    uint64_t hi = v / 100000000u;
    if (n <= 16) {
        p = put8(p, (uint32_t)hi, n - 8);
    } else {
        p = put8(p, (uint32_t)(hi / 100000000u), n - 16);
        p = put8z(p, (uint32_t)(hi % 100000000u));
    }
    return put8z(p, lo);
}

/* Seconds with nine decimals, from integers (no float rounding). The
 * fraction's digits in two independent halves, like the whole part's. */
char *asc_jw_fmt_time(char *p, asc_time t)
{
    uint64_t u = t < 0 ? (uint64_t)(-(t + 1)) + 1 : (uint64_t)t;
    if (t < 0)
        *p++ = '-';
    p = asc_jw_fmt_u64(p, u / 1000000000u);
    *p++ = '.';
    uint32_t f = (uint32_t)(u % 1000000000u);
    p[0] = (char)('0' + f / 100000000u);
    put8z(p + 1, f % 100000000u);
    return p + 9;
}

char *asc_jw_reserve(struct asc_jsonw *w, size_t n)
{
    if (w->len + n + 1 > w->cap)
        grow(w, n);
    return w->buf + w->len;
}

void asc_jw_commit(struct asc_jsonw *w, char *end)
{
    w->len = (size_t)(end - w->buf);
}

void asc_jw_u64(struct asc_jsonw *w, const char *key, uint64_t v)
{
    prefix(w, key);
    asc_jw_commit(w, asc_jw_fmt_u64(asc_jw_reserve(w, ASC_JW_U64_MAX), v));
}

void asc_jw_raw(struct asc_jsonw *w, const char *s, size_t n)
{
    put(w, s, n);
}

void asc_jw_raw_u64(struct asc_jsonw *w, uint64_t v)
{
    asc_jw_commit(w, asc_jw_fmt_u64(asc_jw_reserve(w, ASC_JW_U64_MAX), v));
}

void asc_jw_raw_time(struct asc_jsonw *w, asc_time t)
{
    asc_jw_commit(w, asc_jw_fmt_time(asc_jw_reserve(w, ASC_JW_TIME_MAX), t));
}

void asc_jw_i64(struct asc_jsonw *w, const char *key, int64_t v)
{
    char b[24];
    int n = snprintf(b, sizeof(b), "%" PRId64, v);
    prefix(w, key);
    put(w, b, (size_t)n);
}

void asc_jw_bool(struct asc_jsonw *w, const char *key, bool v)
{
    prefix(w, key);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void asc_jw_time(struct asc_jsonw *w, const char *key, asc_time t)
{
    prefix(w, key);
    asc_jw_raw_time(w, t);
}

void asc_jw_fixed(struct asc_jsonw *w, const char *key, double v, int decimals)
{
    char b[64];
    if (v != v || v > 1e300 || v < -1e300)
        v = 0;
    int n = snprintf(b, sizeof(b), "%.*f", decimals, v);
    prefix(w, key);
    put(w, b, (size_t)n);
}

int asc_jw_flush(struct asc_jsonw *w, FILE *f)
{
    if (w->len && fwrite(w->buf, 1, w->len, f) != w->len)
        return ASC_EIO;
    w->len = 0;
    return 0;
}

void asc_jw_member_raw(struct asc_jsonw *w, const char *key, const char *json, size_t len)
{
    prefix(w, key);
    put(w, json, len);
}
