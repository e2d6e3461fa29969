/*
 * cursor.h - bounded reader over untrusted bytes.
 *
 * Every decoder and record parser reads wire fields through this cursor:
 * explicit big- and little-endian getters, no casts of raw bytes to
 * structs (input may be unaligned), and no read past the end. A failed read
 * sets the cursor's `bad` flag and returns 0, so a parser can read a whole
 * header and check once.
 */
#ifndef ASC_CURSOR_H
#define ASC_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct asc_cursor {
    const uint8_t *p;   /* borrowed; start of the window */
    size_t len;         /* window length */
    size_t off;         /* read position, 0..len */
    bool bad;           /* a read went past the end */
};

static inline void asc_cur_init(struct asc_cursor *c, const uint8_t *p, size_t len)
{
    c->p = p;
    c->len = len;
    c->off = 0;
    c->bad = false;
}

static inline size_t asc_cur_left(const struct asc_cursor *c)
{
    return c->len - c->off;
}

static inline bool asc_cur_has(const struct asc_cursor *c, size_t n)
{
    return n <= c->len - c->off;
}

static inline bool asc_cur_skip(struct asc_cursor *c, size_t n)
{
    if (!asc_cur_has(c, n)) {
        c->bad = true;
        c->off = c->len;
        return false;
    }
    c->off += n;
    return true;
}

/* Peek at a byte offset from the current position without moving. */
static inline uint8_t asc_cur_peek_u8(const struct asc_cursor *c, size_t at)
{
    return asc_cur_has(c, at + 1) ? c->p[c->off + at] : 0;
}

static inline uint8_t asc_cur_u8(struct asc_cursor *c)
{
    if (!asc_cur_has(c, 1)) {
        c->bad = true;
        return 0;
    }
    return c->p[c->off++];
}

static inline uint16_t asc_cur_be16(struct asc_cursor *c)
{
    if (!asc_cur_has(c, 2)) {
        c->bad = true;
        c->off = c->len;
        return 0;
    }
    const uint8_t *q = c->p + c->off;
    c->off += 2;
    return (uint16_t)((q[0] << 8) | q[1]);
}

static inline uint32_t asc_cur_be32(struct asc_cursor *c)
{
    if (!asc_cur_has(c, 4)) {
        c->bad = true;
        c->off = c->len;
        return 0;
    }
    const uint8_t *q = c->p + c->off;
    c->off += 4;
    return ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3];
}

static inline uint16_t asc_cur_le16(struct asc_cursor *c)
{
    if (!asc_cur_has(c, 2)) {
        c->bad = true;
        c->off = c->len;
        return 0;
    }
    const uint8_t *q = c->p + c->off;
    c->off += 2;
    return (uint16_t)(q[0] | (q[1] << 8));
}

static inline uint32_t asc_cur_le32(struct asc_cursor *c)
{
    if (!asc_cur_has(c, 4)) {
        c->bad = true;
        c->off = c->len;
        return 0;
    }
    const uint8_t *q = c->p + c->off;
    c->off += 4;
    return q[0] | ((uint32_t)q[1] << 8) | ((uint32_t)q[2] << 16) | ((uint32_t)q[3] << 24);
}

/* Copy n bytes out; on short input copies nothing and marks bad. */
static inline bool asc_cur_copy(struct asc_cursor *c, void *dst, size_t n)
{
    if (!asc_cur_has(c, n)) {
        c->bad = true;
        c->off = c->len;
        return false;
    }
    memcpy(dst, c->p + c->off, n);
    c->off += n;
    return true;
}

/* Pointer to the current position (valid while the buffer is). */
static inline const uint8_t *asc_cur_ptr(const struct asc_cursor *c)
{
    return c->p + c->off;
}

/* Plain big-endian loads for callers that already checked bounds. */
static inline uint16_t asc_load_be16(const uint8_t *q)
{
    return (uint16_t)((q[0] << 8) | q[1]);
}
static inline uint32_t asc_load_be32(const uint8_t *q)
{
    return ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3];
}

#endif
