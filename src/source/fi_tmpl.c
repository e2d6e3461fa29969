/*
 * fi_tmpl.c - NetFlow v9 and IPFIX templates per exporter, and data sets
 * held until their template arrives.
 *
 * Source stage, flow-record side (see flowin.h). Template records follow
 * RFC 3954 section 5.2/5.3 (v9: type, length pairs; options templates with
 * scope and option lengths in bytes) and RFC 7011 section 3.4 (IPFIX:
 * field specifiers with the enterprise bit, field and scope counts,
 * variable-length fields, withdrawal by a zero field count).
 *
 * Bounds: at most FI_MAX_FIELDS fields and a 65535-byte record per
 * template, no template whose records could have zero length (a data set
 * of them would never end), at most cf.max_templates per exporter, and the
 * hold queue is capped in sets and bytes. Anything refused is counted.
 */
#include <stdlib.h>
#include <string.h>

#include "source/fi_internal.h"

struct fi_tmpl *fi_tmpl_find(struct asc_fi *fi, struct fi_exporter *ex, uint16_t id)
{
    struct fi_tmpl **pp = &ex->tmpl;
    for (struct fi_tmpl *t = ex->tmpl; t; pp = &t->next, t = t->next) {
        if (t->id != id)
            continue;
        if (fi->now - t->seen > fi->cf.template_ttl) {
            fi_tmpl_withdraw(fi, ex, id, false);
            fi_cnt(fi, ASC_FI_TMPL_EXPIRED);
            return NULL;
        }
        if (pp != &ex->tmpl) {   /* move to front: data sets repeat the same ids */
            *pp = t->next;
            t->next = ex->tmpl;
            ex->tmpl = t;
        }
        return t;
    }
    return NULL;
}

/* A template's memory, and everything it owns. */
static size_t tmpl_bytes(const struct fi_tmpl *t)
{
    return sizeof(*t) + t->nfields * sizeof(*t->f) + t->plan_bytes;
}

static void tmpl_release(struct fi_tmpl *t)
{
    free(t->plan);
    free(t->f);
    free(t);
}

static void tmpl_free(struct asc_fi *fi, struct fi_tmpl *t)
{
    fi->tmpl_mem -= tmpl_bytes(t);
    tmpl_release(t);
}

void fi_tmpl_withdraw(struct asc_fi *fi, struct fi_exporter *ex, uint16_t id, bool all)
{
    struct fi_tmpl **pp = &ex->tmpl;
    while (*pp) {
        struct fi_tmpl *t = *pp;
        if (all || t->id == id) {
            *pp = t->next;
            ex->n_tmpl--;
            tmpl_free(fi, t);
            if (!all)
                return;
            continue;
        }
        pp = &t->next;
    }
}

void fi_tmpl_free_all(struct fi_exporter *ex)
{
    for (struct fi_tmpl *t = ex->tmpl, *nx; t; t = nx) {
        nx = t->next;
        tmpl_release(t);
    }
    ex->tmpl = NULL;
    ex->n_tmpl = 0;
}

/* Reads n field specifiers into f; false on truncation. */
static bool read_fields(struct asc_fi *fi, struct asc_cursor *c, bool ipfix, struct fi_field *f,
                        size_t n, uint32_t *min_len, bool *varlen)
{
    for (size_t i = 0; i < n; i++) {
        uint16_t id = asc_cur_be16(c);
        uint16_t len = asc_cur_be16(c);
        uint32_t pen = 0;
        if (ipfix && (id & 0x8000)) {
            id &= 0x7fff;
            pen = asc_cur_be32(c);
        }
        if (c->bad)
            return false;
        f[i] = (struct fi_field){.id = id, .len = len, .pen = pen};
        f[i].op = fi_field_op(&f[i]);
        if (ipfix && len == FI_VARLEN)
            *varlen = true;
        else
            *min_len += len;
        (void)fi;
    }
    return true;
}

static bool install(struct asc_fi *fi, struct fi_exporter *ex, struct fi_tmpl *nt)
{
    struct fi_tmpl **pp = &ex->tmpl;
    for (struct fi_tmpl *t = ex->tmpl; t; pp = &t->next, t = t->next) {
        if (t->id == nt->id) {   /* refresh or redefinition: replace */
            nt->next = t->next;
            *pp = nt;
            tmpl_free(fi, t);
            return true;
        }
    }
    if (ex->n_tmpl >= fi->cf.max_templates) {
        fi_cnt(fi, ASC_FI_TMPL_CAP);
        return false;
    }
    nt->next = ex->tmpl;
    ex->tmpl = nt;
    ex->n_tmpl++;
    return true;
}

/* Template header: v9 data (id, count), v9 options (id, scope bytes,
 * option bytes), IPFIX data (id, count), IPFIX options (id, count, scope). */
static bool tmpl_header(struct asc_fi *fi, struct fi_exporter *ex, struct asc_cursor *c,
                        bool ipfix, bool options, uint16_t *id, size_t *nf, size_t *nscope)
{
    *id = asc_cur_be16(c);
    uint16_t a = asc_cur_be16(c);
    *nscope = 0;
    if (!ipfix && options) {
        uint16_t b = asc_cur_be16(c);
        if (c->bad || (a % 4) || (b % 4)) {
            fi_cnt(fi, c->bad ? ASC_FI_TRUNCATED : ASC_FI_BAD_TEMPLATE);
            return false;
        }
        *nscope = a / 4;
        *nf = (size_t)(a + b) / 4;
    } else {
        *nf = a;
        if (ipfix && options) {
            *nscope = asc_cur_be16(c);
            if (!c->bad && (*nscope == 0 || *nscope > *nf) && *nf != 0) {
                fi_cnt(fi, ASC_FI_BAD_TEMPLATE);   /* RFC 7011 3.4.2.2: scope count >= 1 */
                return false;
            }
        }
    }
    if (c->bad) {
        fi_cnt(fi, ASC_FI_TRUNCATED);
        return false;
    }
    if (*nf == 0) {   /* IPFIX withdrawal (RFC 7011 8.1); a v9 zero count is malformed */
        if (ipfix) {
            fi_tmpl_withdraw(fi, ex, *id, *id == 2 || *id == 3);
            fi_cnt(fi, ASC_FI_TMPL_WITHDRAWN);
            return true;
        }
        fi_cnt(fi, ASC_FI_BAD_TEMPLATE);
        return false;
    }
    if (*id < 256 || *nf > FI_MAX_FIELDS || *nf * 4 > asc_cur_left(c)) {
        fi_cnt(fi, ASC_FI_BAD_TEMPLATE);
        return false;
    }
    return true;
}

bool fi_tmpl_parse(struct asc_fi *fi, struct fi_exporter *ex, struct asc_cursor *c, bool ipfix,
                   bool options)
{
    uint16_t id;
    size_t nf, nscope;
    if (!tmpl_header(fi, ex, c, ipfix, options, &id, &nf, &nscope))
        return false;
    if (nf == 0)
        return true;
    struct fi_field tmp[FI_MAX_FIELDS];
    uint32_t min_len = 0;
    bool varlen = false;
    if (!read_fields(fi, c, ipfix, tmp, nf, &min_len, &varlen)) {
        fi_cnt(fi, ASC_FI_TRUNCATED);
        return false;
    }
    if (min_len > 65535 || (min_len == 0 && !varlen)) {
        fi_cnt(fi, ASC_FI_BAD_TEMPLATE);
        return true;   /* the next template record may still be fine */
    }
    struct fi_tmpl *t = asc_xcalloc(1, sizeof(*t));
    t->id = id;
    t->nfields = (uint16_t)nf;
    t->nscope = (uint16_t)nscope;
    t->options = options;
    t->varlen = varlen;
    t->min_len = min_len;
    t->seen = fi->now;
    t->f = asc_xcalloc(nf, sizeof(*t->f));
    memcpy(t->f, tmp, nf * sizeof(*t->f));
    t->plan = fi_plan_new(t, &t->plan_bytes);
    fi->tmpl_mem += tmpl_bytes(t);
    if (!install(fi, ex, t)) {
        tmpl_free(fi, t);
        return true;
    }
    fi_cnt(fi, options ? ASC_FI_OPT_TEMPLATES : ASC_FI_TEMPLATES);
    fi_hold_replay(fi, ex, id);
    return true;
}

/* ---- data sets waiting for their template ---- */

void fi_hold(struct asc_fi *fi, const struct fi_msg *m, uint16_t id, const uint8_t *p,
             size_t len)
{
    fi_cnt(fi, ASC_FI_UNKNOWN_TEMPLATE);
    if (fi->n_held >= fi->cf.max_held || fi->held_bytes + len > fi->cf.max_held_bytes) {
        fi_cnt(fi, ASC_FI_HOLD_FULL);
        return;
    }
    struct fi_held *h = asc_xmalloc(sizeof(*h) + len);
    h->next = NULL;
    h->ex = m->ex;
    h->tmpl_id = id;
    h->msg = *m;
    h->len = len;
    memcpy(h->data, p, len);
    *fi->held_tail = h;
    fi->held_tail = &h->next;
    fi->n_held++;
    fi->held_bytes += len;
    fi_cnt(fi, ASC_FI_SETS_HELD);
}

/* Unlinks the held sets matching pred, in order; calls fn on each (which
 * must free it). */
static void held_take(struct asc_fi *fi, struct fi_exporter *ex, int id, asc_time before,
                      bool replay)
{
    struct fi_held **pp = &fi->held, *h;
    while ((h = *pp)) {
        bool match = ex ? (h->ex == ex && (id < 0 || h->tmpl_id == id))
                        : (before == 0 || h->msg.arrival < before);
        if (!match) {
            pp = &h->next;
            continue;
        }
        *pp = h->next;
        if (fi->held_tail == &h->next)
            fi->held_tail = pp;
        fi->n_held--;
        fi->held_bytes -= h->len;
        if (replay) {
            const struct fi_tmpl *t = fi_tmpl_find(fi, h->ex, h->tmpl_id);
            if (t) {
                fi_cnt(fi, ASC_FI_SETS_REPLAYED);
                fi_data_set(fi, &h->msg, t, h->data, h->len);
            } else {
                fi_cnt(fi, ASC_FI_SETS_DROPPED);
            }
        } else {
            fi_cnt(fi, ASC_FI_SETS_DROPPED);
        }
        free(h);
    }
}

void fi_hold_replay(struct asc_fi *fi, struct fi_exporter *ex, uint16_t id)
{
    if (fi->n_held)
        held_take(fi, ex, id, 0, true);
}

void fi_hold_expire(struct asc_fi *fi, asc_time now, bool all)
{
    if (!fi->n_held)
        return;
    if (all) {
        held_take(fi, NULL, -1, 0, false);
        return;
    }
    /* held in arrival order: stop at the first one still waiting */
    if (fi->held && now - fi->held->msg.arrival > fi->cf.hold_time)
        held_take(fi, NULL, -1, now - fi->cf.hold_time, false);
}

void fi_hold_forget_exporter(struct asc_fi *fi, struct fi_exporter *ex)
{
    if (fi->n_held)
        held_take(fi, ex, -1, 0, false);
}
