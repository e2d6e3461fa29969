/*
 * scan_util.c - bounded hash set, threshold random walk and sliding
 * window for the scan, backscatter and brute-force detectors
 * (scan_util.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/scan_util.h"

/* ---- bounded hash set --------------------------------------------------- */

void scan_set_init(struct scan_set *s)
{
    memset(s, 0, sizeof(*s));
}

void scan_set_fini(struct scan_set *s, const struct scan_set_lim *lim)
{
    if (lim->budget)
        *lim->budget += s->cap;
    if (s->cap)
        free(s->u.slot);
    memset(s, 0, sizeof(*s));
}

static bool probe(const struct scan_set *s, uint64_t k, uint32_t *at)
{
    uint32_t mask = s->cap - 1;
    uint32_t i = (uint32_t)scan_mix(k) & mask;
    while (s->u.slot[i]) {
        if (s->u.slot[i] == k) {
            *at = i;
            return true;
        }
        i = (i + 1) & mask;
    }
    *at = i;
    return false;
}

static bool grow(struct scan_set *s, uint64_t *budget)
{
    uint32_t ncap = s->cap ? s->cap * 2 : 8;
    if (budget) {
        if (*budget < ncap - s->cap)
            return false;
        *budget -= ncap - s->cap;
    }
    uint64_t inl[SCAN_SET_INLINE];   /* the inline keys share their bytes with slot */
    memcpy(inl, s->u.inl, sizeof(inl));
    uint64_t *old = s->cap ? s->u.slot : inl;
    uint32_t nold = s->cap ? s->cap : s->n;
    uint64_t *nslot = asc_xcalloc(ncap, sizeof(*nslot));
    uint32_t ocap = s->cap;
    s->u.slot = nslot;
    s->cap = ncap;
    for (uint32_t i = 0; i < nold; i++) {
        uint32_t at;
        if (old[i] && !probe(s, old[i], &at))
            s->u.slot[at] = old[i];
    }
    if (ocap)
        free(old);
    return true;
}

static bool inline_has(const struct scan_set *s, uint64_t k)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (s->u.inl[i] == k)
            return true;
    return false;
}

bool scan_set_has(const struct scan_set *s, uint64_t k)
{
    uint32_t at;
    if (!k)
        k = 1;
    if (!s->cap)
        return inline_has(s, k);
    return probe(s, k, &at);
}

int scan_set_add(struct scan_set *s, uint64_t k, struct scan_set_lim *lim)
{
    uint32_t at;
    if (!k)
        k = 1;
    if (s->cap ? probe(s, k, &at) : inline_has(s, k))
        return 0;
    if (s->n >= (lim->max ? lim->max : 1)) {
        lim->refused++;
        return -1;
    }
    if (!s->cap && s->n < SCAN_SET_INLINE) {
        s->u.inl[s->n++] = k;
        return 1;
    }
    if ((!s->cap || (uint64_t)(s->n + 1) * 4 > (uint64_t)s->cap * 3) && !grow(s, lim->budget)) {
        lim->refused++;             /* load < 3/4 */
        return -1;
    }
    probe(s, k, &at);
    s->u.slot[at] = k;
    s->n++;
    return 1;
}

/* ---- threshold random walk ---------------------------------------------- */

/*
 * Each first contact is a Bernoulli trial: success with probability
 * theta0 for a benign host and theta1 for a scanner. The walk adds
 * log(theta1/theta0) for a success and log((1-theta1)/(1-theta0)) for a
 * failure, and stops at log(pd/pf) (scanner) or log((1-pd)/(1-pf))
 * (benign): Wald's thresholds eta1 and eta0.
 */
int scan_trw_setup(struct scan_trw_params *p, double theta0, double theta1, double pd,
                   double pf)
{
    if (!(theta1 > 0 && theta1 < theta0 && theta0 < 1 && pf > 0 && pf < pd && pd < 1))
        return ASC_EINVAL;
    p->theta0 = theta0;
    p->theta1 = theta1;
    p->pd = pd;
    p->pf = pf;
    p->step_ok = log(theta1 / theta0);
    p->step_fail = log((1 - theta1) / (1 - theta0));
    p->upper = log(pd / pf);
    p->lower = log((1 - pd) / (1 - pf));
    return 0;
}

int scan_trw_step(const struct scan_trw_params *p, struct scan_trw *t, bool success)
{
    if (t->state != SCAN_TRW_PENDING)
        return t->state;
    t->llr += success ? p->step_ok : p->step_fail;
    /* a tiny tolerance so that k equal steps reach a threshold that is
     * exactly k steps away despite rounding */
    if (t->llr >= p->upper - 1e-9)
        t->state = SCAN_TRW_SCANNER;
    else if (t->llr <= p->lower + 1e-9)
        t->state = SCAN_TRW_BENIGN;
    return t->state;
}

/* ---- sliding window ----------------------------------------------------- */

void scan_win_reset(struct scan_win *w, uint32_t need)
{
    w->need = need < 1 ? 1 : need > 65536 ? 65536 : need;
    w->n = w->head = 0;
    if (w->cap < w->need) {
        free(w->t);
        w->t = NULL;
        w->cap = 0;
    }
}

void scan_win_init(struct scan_win *w, uint32_t need)
{
    memset(w, 0, sizeof(*w));
    scan_win_reset(w, need);
}

void scan_win_fini(struct scan_win *w)
{
    free(w->t);
    w->t = NULL;
    w->n = w->head = w->cap = 0;
}

bool scan_win_push(struct scan_win *w, asc_time t, asc_time span)
{
    if (!w->t) {   /* slots are written before they are read: no zeroing */
        w->t = asc_xmalloc(w->need * sizeof(*w->t));
        w->cap = w->need;
    }
    w->t[w->head] = t;
    w->head = (w->head + 1) % w->need;
    if (w->n < w->need)
        w->n++;
    if (w->n < w->need)
        return false;
    asc_time lo = w->t[0], hi = w->t[0];
    for (uint32_t i = 1; i < w->n; i++) {
        if (w->t[i] < lo)
            lo = w->t[i];
        if (w->t[i] > hi)
            hi = w->t[i];
    }
    return hi - lo <= span;
}
