/*
 * jsonw.h - a small streaming JSON writer with one escaping routine.
 *
 * Used by every sink that writes JSON, so key order is the order of the
 * calls (stable) and escaping is tested once. Writes into a growable
 * buffer; the caller flushes the buffer to its stream. Nesting is tracked
 * to place commas; depth is limited to 32.
 */
#ifndef ASC_JSONW_H
#define ASC_JSONW_H

#include <stdio.h>

#include "core/common.h"

struct asc_jsonw {
    char *buf;
    size_t len, cap;
    unsigned depth;
    bool need_comma[32];
};

void asc_jw_init(struct asc_jsonw *w);
void asc_jw_fini(struct asc_jsonw *w);
void asc_jw_reset(struct asc_jsonw *w);            /* empty the buffer */
void asc_jw_obj_open(struct asc_jsonw *w, const char *key);   /* key NULL in arrays/top */
void asc_jw_obj_close(struct asc_jsonw *w);
void asc_jw_arr_open(struct asc_jsonw *w, const char *key);
void asc_jw_arr_close(struct asc_jsonw *w);
void asc_jw_str(struct asc_jsonw *w, const char *key, const char *val);
void asc_jw_u64(struct asc_jsonw *w, const char *key, uint64_t v);
void asc_jw_i64(struct asc_jsonw *w, const char *key, int64_t v);
void asc_jw_bool(struct asc_jsonw *w, const char *key, bool v);
/* A time as seconds with nine decimals, printed from integers (no float
 * rounding): 1258531221.486539000. */
void asc_jw_time(struct asc_jsonw *w, const char *key, asc_time t);
/* A double with fixed decimals (for rates and shares). */
void asc_jw_fixed(struct asc_jsonw *w, const char *key, double v, int decimals);
void asc_jw_raw_char(struct asc_jsonw *w, char c);
/* Raw output for fixed record layouts (the per-flow line): bytes appended
 * as they are, with no comma or escaping. The caller writes valid JSON:
 * keys as quoted literals with their colon, string values only from fixed
 * ASCII alphabets that need no escaping. Free-form text goes through
 * asc_jw_str. */
void asc_jw_raw(struct asc_jsonw *w, const char *s, size_t n);
void asc_jw_raw_u64(struct asc_jsonw *w, uint64_t v);
void asc_jw_raw_time(struct asc_jsonw *w, asc_time t);   /* as asc_jw_time */
/* Direct writing for the per-flow line: asc_jw_reserve returns room for
 * at least n more bytes at the end of the buffer; the caller writes there
 * (same rules as the raw calls) and passes the end of what it wrote to
 * asc_jw_commit. The fmt helpers write at p and return the new end; they
 * may store up to 3 bytes past it (digits are written 4 at a time), so
 * reserve ASC_JW_U64_MAX or ASC_JW_TIME_MAX, not the digit count. */
char *asc_jw_reserve(struct asc_jsonw *w, size_t n);
void asc_jw_commit(struct asc_jsonw *w, char *end);
#define ASC_JW_U64_MAX 20   /* longest decimal uint64_t */
#define ASC_JW_TIME_MAX 31  /* longest asc_jw_fmt_time output */
char *asc_jw_fmt_u64_long(char *p, uint64_t v);
static inline char *asc_jw_fmt_u64(char *p, uint64_t v)
{
    if (v < 10) {   /* the common zeros and counts, without a call */
        *p = (char)('0' + v);
        return p + 1;
    }
    return asc_jw_fmt_u64_long(p, v);
}
char *asc_jw_fmt_time(char *p, asc_time t);
/* A member whose value is already-formed JSON text (len bytes). */
void asc_jw_member_raw(struct asc_jsonw *w, const char *key, const char *json, size_t len);
/* Write the buffer to f and empty it; returns 0 or ASC_EIO. */
int asc_jw_flush(struct asc_jsonw *w, FILE *f);

#endif
