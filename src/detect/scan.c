/*
 * scan.c - the scan detector: one source probing many hosts (horizontal),
 * many ports of one host (vertical), or both (block), per transport
 * (tcp, udp; icmp echo sweeps), plus the threshold random walk
 * (Jung, Paxson, Berger, Balakrishnan 2004) for fast scanners.
 *
 * Works on flow records (on_flow_end). Each flow of a source is a probe
 * when it failed (unanswered or rejected SYN, a stealth FIN/NULL/Xmas
 * probe, UDP without a reply) or was answered but carried no payload
 * (half-open and connect probes of open ports). Backscatter (SYN-ACKs,
 * RSTs and ICMP errors nobody asked for) is never a probe: a flow counts
 * only when its originator sent a SYN, a stealth probe, a UDP datagram or
 * an echo request. Per source it keeps distinct probed hosts, ports and
 * (host, port) pairs in bounded sets over an activity period that ends
 * after `idle` seconds without a probe; thresholds on those counts, or
 * the random walk, make the source a scanner. Packets (on_pkt) only feed
 * the scanner fingerprints (zmap, masscan, nmap) on SYNs.
 *
 * Bounded: a set-associative source table (max_sources, the idlest
 * undetected way is evicted, drops counted) and per-source sets capped at
 * max_targets. Each way has a hot part (128 bytes: identity, times,
 * counters, random walk, and the first contact and probe) and a cold part
 * (sets, Space-Saving tables, Community IDs, SYN counts) that is set up
 * only when the source materialises: at its second contact or probe, a
 * SYN, or a first probe that could already alarm. Most sources of a busy
 * export send one flow and are evicted without their cold lines being
 * read. Output is sorted by start time, then source address.
 * Algorithm, defaults and false positives: docs/detectors/scan.md.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib/srcset.h"
#include "core/conf.h"
#include "detect/detector.h"
#include "detect/scan_util.h"

#define SCAN_VERSION "1.0"
#define WAYS 8
#define TOPN 8
#define SWEEP_EVERY 60        /* seconds of data time between table sweeps */
#define TAG_COLD 2            /* tag bit: the way's source materialised */

enum { PC_TCP = 0, PC_UDP, PC_ICMP, PC__COUNT };
enum { FP_ZMAP = 0, FP_MASSCAN, FP_NMAP, FP__COUNT };
static const char *const fp_names[FP__COUNT] = {"zmap", "masscan", "nmap"};

/* What one flow was, seen from its originator. */
enum { PR_NONE = 0, PR_FAIL, PR_OPEN, PR_OK };

enum { SH_NONE = 0, SH_HORIZ, SH_VERT, SH_BLOCK, SH_SWEEP };

/* Space-Saving entries: n over-counts by at most err, the count the entry
 * inherited when it took over a slot, so n - err is a guaranteed
 * (lower-bound) count; only that one decides shapes and is reported. */
struct host_ports {
    struct asc_addr a;
    uint32_t n;            /* distinct ports probed on it, plus err */
    uint32_t err;          /* inherited on take-over; 0 for an exact count */
};

struct port_hosts {
    uint16_t port;
    uint32_t n;            /* distinct hosts probed on it, plus err */
    uint32_t err;
};

/* The first probe of a source that has not materialised: its flow key
 * less the originator, which is the source itself. */
struct first_probe {
    struct asc_addr dst;
    uint8_t proto;
    uint16_t orig_port, resp_port, vlan;
    uint32_t tun_id;
};

/* What a not yet materialised source holds in its hot part (ssrc.lazy). */
enum { LZ_CONTACT = 1, LZ_PROBE = 2 };

/* The hot part of a way: two cache lines (the table is 64-byte aligned),
 * all that a source with one flow touches. A new source writes it whole
 * without reading it (whether the way's cold part must be freed is a bit
 * of its tag, TAG_COLD). */
struct ssrc {
    struct asc_addr src;
    uint8_t used, pc, detected, answered, ttl;
    uint8_t lazy;                  /* LZ_*: held here until the source materialises */
    asc_time first, last;          /* first and last probe of the period */
    asc_time seen;                 /* last flow or SYN of any kind */
    uint64_t probes, pkts, bytes;
    struct scan_trw trw;
    uint64_t contact;              /* LZ_CONTACT: the first contact's key */
    struct first_probe p1;         /* LZ_PROBE: the first probe */
};
_Static_assert(sizeof(struct ssrc) == 128, "the hot part of a source is two cache lines");

/* The cold part, same index as its way. When the source materialises
 * the sets, counts, n_syn and fp are cleared; hp, ph and cid are used up
 * to their counts. Ordered so that a source with two probes touches 5 of
 * its 14 lines (sets and counts, ph[0], hp[0..1], n_syn and fp, cid[0..1])
 * and freeing it reads 2. */
struct ssrc_cold {
    _Alignas(64) struct scan_set contacted;   /* every destination, for first contacts */
    struct scan_set hosts, ports, pairs;
    uint8_t n_hp, n_ph, n_cid;
    struct port_hosts ph[TOPN];    /* n_ph of them in use */
    struct host_ports hp[TOPN];    /* n_hp */
    uint64_t n_syn, fp[FP__COUNT];
    struct asc_flow_key cid[ASC_INC_CIDS];   /* n_cid */
};
_Static_assert(sizeof(struct ssrc_cold) % 64 == 0, "cold parts start on a cache line");

struct scan_params {
    double theta0, theta1, pd, pf, trw, trw_min_hosts;
    double h_hosts, v_ports, b_hosts, b_ports, icmp_hosts, udp_hosts, udp_ports;
    double idle, max_sources, max_targets, max_slots, fp_share;
};

struct scan {
    const struct asc_grader *g;
    struct scan_params prm;
    struct scan_trw_params trw;
    struct asc_inc_param params[16];
    size_t n_params;
    struct ssrc *t;                /* hot parts */
    struct ssrc_cold *cold;        /* cold parts, read only when the way's tag has TAG_COLD */
    /* Per way, dense (a lookup reads one cache line of tags, a new source
     * one more of ages, and only the entry that matches): src_tag() of the
     * held source, | TAG_COLD once it materialised (0 = free), and its
     * `seen` (INT64_MAX once detected, so that it is never the one
     * evicted). */
    uint64_t *tags;
    asc_time *age;
    size_t nsets;
    int64_t last_sweep;
    uint64_t dropped;              /* flows or SYNs with no table slot */
    uint64_t budget;               /* set slots left (max_slots in all) */
    struct scan_set_lim lim;       /* max_targets keys per set, budget */
    uint64_t evicted;              /* undetected sources evicted for a new one */
    uint64_t capped;               /* probes not held: a per-source set was full */
    const struct asc_evidence_hook *ev;   /* NULL unless extracts are written */
};

/* ---- settings ----------------------------------------------------------- */

static void read_params(struct scan *d, struct asc_conf *cf)
{
    struct scan_params *p = &d->prm;
    p->theta0 = asc_conf_num(cf, "scan", "theta0", 0.8);
    p->theta1 = asc_conf_num(cf, "scan", "theta1", 0.2);
    p->pd = asc_conf_num(cf, "scan", "pd", 0.99);
    p->pf = asc_conf_num(cf, "scan", "pf", 0.01);
    p->trw = asc_conf_num(cf, "scan", "trw", 1);
    p->trw_min_hosts = asc_conf_num(cf, "scan", "trw_min_hosts", 6);
    p->h_hosts = asc_conf_num(cf, "scan", "h_hosts", 8);
    p->v_ports = asc_conf_num(cf, "scan", "v_ports", 6);
    p->b_hosts = asc_conf_num(cf, "scan", "b_hosts", 5);
    p->b_ports = asc_conf_num(cf, "scan", "b_ports", 5);
    p->icmp_hosts = asc_conf_num(cf, "scan", "icmp_hosts", 16);
    p->udp_hosts = asc_conf_num(cf, "scan", "udp_hosts", 32);
    p->udp_ports = asc_conf_num(cf, "scan", "udp_ports", 16);
    p->idle = asc_conf_num(cf, "scan", "idle", 3600);
    p->max_sources = asc_conf_num(cf, "scan", "max_sources", 16384);
    p->max_targets = asc_conf_num(cf, "scan", "max_targets", 4096);
    p->max_slots = asc_conf_num(cf, "scan", "max_slots", 1 << 22);
    p->fp_share = asc_conf_num(cf, "scan", "fp_share", 0.5);
    static const char *const names[] = {"theta0", "theta1", "pd", "pf", "trw_min_hosts",
                                        "h_hosts", "v_ports", "b_hosts", "b_ports",
                                        "icmp_hosts", "udp_hosts", "udp_ports", "idle"};
    const double vals[] = {p->theta0, p->theta1, p->pd, p->pf, p->trw_min_hosts, p->h_hosts,
                           p->v_ports, p->b_hosts, p->b_ports, p->icmp_hosts, p->udp_hosts,
                           p->udp_ports, p->idle};
    for (size_t i = 0; i < ASC_ARRAY_LEN(names); i++)
        d->params[i] = (struct asc_inc_param){names[i], vals[i]};
    d->n_params = ASC_ARRAY_LEN(names);
}

static int scan_init(const struct asc_det_env *env, void **state, struct asc_err *err)
{
    struct scan *d = asc_xcalloc(1, sizeof(*d));
    read_params(d, env ? env->conf : NULL);
    const struct scan_params *p = &d->prm;
    if (scan_trw_setup(&d->trw, p->theta0, p->theta1, p->pd, p->pf) != 0) {
        free(d);
        return asc_err_set(err, ASC_EINVAL,
                           "scan: need 0 < theta1 < theta0 < 1 and 0 < pf < pd < 1");
    }
    if (p->max_sources < WAYS || p->max_sources > (1 << 24) || p->max_targets < 16 ||
        p->max_targets > (1 << 24) || p->max_slots < 1024 || p->idle < 1 || p->h_hosts < 2 || p->v_ports < 2 ||
        p->b_hosts < 2 || p->b_ports < 2 || p->icmp_hosts < 2 || p->udp_hosts < 2 ||
        p->udp_ports < 2) {
        free(d);
        return asc_err_set(err, ASC_EINVAL, "scan: a threshold or cap is out of range");
    }
    d->g = env ? env->grader : NULL;
    d->ev = env ? env->evidence : NULL;
    size_t n = WAYS;
    while (n < (size_t)p->max_sources)
        n <<= 1;
    d->nsets = n / WAYS;
    d->t = asc_table_alloc(n, sizeof(*d->t));
    d->cold = asc_table_alloc(n, sizeof(*d->cold));
    d->tags = asc_table_alloc(n, sizeof(*d->tags));
    d->age = asc_table_alloc(n, sizeof(*d->age));
    d->last_sweep = INT64_MIN;
    d->budget = (uint64_t)p->max_slots;
    d->lim = (struct scan_set_lim){(uint32_t)p->max_targets, &d->budget, 0};
    *state = d;
    return 0;
}

static struct ssrc_cold *cold_of(const struct scan *d, const struct ssrc *e)
{
    return &d->cold[e - d->t];
}

/* Whether the source of e materialised: its cold part is in use. */
static bool src_is_cold(const struct scan *d, const struct ssrc *e)
{
    return d->tags[e - d->t] & TAG_COLD;
}

/* Free the sets of way i when its source materialised; the cold part of
 * one that did not is neither read nor written. */
static void src_free_cold(struct scan *d, size_t i)
{
    if (!(d->tags[i] & TAG_COLD))
        return;
    struct ssrc_cold *c = &d->cold[i];
    scan_set_fini(&c->contacted, &d->lim);
    scan_set_fini(&c->hosts, &d->lim);
    scan_set_fini(&c->ports, &d->lim);
    scan_set_fini(&c->pairs, &d->lim);
    d->tags[i] &= ~(uint64_t)TAG_COLD;
}

static void scan_fini(void *state)
{
    struct scan *d = state;
    if (!d)
        return;
    for (size_t i = 0; i < d->nsets * WAYS; i++)
        src_free_cold(d, i);
    asc_table_free(d->t, d->nsets * WAYS, sizeof(*d->t));
    asc_table_free(d->cold, d->nsets * WAYS, sizeof(*d->cold));
    asc_table_free(d->tags, d->nsets * WAYS, sizeof(*d->tags));
    asc_table_free(d->age, d->nsets * WAYS, sizeof(*d->age));
    free(d);
}

/* ---- source table ------------------------------------------------------- */

static bool src_match(const struct ssrc *e, const struct asc_addr *a, unsigned pc)
{
    return e->used && e->pc == pc && e->src.family == a->family && !memcmp(e->src.b, a->b, 16);
}

static uint64_t src_hash(const struct asc_addr *a, unsigned pc)
{
    return scan_hash_addr(a) ^ (uint64_t)(pc + 1) * 0x9e3779b97f4a7c15ull;
}

/* The tag of a source hash: bit 0 set (0 is a free way), bit 1 left for
 * TAG_COLD; matching tags are confirmed on the entry (src_match). */
static uint64_t src_tag(uint64_t h)
{
    return (h & ~(uint64_t)3) | 1;
}

static size_t src_base(const struct scan *d, uint64_t h)
{
    return (size_t)((h >> 17) & (d->nsets - 1)) * WAYS;   /* nsets: a power of two */
}

/* The way holding (a, pc) in its set (h = src_hash(a, pc)), or NULL. */
static struct ssrc *src_find_h(struct scan *d, const struct asc_addr *a, unsigned pc, uint64_t h)
{
    uint64_t tag = src_tag(h);
    size_t base = src_base(d, h);
    for (int w = 0; w < WAYS; w++)
        if ((d->tags[base + w] & ~(uint64_t)TAG_COLD) == tag && src_match(&d->t[base + w], a, pc))
            return &d->t[base + w];
    return NULL;
}

/* The entry of (source, transport) when held, else NULL. */
static struct ssrc *src_find(struct scan *d, const struct asc_addr *a, unsigned pc)
{
    return src_find_h(d, a, pc, src_hash(a, pc));
}

/* Free a way (its sets too). */
static void src_drop(struct scan *d, struct ssrc *e)
{
    size_t i = (size_t)(e - d->t);
    src_free_cold(d, i);
    *e = (struct ssrc){0};
    d->tags[i] = 0;
    d->age[i] = 0;
}

/* Keep the dense age of e in step with e->seen and e->detected. */
static void src_touch(struct scan *d, const struct ssrc *e)
{
    d->age[e - d->t] = e->detected ? INT64_MAX : e->seen;
}

/* A new period of (a, pc) in e: every field written, none read, so that
 * a reused way's lines are not waited for (stores, then loads forwarded
 * from them). contact and p1 are read only under their lazy bit. */
static void src_init(struct ssrc *e, const struct asc_addr *a, unsigned pc, asc_time seen)
{
    e->src = *a;
    e->used = 1;
    e->pc = (uint8_t)pc;
    e->detected = e->answered = e->ttl = e->lazy = 0;
    e->first = e->last = 0;
    e->seen = seen;
    e->probes = e->pkts = e->bytes = 0;
    e->trw = (struct scan_trw){0};
}

/* The way a new source of the set at base takes: the first free one, else
 * the idlest undetected one; SIZE_MAX when every way holds a detected
 * scanner (age INT64_MAX). Reads only the set's tags and ages. */
static size_t src_victim(const struct scan *d, size_t base)
{
    for (size_t w = base; w < base + WAYS; w++)
        if (!d->tags[w])
            return w;
    size_t v = SIZE_MAX;
    asc_time best = INT64_MAX;
    for (size_t w = base; w < base + WAYS; w++)
        if (d->age[w] < best) {
            best = d->age[w];
            v = w;
        }
    return v;
}

/* The entry of (source, transport); a free or the idlest undetected way
 * of its set when new (src_victim); NULL when every way holds a detected
 * scanner. */
static struct ssrc *src_get(struct scan *d, const struct asc_addr *a, unsigned pc, asc_time now)
{
    uint64_t h = src_hash(a, pc);
    struct ssrc *hit = src_find_h(d, a, pc, h);
    if (hit)
        return hit;
    size_t i = src_victim(d, src_base(d, h));
    if (i == SIZE_MAX)
        return NULL;
    struct ssrc *victim = &d->t[i];
    if (d->tags[i])     /* not victim->used: see flood_dv_get */
        d->evicted++;
    src_free_cold(d, i);
    src_init(victim, a, pc, now);
    d->tags[i] = src_tag(h);
    src_touch(d, victim);
    return victim;
}

/* A new period: forget the probes of an undetected source gone idle. */
static void src_restart(struct scan *d, struct ssrc *e)
{
    struct asc_addr a = e->src;
    uint8_t pc = e->pc;
    asc_time seen = e->seen;
    src_free_cold(d, (size_t)(e - d->t));
    src_init(e, &a, pc, seen);
}

/* The evidence key of a (source, transport) entry (detector.h). */
static uint64_t ev_key(const struct asc_addr *src, unsigned pc)
{
    return (scan_hash_addr(src) ^ (uint64_t)(pc + 1) * 0x9e3779b97f4a7c15ull ^ 0x7363616eull) | 1;
}

/* ---- per flow ----------------------------------------------------------- */

/* Multicast, broadcast and loopback: nobody scans these. */
static bool addr_is_special(const struct asc_addr *a)
{
    static const uint8_t v6_loop[16] = {[15] = 1};
    if (a->family == ASC_AF_INET)
        return (a->b[0] & 0xf0) == 0xe0 || a->b[0] == 127 ||
               (a->b[0] == 255 && a->b[1] == 255 && a->b[2] == 255 && a->b[3] == 255);
    return a->family == ASC_AF_INET6 && (a->b[0] == 0xff || !memcmp(a->b, v6_loop, 16));
}

static unsigned proto_class(uint8_t proto)
{
    return proto == 6 ? PC_TCP : proto == 17 ? PC_UDP : PC_ICMP;
}

/* Whether the originator's SYN was answered. From the history: the
 * responder's SYN-ACK ('h'), or, when the monitor lost it (Zeek logs
 * "SadDAF", "SAD" with no responder packets), what only an answered SYN
 * draws: the responder's ACK, data or FIN, or the originator's ACK or
 * data. A RST alone is a refusal. Export records (and Zeek lines without a
 * history) have only each side's flags union: a responder SYN (its
 * SYN-ACK) or an originator ACK; a responder's RST-ACK is not enough. */
static bool tcp_answered(const struct asc_flow *f)
{
    if (asc_flow_has_history(f))
        return strpbrk(f->history, "hadfAD") != NULL;
    return (f->dir[1].tcp_flags & 0x02) || (f->dir[0].tcp_flags & 0x10);
}

/* Whether an answered connection carried data. Export records count no
 * payload, only IP bytes: data when a side's packets average over 100
 * bytes, more than IP and TCP headers with a SYN's options. */
static bool tcp_data(const struct asc_flow *f)
{
    if (f->dir[0].pl_bytes || f->dir[1].pl_bytes)
        return true;
    if (f->src_kind != ASC_SRC_NETFLOW && f->src_kind != ASC_SRC_IPFIX)
        return false;
    return f->dir[0].ip_bytes > 100 * (uint64_t)f->dir[0].pkts ||
           f->dir[1].ip_bytes > 100 * (uint64_t)f->dir[1].pkts;
}

/* What the flow was for its originator (PR_*). */
static int classify(const struct asc_flow *f)
{
    const struct asc_flow_dir *o = &f->dir[0];
    if (o->pkts == 0 || addr_is_special(&f->key.resp) || addr_is_special(&f->key.orig))
        return PR_NONE;
    if (f->key.proto == 6) {
        if (o->tcp_flags & 0x02)        /* SYN */
            return !tcp_answered(f) ? PR_FAIL : tcp_data(f) ? PR_OK : PR_OPEN;
        if (!(o->tcp_flags & (0x10 | 0x04)))   /* FIN, NULL, Xmas: no ACK, no RST */
            return PR_FAIL;
        return PR_NONE;
    }
    if (f->key.proto == 17) {
        /* traceroute's default UDP ports look like a vertical scan */
        if (f->key.resp_port >= 33434 && f->key.resp_port <= 33534)
            return PR_NONE;
        /* from a service port to an ephemeral one: a reply whose request
         * was not captured, not a probe */
        if (f->key.orig_port < 1024 && f->key.resp_port >= 1024)
            return PR_NONE;
        return f->dir[1].pkts ? PR_OK : PR_FAIL;
    }
    if ((f->key.proto == 1 && f->key.orig_port == 8) ||
        (f->key.proto == 58 && f->key.orig_port == 128))
        return f->dir[1].pkts ? PR_OPEN : PR_FAIL;
    return PR_NONE;
}

/* One new (host, port) pair into both Space-Saving tables. A newcomer to a
 * full table takes over the smallest counter and keeps its value as err. */
static void note_host_port(struct ssrc_cold *e, const struct asc_addr *host, uint16_t port)
{
    size_t j, min = 0;
    for (j = 0; j < e->n_hp; j++)
        if (asc_addr_eq(&e->hp[j].a, host))
            break;
    if (j < e->n_hp) {
        e->hp[j].n++;
    } else if (j < TOPN) {
        e->hp[e->n_hp++] = (struct host_ports){*host, 1, 0};
    } else {
        for (j = 1; j < TOPN; j++)
            if (e->hp[j].n < e->hp[min].n)
                min = j;
        e->hp[min] = (struct host_ports){*host, e->hp[min].n + 1, e->hp[min].n};
    }
    for (j = 0; j < e->n_ph; j++)
        if (e->ph[j].port == port)
            break;
    if (j < e->n_ph) {
        e->ph[j].n++;
    } else if (j < TOPN) {
        e->ph[e->n_ph++] = (struct port_hosts){port, 1, 0};
    } else {
        for (min = 0, j = 1; j < TOPN; j++)
            if (e->ph[j].n < e->ph[min].n)
                min = j;
        e->ph[min] = (struct port_hosts){port, e->ph[min].n + 1, e->ph[min].n};
    }
}

/* The most ports guaranteed on one host (n - err: counted since the host
 * got its slot), and that host's slot in *at. */
static uint32_t max_ports_on_host(const struct ssrc_cold *e, size_t *at)
{
    uint32_t m = 0;
    for (size_t j = 0; j < e->n_hp; j++)
        if (e->hp[j].n - e->hp[j].err > m) {
            m = e->hp[j].n - e->hp[j].err;
            *at = j;
        }
    return m;
}

/* The shape of a source of transport pc with nh probed hosts, np ports and
 * at most mp ports guaranteed on one host, SH_NONE below every threshold. */
static int shape_of(const struct scan *d, const struct ssrc *e, double nh, double np, double mp)
{
    const struct scan_params *p = &d->prm;
    if (e->pc == PC_ICMP)
        return nh >= p->icmp_hosts ? SH_SWEEP : SH_NONE;
    if (e->pc == PC_UDP) {      /* unanswered UDP is common: stricter, no random walk */
        if (nh >= p->udp_hosts && np >= p->udp_ports)
            return SH_BLOCK;
        return mp >= p->udp_ports ? SH_VERT : nh >= p->udp_hosts ? SH_HORIZ : SH_NONE;
    }
    if (nh >= p->b_hosts && np >= p->b_ports)
        return SH_BLOCK;
    if (mp >= p->v_ports)
        return SH_VERT;
    if (nh >= p->h_hosts)
        return SH_HORIZ;
    if (e->trw.state == SCAN_TRW_SCANNER && p->trw && nh >= p->trw_min_hosts)
        return nh >= 2 ? SH_HORIZ : SH_VERT;
    return SH_NONE;
}

/* The shape of what a materialised source did so far. */
static int shape(const struct scan *d, const struct ssrc *e, const struct ssrc_cold *c)
{
    size_t at = 0;
    return shape_of(d, e, c->hosts.n, c->ports.n, max_ports_on_host(c, &at));
}

/* A probe into the cold part: its host, port and pair, the Space-Saving
 * tables, its Community ID. */
static void probe_cold(struct scan *d, const struct ssrc *e, struct ssrc_cold *c,
                       const struct asc_flow_key *k)
{
    const struct asc_addr *dst = &k->resp;
    uint16_t port = e->pc == PC_ICMP ? 0 : k->resp_port;
    uint64_t hh = scan_hash_addr(dst);
    int rh = scan_set_add(&c->hosts, hh, &d->lim), rp = scan_set_add(&c->ports, port, &d->lim);
    int rpair = scan_set_add(&c->pairs, scan_mix(hh ^ port), &d->lim);
    if (rpair == 1)
        note_host_port(c, dst, port);
    if (rh < 0 || rp < 0 || rpair < 0)
        d->capped++;
    if (c->n_cid < ASC_INC_CIDS)
        c->cid[c->n_cid++] = *k;
}

/* The cold part of e, set up first when e has not materialised: empty
 * sets, then the first contact and first probe held in the hot part,
 * added as scan_on_flow_end and note_probe would have added them (the
 * sets, tables and counts are separate, so the order between the two
 * does not matter; one key never touches the slot budget). */
static struct ssrc_cold *src_cold(struct scan *d, struct ssrc *e)
{
    struct ssrc_cold *c = cold_of(d, e);
    if (src_is_cold(d, e))
        return c;
    memset(c, 0, offsetof(struct ssrc_cold, ph));   /* empty sets, zero counts */
    c->n_syn = 0;
    memset(c->fp, 0, sizeof(c->fp));
    d->tags[e - d->t] |= TAG_COLD;
    if (e->lazy & LZ_CONTACT)
        scan_set_add(&c->contacted, e->contact, &d->lim);
    if (e->lazy & LZ_PROBE) {
        const struct first_probe *p = &e->p1;
        struct asc_flow_key k = {.orig = e->src, .resp = p->dst, .orig_port = p->orig_port,
                                 .resp_port = p->resp_port, .proto = p->proto,
                                 .vlan = p->vlan, .tun_id = p->tun_id};
        probe_cold(d, e, c, &k);
    }
    e->lazy = 0;
    return c;
}

static void note_probe(struct scan *d, struct ssrc *e, const struct asc_flow *f)
{
    if (!e->probes || f->first < e->first)
        e->first = f->first;
    if (!e->probes || f->last > e->last)
        e->last = f->last;
    e->probes++;
    e->pkts += f->dir[0].pkts;
    e->bytes += f->dir[0].ip_bytes;
    if (f->dir[0].ttl_max)
        e->ttl = f->dir[0].ttl_max;
    /* The first probe stays in the hot part unless one host, one port and
     * one pair could already be a shape (trw_min_hosts <= 1). */
    if (!(e->lazy & LZ_PROBE) && !src_is_cold(d, e) && shape_of(d, e, 1, 1, 1) == SH_NONE) {
        const struct asc_flow_key *k = &f->key;
        e->p1 = (struct first_probe){k->resp, k->proto, k->orig_port, k->resp_port, k->vlan,
                                     k->tun_id};
        e->lazy |= LZ_PROBE;
        return;
    }
    struct ssrc_cold *c = src_cold(d, e);
    probe_cold(d, e, c, &f->key);
    if (!e->detected && shape(d, e, c) != SH_NONE) {
        e->detected = 1;
        src_touch(d, e);
        if (d->ev)
            d->ev->open(d->ev->ctx, ev_key(&e->src, e->pc), e->first);
    }
}

/* A contact of a source whose random walk is pending: a step when it is
 * the first contact of that destination (key k). A source that has not
 * materialised keeps its first contact in the hot part. */
static void note_contact(struct scan *d, struct ssrc *e, uint64_t k, bool success)
{
    if (!(e->lazy & LZ_CONTACT) && !src_is_cold(d, e)) {
        e->contact = k;
        e->lazy |= LZ_CONTACT;
    } else if (scan_set_add(&src_cold(d, e)->contacted, k, &d->lim) != 1) {
        return;
    }
    if (scan_trw_step(&d->trw, &e->trw, success) == SCAN_TRW_PENDING)
        return;
    if (src_is_cold(d, e))  /* decided: stop tracking first contacts */
        scan_set_fini(&cold_of(d, e)->contacted, &d->lim);
    else
        e->lazy &= (uint8_t)~LZ_CONTACT;
}

static void scan_on_flow_end(void *state, const struct asc_flow *f)
{
    struct scan *d = state;
    int pr = classify(f);
    if (pr == PR_NONE)
        return;
    unsigned pc = proto_class(f->key.proto);
    struct ssrc *e = src_get(d, &f->key.orig, pc, f->last);
    if (!e) {
        d->dropped++;
        return;
    }
    if (!e->detected && e->probes && f->first - e->last > (asc_time)(d->prm.idle * 1e9))
        src_restart(d, e);
    if (f->last > e->seen) {
        e->seen = f->last;
        src_touch(d, e);
    }
    /* A scanner that resets the SYN-ACK its probe drew got that SYN-ACK:
     * for one source probing many targets this proves its address (for a
     * flood it would not: the owner of a spoofed address resets too). */
    if (asc_flow_verifies_orig(f) ||
        (f->key.proto == 6 && strchr(f->history, 'h') && strchr(f->history, 'R')))
        e->answered = 1;
    if (pc == PC_TCP && e->trw.state == SCAN_TRW_PENDING)
        note_contact(d, e, scan_hash_addr(&f->key.resp), pr != PR_FAIL);
    if (pr == PR_FAIL || pr == PR_OPEN)
        note_probe(d, e, f);
}

/* Look-ahead (detector.h): each flow's set tag and age lines first, then,
 * with the tags arriving, the hot lines of the way it will use -- the one
 * whose tag is its source's, else src_victim's -- and, when that way's
 * source materialised, the first line of its cold part (its sets). Hints
 * only: a flow earlier in the run may change the set before this one gets
 * there. */
static void scan_prefetch_flows(const void *state, const struct asc_flow *const *fs, size_t n)
{
    const struct scan *d = state;
    enum { CHUNK = 16 };
    uint64_t h[CHUNK];
    for (size_t at = 0; at < n; at += CHUNK) {
        size_t m = n - at < CHUNK ? n - at : CHUNK;
        for (size_t i = 0; i < m; i++) {
            const struct asc_flow *f = fs[at + i];
            h[i] = src_hash(&f->key.orig, proto_class(f->key.proto));
            size_t base = src_base(d, h[i]);
            __builtin_prefetch(&d->tags[base]);
            __builtin_prefetch(&d->age[base]);
        }
        for (size_t i = 0; i < m; i++) {
            uint64_t tag = src_tag(h[i]);
            size_t base = src_base(d, h[i]), v = SIZE_MAX;
            for (size_t w = base; w < base + WAYS && v == SIZE_MAX; w++)
                if ((d->tags[w] & ~(uint64_t)TAG_COLD) == tag)
                    v = w;
            if (v == SIZE_MAX && (v = src_victim(d, base)) == SIZE_MAX)
                continue;
            __builtin_prefetch(&d->t[v], 1);
            __builtin_prefetch((const char *)&d->t[v] + 64, 1);
            if (d->tags[v] & TAG_COLD)  /* its sets: to add to, or to free */
                __builtin_prefetch(&d->cold[v], 1);
        }
    }
}

/* ---- per packet: scanner fingerprints ----------------------------------- */

static int fingerprint(const struct asc_ipl *l)
{
    if (l->ipver == 4 && l->ip_id == 54321)
        return FP_ZMAP;
    if (l->ipver == 4) {
        uint32_t dst = (uint32_t)l->dst.b[0] << 24 | (uint32_t)l->dst.b[1] << 16 |
                       (uint32_t)l->dst.b[2] << 8 | l->dst.b[3];
        if (l->ip_id == (uint16_t)((dst ^ l->dport ^ l->tcp_seq) & 0xffff))
            return FP_MASSCAN;
    }
    /* nmap's raw SYN probes: one MSS option of 1460 and a window of 1024,
     * 2048, 3072 or 4096 */
    if ((l->tcp_win & 1023) == 0 && l->tcp_win >= 1024 && l->tcp_win <= 4096 &&
        l->tcp_optlen == 4 && l->tcp_mss == 1460)
        return FP_NMAP;
    return -1;
}

/* Evidence: every packet a flow's originator sends may be a probe; the
 * extract of a scanner holds its packets. */
static void note_evidence(const struct scan *d, const struct asc_pkt *p, const struct asc_flow *f)
{
    const struct asc_ipl *o = &p->ipl[0];
    if (f && asc_addr_eq(&o->src, &f->key.orig) && asc_addr_eq(&o->dst, &f->key.resp))
        d->ev->note(d->ev->ctx, ev_key(&f->key.orig, proto_class(f->key.proto)));
}

static void scan_on_pkt(void *state, const struct asc_pkt *p, const struct asc_flow *f)
{
    struct scan *d = state;
    if (p->n_ipl == 0)
        return;
    if (d->ev)
        note_evidence(d, p, f);
    const struct asc_ipl *l = &p->ipl[p->n_ipl - 1];
    if (l->proto != 6 || !l->l4_ok || (l->tcp_flags & (0x02 | 0x10)) != 0x02)
        return;
    /* Only a fingerprinted SYN takes a table entry; others count for a
     * source already held (its flows create it as they end). */
    int fp = fingerprint(l);
    struct ssrc *e = fp >= 0 ? src_get(d, &l->src, PC_TCP, p->ts) : src_find(d, &l->src, PC_TCP);
    if (!e) {
        if (fp >= 0)
            d->dropped++;
        return;
    }
    struct ssrc_cold *c = src_cold(d, e);
    c->n_syn++;
    if (fp >= 0)
        c->fp[fp]++;
}

/* Packets scan_on_pkt counts: SYNs without ACK; every packet when it
 * writes evidence extracts (detector.h: reading thread; d->ev is fixed
 * at init). */
static bool scan_pkt_wanted(const void *state, const struct asc_pkt *p, const struct asc_flow *f)
{
    const struct scan *d = state;
    (void)f;
    if (d->ev)
        return true;
    if (p->n_ipl == 0)
        return false;
    const struct asc_ipl *l = &p->ipl[p->n_ipl - 1];
    return l->proto == 6 && l->l4_ok && (l->tcp_flags & (0x02 | 0x10)) == 0x02;
}

/* ---- incidents ---------------------------------------------------------- */

static const char *vector_name(unsigned pc, int sh)
{
    static const char *const names[PC__COUNT][4] = {
        {"tcp.horizontal", "tcp.vertical", "tcp.block", "tcp.sweep"},
        {"udp.horizontal", "udp.vertical", "udp.block", "udp.sweep"},
        {"icmp.sweep", "icmp.sweep", "icmp.sweep", "icmp.sweep"},
    };
    return names[pc][sh - SH_HORIZ];
}

static const char *pick_fingerprint(const struct scan *d, const struct ssrc_cold *e)
{
    int best = -1;
    for (int i = 0; i < FP__COUNT; i++)
        if (e->fp[i] && (best < 0 || e->fp[i] > e->fp[best]))
            best = i;
    if (best < 0 || (double)e->fp[best] < d->prm.fp_share * (double)e->n_syn)
        return NULL;
    return fp_names[best];
}

/* Ports in the incident: by guaranteed host count (n - err), then by the
 * Space-Saving estimate n, then by port number. */
static bool port_before(const struct port_hosts *x, const struct port_hosts *y)
{
    uint32_t gx = x->n - x->err, gy = y->n - y->err;
    if (gx != gy)
        return gx > gy;
    if (x->n != y->n)
        return x->n > y->n;
    return x->port < y->port;
}

static void fill_ports(const struct ssrc_cold *e, struct asc_incident *inc)
{
    struct port_hosts ph[TOPN];
    size_t n = 0;
    for (size_t j = 0; j < e->n_ph; j++)
        ph[n++] = e->ph[j];
    for (size_t a = 1; a < n; a++)      /* most guaranteed hosts first, then port */
        for (size_t b = a; b > 0 && port_before(&ph[b], &ph[b - 1]); b--) {
            struct port_hosts t = ph[b];
            ph[b] = ph[b - 1];
            ph[b - 1] = t;
        }
    for (size_t j = 0; j < n && j < ASC_INC_PORTS; j++)
        inc->ports[inc->n_ports++] = ph[j].port;
    if (e->ports.n == 1 && n)
        inc->victim_port = ph[0].port;
}

static void emit_one(struct scan *d, struct ssrc *e, struct asc_emitter *out)
{
    const struct ssrc_cold *c = src_cold(d, e);   /* materialised when it alarmed */
    struct asc_incident inc = {0};
    char summary[200], a[ASC_ADDR_STRLEN], v[ASC_ADDR_STRLEN];
    int sh = shape(d, e, c);
    size_t at = 0;
    uint32_t mp = max_ports_on_host(c, &at);
    inc.type = ASC_INC_SCAN;
    inc.proto = e->pc == PC_TCP ? 6 : e->pc == PC_UDP ? 17 : 0;
    inc.vector = vector_name(e->pc, sh);
    inc.detector = "scan";
    inc.detector_version = SCAN_VERSION;
    inc.n_victims = c->hosts.n;
    if ((c->hosts.n == 1 || sh == SH_VERT) && c->n_hp)
        inc.victim = c->hp[at].a;
    if (e->pc != PC_ICMP)
        fill_ports(c, &inc);
    inc.start = e->first;
    inc.end = e->last;
    inc.pkts = e->pkts;
    inc.bytes = e->bytes;
    inc.flows = e->probes;
    double secs = fmax(1.0, (double)(e->last - e->first) / ASC_NS_PER_SEC);
    inc.mean_pps = (double)e->pkts / secs;
    inc.mean_bps = 8.0 * (double)e->bytes / secs;
    inc.fingerprint = pick_fingerprint(d, c);
    struct asc_srcset *ss = asc_srcset_new(4);
    asc_srcset_add(ss, d->g, &e->src, e->pkts, e->bytes, e->ttl,
                   e->answered ? ASC_EV_ANSWERED : ASC_EV_ONEWAY);
    asc_srcset_finish(ss, d->g, &inc);
    for (size_t i = 0; i < c->n_cid; i++)
        asc_community_id(&c->cid[i], 0, inc.cids[i], sizeof(inc.cids[i]));
    inc.n_cids = c->n_cid;
    inc.params = d->params;
    inc.n_params = d->n_params;
    inc.evidence_key = d->ev ? ev_key(&e->src, e->pc) : 0;
    double s = 3 + log10(fmax(1.0, (double)c->hosts.n * (double)c->ports.n)) +
               (inc.fingerprint ? 1 : 0) + (e->trw.state == SCAN_TRW_SCANNER ? 0.5 : 0);
    inc.severity = fmin(10, round(s * 10) / 10);
    asc_addr_str(&e->src, a, sizeof(a));
    if (sh == SH_VERT)
        snprintf(summary, sizeof(summary), "%s scanned %u ports of %s%s%s", a, mp,
                 asc_addr_str(&inc.victim, v, sizeof(v)), inc.fingerprint ? " with " : "",
                 inc.fingerprint ? inc.fingerprint : "");
    else
        snprintf(summary, sizeof(summary), "%s %s: %u hosts, %u ports%s%s", a, inc.vector,
                 c->hosts.n, c->ports.n, inc.fingerprint ? ", " : "",
                 inc.fingerprint ? inc.fingerprint : "");
    inc.summary = summary;
    out->emit(out->ctx, &inc);
    asc_srcset_free(ss);
}

static int cmp_src(const void *pa, const void *pb)
{
    const struct ssrc *a = *(const struct ssrc *const *)pa, *b = *(const struct ssrc *const *)pb;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    int c = asc_addr_cmp(&a->src, &b->src);
    return c ? c : (int)a->pc - (int)b->pc;
}

static void scan_on_tick(void *state, asc_time now, bool final, struct asc_emitter *out)
{
    struct scan *d = state;
    int64_t sec = now / ASC_NS_PER_SEC;
    if (!final && d->last_sweep != INT64_MIN && sec - d->last_sweep < SWEEP_EVERY)
        return;
    d->last_sweep = sec;
    asc_time idle = (asc_time)(d->prm.idle * 1e9);
    size_t n = d->nsets * WAYS, n_out = 0;
    struct ssrc **closing = NULL;
    for (size_t i = 0; i < n; i++) {
        struct ssrc *e = &d->t[i];
        if (!e->used)
            continue;
        bool gone = final || now - e->seen > idle;
        if (e->detected && gone) {
            if (!closing)
                closing = asc_xcalloc(n, sizeof(*closing));
            closing[n_out++] = e;
        } else if (gone) {
            src_drop(d, e);
        }
    }
    if (!n_out)
        return;
    qsort(closing, n_out, sizeof(*closing), cmp_src);
    for (size_t i = 0; i < n_out; i++) {
        emit_one(d, closing[i], out);
        src_drop(d, closing[i]);
    }
    free(closing);
}

static size_t scan_stats(const void *state, struct asc_det_stat *out)
{
    const struct scan *d = state;
    out[0] = (struct asc_det_stat){"src_capacity", d->nsets * WAYS, false};
    out[1] = (struct asc_det_stat){"src_evicted", d->evicted, false};
    out[2] = (struct asc_det_stat){"dropped", d->dropped, true};
    out[3] = (struct asc_det_stat){"max_targets", (uint64_t)d->prm.max_targets, false};
    out[4] = (struct asc_det_stat){"probes_past_max_targets", d->capped, true};
    return 5;
}

const struct asc_detector_ops asc_detector_scan = {
    .abi = ASC_DETECTOR_ABI,
    .name = "scan",
    .version = SCAN_VERSION,
    .wants = ASC_WANT_PKT | ASC_WANT_FLOW_END | ASC_WANT_TICK,
    .init = scan_init,
    .on_pkt = scan_on_pkt,
    .pkt_wanted = scan_pkt_wanted,
    .on_flow_end = scan_on_flow_end,
    .prefetch_flows = scan_prefetch_flows,
    .on_tick = scan_on_tick,
    .fini = scan_fini,
    .stats = scan_stats,
};
