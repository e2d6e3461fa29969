/*
 * bruteforce.c - the brute-force detector: many short connections from
 * one source to one authentication service of one server in a sliding
 * window (password guessing against ssh, ftp, telnet, mail, databases,
 * rdp, smb, vnc; http only with very many).
 *
 * Works on flow records (on_flow_end). A TCP flow to a service port is an
 * attempt when the server answered the handshake and the connection was
 * short (at most short_secs) with little originator payload (at most
 * max_bytes): one login dialogue. Per (source, server, port) an exact
 * sliding window over the last `count` attempt times fires when they fall
 * within `window` seconds (per-service defaults below, e.g. ssh 30 in 30
 * min as Zeek). After that, a long or large connection from the same
 * source (long_secs / long_bytes) is a possible success: it raises the
 * severity and sets possible_success. The incident is emitted when the
 * pair has been idle for `window` seconds, or at the end of input.
 *
 * With `analyze --evidence`, on_pkt also marks the packets of tracked
 * pairs for the pcap extract (docs/evidence.md).
 *
 * Bounded: a set-associative pair table (max_pairs; the idlest pair that
 * has not fired is evicted, drops counted). Output sorted by start, then
 * source, server and port. docs/detectors/bruteforce.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib/srcset.h"
#include "core/conf.h"
#include "detect/detector.h"
#include "detect/scan_util.h"

#define BF_VERSION "1.0"
#define WAYS 8
#define SWEEP_EVERY 60

struct service {
    const char *name;        /* vector and settings prefix */
    uint16_t ports[4];
    double count, window;    /* defaults: attempts within seconds */
};

/* Defaults: ssh as Zeek (30 in 30 min), ftp 20 in 15 min; services whose
 * clients legitimately open many short connections (mail relays, database
 * clients without pooling, web) need many more. */
static const struct service services[] = {
    {"ssh", {22}, 30, 1800},
    {"telnet", {23}, 20, 900},
    {"ftp", {21}, 20, 900},
    {"smtp", {25, 465, 587}, 100, 600},
    {"pop3", {110, 995}, 30, 600},
    {"imap", {143, 993}, 30, 600},
    {"rdp", {3389}, 20, 900},
    {"smb", {445}, 50, 600},
    {"mssql", {1433}, 50, 300},
    {"mysql", {3306}, 50, 300},
    {"postgres", {5432}, 50, 300},
    {"vnc", {5900}, 20, 900},
    {"http", {80, 443, 8080}, 500, 300},
};
#define N_SVC ASC_ARRAY_LEN(services)

struct bpair {
    struct asc_addr src, dst;
    uint16_t port;
    uint8_t used, svc, fired, success;
    uint8_t ttl;
    asc_time first, last, seen;
    uint64_t attempts, pkts, bytes;
    struct scan_win win;
    struct asc_flow_key cid[ASC_INC_CIDS];
    uint8_t n_cid;
};

struct bruteforce {
    const struct asc_grader *g;
    double count[N_SVC], window[N_SVC];
    double short_secs, max_bytes, long_secs, long_bytes, max_pairs;
    struct asc_inc_param params[6];
    struct bpair *t;
    size_t nsets;
    int64_t last_sweep;
    uint64_t dropped;
    const struct asc_evidence_hook *ev;   /* NULL unless extracts are written */
};

static int bf_init(const struct asc_det_env *env, void **state, struct asc_err *err)
{
    struct asc_conf *cf = env ? env->conf : NULL;
    struct bruteforce *d = asc_xcalloc(1, sizeof(*d));
    char key[64];
    bool bad = false;
    for (size_t i = 0; i < N_SVC; i++) {
        snprintf(key, sizeof(key), "%s_count", services[i].name);
        d->count[i] = asc_conf_num(cf, "bruteforce", key, services[i].count);
        snprintf(key, sizeof(key), "%s_window", services[i].name);
        d->window[i] = asc_conf_num(cf, "bruteforce", key, services[i].window);
        bad |= d->count[i] < 2 || d->count[i] > 65536 || d->window[i] < 1;
    }
    d->short_secs = asc_conf_num(cf, "bruteforce", "short_secs", 30);
    d->max_bytes = asc_conf_num(cf, "bruteforce", "max_bytes", 20000);
    d->long_secs = asc_conf_num(cf, "bruteforce", "long_secs", 300);
    d->long_bytes = asc_conf_num(cf, "bruteforce", "long_bytes", 100000);
    d->max_pairs = asc_conf_num(cf, "bruteforce", "max_pairs", 16384);
    if (bad || d->short_secs <= 0 || d->long_secs <= d->short_secs || d->max_pairs < WAYS ||
        d->max_pairs > (1 << 22)) {
        free(d);
        return asc_err_set(err, ASC_EINVAL, "bruteforce: a threshold or cap is out of range");
    }
    d->params[2] = (struct asc_inc_param){"short_secs", d->short_secs};
    d->params[3] = (struct asc_inc_param){"max_bytes", d->max_bytes};
    d->params[4] = (struct asc_inc_param){"long_secs", d->long_secs};
    d->params[5] = (struct asc_inc_param){"long_bytes", d->long_bytes};
    d->g = env ? env->grader : NULL;
    d->ev = env ? env->evidence : NULL;
    size_t n = WAYS;
    while (n < (size_t)d->max_pairs)
        n <<= 1;
    d->nsets = n / WAYS;
    d->t = asc_xcalloc(n, sizeof(*d->t));
    d->last_sweep = INT64_MIN;
    *state = d;
    return 0;
}

/* An unused entry again; its window's ring stays for the next pair. */
static void pair_clear(struct bpair *e)
{
    struct scan_win win = e->win;
    memset(e, 0, sizeof(*e));
    e->win = win;
}

static void bf_fini(void *state)
{
    struct bruteforce *d = state;
    if (!d)
        return;
    for (size_t i = 0; i < d->nsets * WAYS; i++)
        scan_win_fini(&d->t[i].win);
    free(d->t);
    free(d);
}

static int service_of(uint16_t port)
{
    for (size_t i = 0; i < N_SVC; i++)
        for (size_t j = 0; j < 4 && services[i].ports[j]; j++)
            if (services[i].ports[j] == port)
                return (int)i;
    return -1;
}

static bool pair_match(const struct bpair *e, const struct asc_flow_key *k)
{
    return e->used && e->port == k->resp_port && asc_addr_eq(&e->src, &k->orig) &&
           asc_addr_eq(&e->dst, &k->resp);
}

static struct bpair *pair_get(struct bruteforce *d, const struct asc_flow_key *k, int svc,
                              bool create)
{
    uint64_t h = scan_mix(scan_hash_addr(&k->orig) ^ scan_hash_addr(&k->resp) * 3 ^ k->resp_port);
    struct bpair *set = &d->t[((h >> 17) & (d->nsets - 1)) * WAYS];   /* nsets: a power of two */
    struct bpair *victim = NULL;
    for (int w = 0; w < WAYS; w++) {
        struct bpair *e = &set[w];
        if (pair_match(e, k))
            return e;
        if (!e->used) {
            if (!victim || victim->used)
                victim = e;
        } else if (!e->fired && (!victim || (victim->used && e->seen < victim->seen)))
            victim = e;
    }
    if (!create || !victim)
        return NULL;
    pair_clear(victim);
    victim->used = 1;
    victim->src = k->orig;
    victim->dst = k->resp;
    victim->port = k->resp_port;
    victim->svc = (uint8_t)svc;
    scan_win_reset(&victim->win, (uint32_t)d->count[svc]);
    return victim;
}

/* ---- evidence ----------------------------------------------------------- */

/* The evidence key of a (source, server, port) pair (detector.h). */
static uint64_t ev_key(const struct bpair *e)
{
    uint64_t h = scan_hash_addr(&e->src) ^ scan_hash_addr(&e->dst) * 5 ^ e->port;
    return (scan_mix(h) ^ 0x6272757465ull) | 1;
}

/* Evidence, per packet (only with `analyze --evidence`): the attempts are
 * flows, gone by the time they end, so the packets of the connections of
 * pairs already in the table are noted as they pass (both directions) and
 * the extract opens at the alarm with the look-back from the first
 * attempt. The connections before the pair's first attempt ended are not
 * noted: the pair is created at that flow end. */
static void bf_on_pkt(void *state, const struct asc_pkt *p, const struct asc_flow *f)
{
    struct bruteforce *d = state;
    (void)p;
    if (!d->ev || !f || f->key.proto != 6)
        return;
    int svc = service_of(f->key.resp_port);
    if (svc < 0)
        return;
    const struct bpair *e = pair_get(d, &f->key, svc, false);
    if (e)
        d->ev->note(d->ev->ctx, ev_key(e));
}

/* The window of a pair is full: it will be an incident. */
/* Packets bf_on_pkt may note (detector.h: reading thread; d->ev is fixed
 * at init): none without evidence extracts, which are written on one thread. */
static bool bf_pkt_wanted(const void *state, const struct asc_pkt *p, const struct asc_flow *f)
{
    const struct bruteforce *d = state;
    (void)p;
    return d->ev && f && f->key.proto == 6 && service_of(f->key.resp_port) >= 0;
}

static void fire(struct bruteforce *d, struct bpair *e)
{
    if (!e->fired && d->ev)
        d->ev->open(d->ev->ctx, ev_key(e), e->first);
    e->fired = 1;
}

static void bf_on_flow_end(void *state, const struct asc_flow *f)
{
    struct bruteforce *d = state;
    if (f->key.proto != 6 || !strchr(f->history, 'h') || !f->dir[0].pkts)
        return;
    int svc = service_of(f->key.resp_port);
    if (svc < 0)
        return;
    double secs = (double)(f->last - f->first) / ASC_NS_PER_SEC;
    uint64_t payload = f->dir[0].pl_bytes + f->dir[1].pl_bytes;
    bool attempt = secs <= d->short_secs && (double)f->dir[0].pl_bytes <= d->max_bytes;
    bool longer = secs >= d->long_secs || (double)payload >= d->long_bytes;
    struct bpair *e = pair_get(d, &f->key, svc, attempt);
    if (!e) {
        if (attempt)
            d->dropped++;
        return;
    }
    if (f->last > e->seen)
        e->seen = f->last;
    if (longer && e->fired)
        e->success = 1;
    if (!attempt)
        return;
    if (!e->attempts || f->first < e->first)
        e->first = f->first;
    if (f->last > e->last)
        e->last = f->last;
    e->attempts++;
    e->pkts += f->dir[0].pkts + f->dir[1].pkts;
    e->bytes += f->dir[0].ip_bytes + f->dir[1].ip_bytes;
    if (f->dir[0].ttl_max)
        e->ttl = f->dir[0].ttl_max;
    if (e->n_cid < ASC_INC_CIDS)
        e->cid[e->n_cid++] = f->key;
    if (scan_win_push(&e->win, f->first, (asc_time)(d->window[svc] * 1e9)))
        fire(d, e);
}

/* ---- incidents ---------------------------------------------------------- */

static void emit_one(struct bruteforce *d, const struct bpair *e, struct asc_emitter *out)
{
    struct asc_incident inc = {0};
    struct asc_inc_param params[6];
    char summary[200], a[ASC_ADDR_STRLEN], v[ASC_ADDR_STRLEN];
    memcpy(params, d->params, sizeof(params));
    params[0] = (struct asc_inc_param){"count", d->count[e->svc]};
    params[1] = (struct asc_inc_param){"window", d->window[e->svc]};
    inc.type = ASC_INC_BRUTEFORCE;
    inc.proto = 6;
    inc.vector = services[e->svc].name;
    inc.detector = "bruteforce";
    inc.detector_version = BF_VERSION;
    inc.victim = e->dst;
    inc.n_victims = 1;
    inc.victim_port = e->port;
    inc.ports[0] = e->port;
    inc.n_ports = 1;
    inc.start = e->first;
    inc.end = e->last;
    inc.pkts = e->pkts;
    inc.bytes = e->bytes;
    inc.flows = e->attempts;
    double secs = fmax(1.0, (double)(e->last - e->first) / ASC_NS_PER_SEC);
    inc.mean_pps = (double)e->pkts / secs;
    inc.mean_bps = 8.0 * (double)e->bytes / secs;
    inc.possible_success = e->success;
    struct asc_srcset *ss = asc_srcset_new(4);
    /* every attempt completed a handshake: the address is real */
    asc_srcset_add(ss, d->g, &e->src, e->pkts, e->bytes, e->ttl, ASC_EV_ANSWERED);
    asc_srcset_finish(ss, d->g, &inc);
    for (size_t i = 0; i < e->n_cid; i++)
        asc_community_id(&e->cid[i], 0, inc.cids[i], sizeof(inc.cids[i]));
    inc.n_cids = e->n_cid;
    inc.params = params;
    inc.n_params = ASC_ARRAY_LEN(params);
    inc.evidence_key = d->ev ? ev_key(e) : 0;
    double s = 4 + log10(fmax(1.0, (double)e->attempts / d->count[e->svc])) + (e->success ? 3 : 0);
    inc.severity = fmin(10, round(s * 10) / 10);
    snprintf(summary, sizeof(summary), "%s made %llu short %s connections to %s%s",
             asc_addr_str(&e->src, a, sizeof(a)), (unsigned long long)e->attempts, inc.vector,
             asc_addr_str(&e->dst, v, sizeof(v)),
             e->success ? ", then a long session (possible success)" : "");
    inc.summary = summary;
    out->emit(out->ctx, &inc);
    asc_srcset_free(ss);
}

static int cmp_pair(const void *pa, const void *pb)
{
    const struct bpair *a = *(const struct bpair *const *)pa, *b = *(const struct bpair *const *)pb;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    int c = asc_addr_cmp(&a->src, &b->src);
    if (!c)
        c = asc_addr_cmp(&a->dst, &b->dst);
    return c ? c : (int)a->port - (int)b->port;
}

static void bf_on_tick(void *state, asc_time now, bool final, struct asc_emitter *out)
{
    struct bruteforce *d = state;
    int64_t sec = now / ASC_NS_PER_SEC;
    if (!final && d->last_sweep != INT64_MIN && sec - d->last_sweep < SWEEP_EVERY)
        return;
    d->last_sweep = sec;
    size_t n = d->nsets * WAYS, n_out = 0;
    struct bpair **closing = NULL;
    for (size_t i = 0; i < n; i++) {
        struct bpair *e = &d->t[i];
        if (!e->used || !(final || now - e->seen > (asc_time)(d->window[e->svc] * 1e9)))
            continue;
        if (e->fired) {
            if (!closing)
                closing = asc_xcalloc(n, sizeof(*closing));
            closing[n_out++] = e;
        } else {
            pair_clear(e);
        }
    }
    if (!n_out)
        return;
    qsort(closing, n_out, sizeof(*closing), cmp_pair);
    for (size_t i = 0; i < n_out; i++) {
        emit_one(d, closing[i], out);
        pair_clear(closing[i]);
    }
    free(closing);
}

static size_t bf_stats(const void *state, struct asc_det_stat *out)
{
    const struct bruteforce *d = state;
    out[0] = (struct asc_det_stat){"pair_capacity", d->nsets * WAYS, false};
    out[1] = (struct asc_det_stat){"dropped_attempts", d->dropped, true};
    return 2;
}

const struct asc_detector_ops asc_detector_bruteforce = {
    .abi = ASC_DETECTOR_ABI,
    .name = "bruteforce",
    .version = BF_VERSION,
    .wants = ASC_WANT_PKT | ASC_WANT_FLOW_END | ASC_WANT_TICK,
    .init = bf_init,
    .on_pkt = bf_on_pkt,
    .pkt_wanted = bf_pkt_wanted,
    .on_flow_end = bf_on_flow_end,
    .on_tick = bf_on_tick,
    .fini = bf_fini,
    .stats = bf_stats,
};
