/*
 * evidence.c - pcap extracts of incidents (see evidence.h). Pipeline
 * position: beside the sinks; fed each frame by the pipeline, tagged by
 * the detectors, closed when an incident is emitted.
 *
 * The look-back ring keeps the most recent frames (bytes in a circular
 * buffer, metadata and up to TAGS detector keys per frame), so that the
 * packets an incident counted before its alarm can still go into its
 * extract. An open extract streams to DIR/.ascribe-evd-N.pcap; on emit it
 * is renamed to its stable name, TYPE-VECTOR-WHO-START.pcap.
 */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sink/evidence.h"

#define TAGS 4
#define SNAPLEN 262144
#define MAX_NAMES (1u << 16) /* distinct extract names per run */

struct ring_ent {
    asc_time ts;
    uint32_t caplen, wirelen;
    size_t off;
    int linktype;
    uint8_t n_tag;
    uint64_t tag[TAGS];
};

struct extract {
    uint64_t key; /* 0 = free slot */
    uint64_t seq;
    int linktype;
    size_t n;  /* frames written */
    bool full; /* reached `packets` (or failed): takes no more */
    pcap_t *dead;
    pcap_dumper_t *dump; /* NULL once full or closed */
};

struct asc_evd {
    struct asc_evd_conf cf;
    struct asc_evidence_hook hook;
    uint8_t *buf;
    struct ring_ent *ring;
    size_t head, count; /* oldest entry, entries held */
    size_t wpos;        /* next byte to write */
    const struct asc_frame *cur;
    struct ring_ent *cur_ent; /* the current frame's ring entry, NULL if not kept */
    struct extract *x;        /* max_open slots */
    size_t n_open;
    uint64_t seq, written, skipped;
    uint64_t *names; /* hashes of the names given, open addressing */
    size_t n_names;
    char name[256];
    char path[4096];
    int werr; /* first write error (errno) */
};

struct asc_evd *asc_evd_new(const struct asc_evd_conf *cf, struct asc_err *err)
{
    if (mkdir(cf->dir, 0777) != 0 && errno != EEXIST) {
        asc_err_set(err, ASC_EIO, "--evidence %s: %s", cf->dir, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (stat(cf->dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(cf->dir, W_OK | X_OK) != 0) {
        asc_err_set(err, ASC_EIO, "--evidence %s: not a writable directory", cf->dir);
        return NULL;
    }
    if (!cf->packets || cf->packets > 1000000 || !cf->max_open || cf->max_open > 4096 ||
        cf->ring_pkts > (1u << 24) || cf->ring_bytes > (1ull << 32)) {
        asc_err_set(err, ASC_EINVAL, "evidence: packets, max_open or ring_packets out of range");
        return NULL;
    }
    struct asc_evd *e = asc_xcalloc(1, sizeof(*e));
    e->cf = *cf;
    if (cf->ring_pkts && cf->ring_bytes) {
        e->buf = asc_xcalloc(cf->ring_bytes, 1);
        e->ring = asc_xcalloc(cf->ring_pkts, sizeof(*e->ring));
    }
    e->x = asc_xcalloc(cf->max_open, sizeof(*e->x));
    e->names = asc_xcalloc(MAX_NAMES * 2, sizeof(*e->names));
    return e;
}

/* ---- the look-back ring ------------------------------------------------ */

static void ring_pop(struct asc_evd *e)
{
    e->head = (e->head + 1) % e->cf.ring_pkts;
    e->count--;
}

static struct ring_ent *ring_push(struct asc_evd *e, const struct asc_frame *fr)
{
    size_t n = fr->caplen;
    if (!e->ring || n > e->cf.ring_bytes / 4)
        return NULL;
    if (e->wpos + n > e->cf.ring_bytes)
        e->wpos = 0;
    /* Free the oldest entries whose bytes the new frame overwrites. */
    while (e->count) {
        const struct ring_ent *o = &e->ring[e->head];
        bool overlap = o->off < e->wpos + n && e->wpos < o->off + o->caplen;
        if (!overlap && e->count < e->cf.ring_pkts)
            break;
        ring_pop(e);
    }
    struct ring_ent *r = &e->ring[(e->head + e->count) % e->cf.ring_pkts];
    e->count++;
    *r = (struct ring_ent){fr->ts, fr->caplen, fr->wirelen, e->wpos, fr->linktype, 0, {0}};
    memcpy(e->buf + e->wpos, fr->data, n);
    e->wpos += n;
    return r;
}

void asc_evd_frame(struct asc_evd *e, const struct asc_frame *fr)
{
    e->cur = fr;
    e->cur_ent = ring_push(e, fr);
}

/* ---- extracts ------------------------------------------------------------ */

static struct extract *find(struct asc_evd *e, uint64_t key)
{
    for (size_t i = 0; i < e->cf.max_open; i++)
        if (e->x[i].key == key)
            return &e->x[i];
    return NULL;
}

static void tmp_path(struct asc_evd *e, uint64_t seq)
{
    snprintf(e->path, sizeof(e->path), "%s/.ascribe-evd-%" PRIu64 ".pcap", e->cf.dir, seq);
}

/* Closes the dumper of x; a write error is kept for asc_evd_close. */
static void x_close(struct asc_evd *e, struct extract *x)
{
    if (x->dump) {
        if (pcap_dump_flush(x->dump) != 0 || ferror(pcap_dump_file(x->dump)))
            if (!e->werr)
                e->werr = errno ? errno : EIO;
        pcap_dump_close(x->dump);
        x->dump = NULL;
    }
    if (x->dead)
        pcap_close(x->dead);
    x->dead = NULL;
}

/* The extract's stream, opened at its first frame so that an incident
 * without packets (flow-export input) gets no file. */
static bool x_stream(struct asc_evd *e, struct extract *x, int linktype)
{
    if (x->dump)
        return linktype == x->linktype;
    if (x->full)
        return false;
    x->linktype = linktype;
    tmp_path(e, x->seq);
    x->dead = pcap_open_dead_with_tstamp_precision(linktype, SNAPLEN, PCAP_TSTAMP_PRECISION_NANO);
    x->dump = x->dead ? pcap_dump_open(x->dead, e->path) : NULL;
    if (!x->dump) {
        if (!e->werr)
            e->werr = errno ? errno : EIO;
        x->full = true;
        return false;
    }
    return true;
}

static void put(struct asc_evd *e, struct extract *x, asc_time ts, uint32_t caplen,
                uint32_t wirelen, int linktype, const uint8_t *data)
{
    if (!x_stream(e, x, linktype))
        return;
    struct pcap_pkthdr h = {0};
    h.ts.tv_sec = (time_t)(ts / ASC_NS_PER_SEC);
    h.ts.tv_usec = (suseconds_t)(ts % ASC_NS_PER_SEC); /* nanoseconds: see x_stream */
    h.caplen = caplen > SNAPLEN ? SNAPLEN : caplen;
    h.len = wirelen < h.caplen ? h.caplen : wirelen;
    pcap_dump((u_char *)x->dump, &h, data);
    if (++x->n >= e->cf.packets) {
        x->full = true;
        x_close(e, x); /* free the stream, keep the slot until emit */
    }
}

static bool tagged(const struct ring_ent *r, uint64_t key)
{
    for (unsigned i = 0; i < r->n_tag; i++)
        if (r->tag[i] == key)
            return true;
    return false;
}

static void evd_note(void *ctx, uint64_t key)
{
    struct asc_evd *e = ctx;
    if (!key || !e->cur)
        return;
    struct ring_ent *r = e->cur_ent;
    if (r && r->n_tag < TAGS && !tagged(r, key))
        r->tag[r->n_tag++] = key;
    if (!e->n_open)
        return;
    struct extract *x = find(e, key);
    if (x)
        put(e, x, e->cur->ts, e->cur->caplen, e->cur->wirelen, e->cur->linktype, e->cur->data);
}

static void evd_open(void *ctx, uint64_t key, asc_time since)
{
    struct asc_evd *e = ctx;
    if (!key || find(e, key))
        return;
    struct extract *x = find(e, 0);
    if (!x) {
        e->skipped++;
        return;
    }
    *x = (struct extract){.key = key, .seq = ++e->seq};
    e->n_open++;
    for (size_t i = 0; i < e->count && !x->full; i++) {
        const struct ring_ent *r = &e->ring[(e->head + i) % e->cf.ring_pkts];
        if (r->ts >= since && tagged(r, key))
            put(e, x, r->ts, r->caplen, r->wirelen, r->linktype, e->buf + r->off);
    }
}

const struct asc_evidence_hook *asc_evd_hook(struct asc_evd *e)
{
    e->hook = (struct asc_evidence_hook){.ctx = e, .note = evd_note, .open = evd_open};
    return &e->hook;
}

/* ---- naming -------------------------------------------------------------- */

static void clean(char *s)
{
    for (; *s; s++)
        if (*s == ':')
            *s = '_';
        else if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                   (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '_'))
            *s = '_';
}

/* Whether the name (by hash) was given before in this run; records it. */
static bool name_taken(struct asc_evd *e, const char *name)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = name; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ull;
    h |= 1;
    size_t mask = MAX_NAMES * 2 - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        if (e->names[i] == h)
            return true;
        if (!e->names[i]) {
            if (e->n_names >= MAX_NAMES)
                return true;
            e->names[i] = h;
            e->n_names++;
            return false;
        }
    }
}

/* TYPE-VECTOR-WHO-START.pcap; WHO is the victim, or "from-SOURCE" for an
 * incident on many hosts; -2, -3, ... when a name repeats. */
static bool make_name(struct asc_evd *e, const struct asc_incident *inc)
{
    char who[ASC_ADDR_STRLEN + 8] = "many", a[ASC_ADDR_STRLEN];
    if (inc->victim.family != ASC_AF_NONE)
        snprintf(who, sizeof(who), "%s", asc_addr_str(&inc->victim, a, sizeof(a)));
    else if (inc->n_top)
        snprintf(who, sizeof(who), "from-%s", asc_addr_str(&inc->top[0].addr, a, sizeof(a)));
    char base[200];
    snprintf(base, sizeof(base), "%s-%s-%s-%lld", asc_inc_type_name(inc->type),
             inc->vector ? inc->vector : "none", who, (long long)(inc->start / ASC_NS_PER_SEC));
    clean(base);
    for (unsigned k = 1; k < 1000; k++) {
        if (k == 1)
            snprintf(e->name, sizeof(e->name), "%s.pcap", base);
        else
            snprintf(e->name, sizeof(e->name), "%s-%u.pcap", base, k);
        if (!name_taken(e, e->name))
            return true;
    }
    return false;
}

const char *asc_evd_finish(struct asc_evd *e, const struct asc_incident *inc)
{
    if (!inc->evidence_key)
        return NULL;
    struct extract *x = find(e, inc->evidence_key);
    if (!x)
        return NULL;
    x_close(e, x);
    tmp_path(e, x->seq);
    char tmp[sizeof(e->path)];
    memcpy(tmp, e->path, sizeof(tmp));
    bool any = x->n > 0;
    x->key = 0;
    e->n_open--;
    if (!any)
        return NULL;
    if (!make_name(e, inc)) {
        unlink(tmp);
        e->skipped++;
        return NULL;
    }
    snprintf(e->path, sizeof(e->path), "%s/%s", e->cf.dir, e->name);
    if (rename(tmp, e->path) != 0) {
        if (!e->werr)
            e->werr = errno;
        unlink(tmp);
        return NULL;
    }
    e->written++;
    return e->name;
}

uint64_t asc_evd_written(const struct asc_evd *e)
{
    return e ? e->written : 0;
}

uint64_t asc_evd_skipped(const struct asc_evd *e)
{
    return e ? e->skipped : 0;
}

int asc_evd_close(struct asc_evd *e, struct asc_err *err)
{
    if (!e)
        return 0;
    for (size_t i = 0; i < e->cf.max_open; i++) {
        struct extract *x = &e->x[i];
        if (!x->key)
            continue;
        x_close(e, x);
        tmp_path(e, x->seq);
        unlink(e->path);
        x->key = 0;
    }
    e->n_open = 0;
    if (e->werr)
        return asc_err_set(err, ASC_EIO, "writing evidence to %s: %s", e->cf.dir,
                           strerror(e->werr));
    return 0;
}

void asc_evd_free(struct asc_evd *e)
{
    if (!e)
        return;
    struct asc_err err = {0};
    asc_evd_close(e, &err);
    free(e->buf);
    free(e->ring);
    free(e->x);
    free(e->names);
    free(e);
}
