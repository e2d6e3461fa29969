/*
 * pipeline.c - drives one offline run: merged capture frames are decoded,
 * accounted in the flow table, and the flow records go to the detectors
 * and the sink. Collects the run summary on the way.
 *
 * Data time comes from the frames. Detectors get a tick each time data
 * time crosses a second boundary and once at the end.
 *
 * Frames are read and decoded in small batches whose flow-table lookups
 * are prefetched together (read_loop); each frame is then handled in
 * order exactly as if it had been read alone.
 *
 * Threads (DESIGN.md): with detectors on, `analyze` reads, decodes and
 * keeps the flow table on this thread and runs the detectors, grading,
 * enrichment, statistics of incidents and the sink on a detection thread
 * (detq.h). Everything a detector sees -- ended flows, packets with their
 * flow so far, ticks -- is written in order as a record and replayed
 * there in the same order, so results are byte-identical to a
 * single-threaded run (--threads 1, or --evidence, whose look-back ring
 * lives on the reading thread).
 *
 * Ended flows reach the detectors in runs of up to FLOW_BATCH when one of
 * them looks ahead (on the detection thread, or on this one without
 * --evidence; not for `flows`, which runs none): the run is shown
 * to the detectors' look-ahead (detector.h, prefetch_flows) so that their
 * table lookups overlap, then handled flow by flow. A packet or a tick
 * first finishes the run, so the order the detectors see is unchanged.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "app/detq.h"
#include "attrib/grade.h"
#include "core/conf.h"
#include "detect/detector.h"
#include "sink/evidence.h"
#include "source/flowin.h"
#include "report/stats.h"
#include "source/pcap_src.h"

#define FLOW_BATCH 16

struct run {
    const struct asc_pipe_conf *pc;
    struct asc_run_summary *sum;
    void *sink_state;
    int sink_rc;
    struct asc_topk *talkers;
    void *det_state[16];
    size_t n_det;
    struct asc_emitter emitter;
    unsigned det_wants;              /* union of the detectors' wants */
    struct asc_hoptab *hops;
    struct asc_grader grader;
    struct asc_fi *fi;                    /* flow exports and Zeek logs */
    struct asc_evd *evd;                  /* pcap extracts, NULL when off */
    struct asc_detq *q;                   /* to the detection thread, NULL = none */
    struct asc_pkt qpkt;                  /* a packet read back from q */
    bool lookahead;                       /* a running detector looks ahead: flows go through fs */
    size_t nfs;
    const struct asc_flow *fs[FLOW_BATCH];   /* ended flows not yet shown to the detectors: */
    struct asc_flow fb[FLOW_BATCH];       /* copies, or records of q's batch in hand */
};

/* Records to the detection thread (detq.h). */
enum { REC_FLOW = 1, REC_PKT, REC_PKT_FLOW, REC_TICK };
struct rec_tick {
    asc_time now;
    uint64_t final;
};
#define PKT_HEAD offsetof(struct asc_pkt, ipl)

/* Flows that were answered teach the hop-count table (grade.h) the
 * distance of both ends. */
static void learn_hops(struct asc_hoptab *t, const struct asc_flow *f)
{
    if (!asc_flow_verifies_orig(f) || f->tun)
        return;
    asc_hoptab_learn(t, &f->key.orig, f->dir[0].ttl_max);
    asc_hoptab_learn(t, &f->key.resp, f->dir[1].ttl_max);
}

/* The detection side of an ended flow: hop table, detectors, sink. */
static void flow_detect(struct run *r, const struct asc_flow *f)
{
    if (r->hops)
        learn_hops(r->hops, f);
    for (size_t i = 0; i < r->n_det; i++)
        if (r->det_state[i] && (asc_detectors[i]->wants & ASC_WANT_FLOW_END))
            asc_detectors[i]->on_flow_end(r->det_state[i], f);
    if (r->pc->sink && r->pc->sink->put_flow && !r->sink_rc)
        r->sink_rc = r->pc->sink->put_flow(r->sink_state, f);
}

/* The flows held in fs: the look-ahead over all of them, then each in turn. */
static void flows_run(struct run *r)
{
    size_t n = r->nfs;
    if (!n)
        return;
    for (size_t i = 0; i < r->n_det; i++)
        if (r->det_state[i] && asc_detectors[i]->prefetch_flows)
            asc_detectors[i]->prefetch_flows(r->det_state[i], r->fs, n);
    for (size_t i = 0; i < n; i++)
        flow_detect(r, r->fs[i]);
    r->nfs = 0;
}

/* An ended flow for the detectors: into the run (a copy, or f itself when
 * it stays valid until flows_run: a record of the detection queue's
 * batch), or straight there. */
static void flow_to_detect(struct run *r, const struct asc_flow *f, bool stays)
{
    if (!r->lookahead) {
        flow_detect(r, f);
        return;
    }
    if (!stays) {
        r->fb[r->nfs] = *f;
        f = &r->fb[r->nfs];
    }
    r->fs[r->nfs++] = f;
    if (r->nfs == FLOW_BATCH)
        flows_run(r);
}

/* An ended flow (flow table or flow input), on the reading thread: the
 * summary's counters here, the rest here or on the detection thread. */
static void on_flow(void *ctx, const struct asc_flow *f)
{
    struct run *r = ctx;
    struct asc_proto_count *pc = &r->sum->proto[f->key.proto];
    uint64_t pk = (uint64_t)f->dir[0].pkts + f->dir[1].pkts;
    uint64_t by = f->dir[0].ip_bytes + f->dir[1].ip_bytes;
    pc->flows++;
    pc->pkts += pk;
    pc->ip_bytes += by;
    r->sum->flows_emitted++;
    if (f->src_kind == ASC_SRC_ZEEK)
        asc_flowin_note_time(r->sum, f);
    if (r->talkers) {
        asc_topk_add(r->talkers, &f->key.orig, by, pk);
        asc_topk_add(r->talkers, &f->key.resp, by, pk);
    }
    if (r->q)
        memcpy(asc_detq_put(r->q, REC_FLOW, sizeof(*f)), f, sizeof(*f));
    else
        flow_to_detect(r, f, false);
}

static void brief(struct asc_run_summary *s, const struct asc_incident *inc)
{
    if (inc->type < ASC_INC__COUNT)
        s->incidents_by_type[inc->type]++;
    s->incidents = asc_xrealloc(s->incidents, s->n_incidents + 1, sizeof(*s->incidents));
    struct asc_inc_brief *b = &s->incidents[s->n_incidents++];
    memset(b, 0, sizeof(*b));
    b->type = inc->type;
    b->severity = inc->severity;
    snprintf(b->line, sizeof(b->line), "%s", inc->summary ? inc->summary : inc->vector);
    b->start = inc->start;
    b->end = inc->end;
    memcpy(b->grade_count, inc->grade_count, sizeof(b->grade_count));
    b->n_sources = inc->n_sources;
    for (size_t i = 0; i < inc->n_top && i < ASC_ARRAY_LEN(b->top); i++) {
        char a[ASC_ADDR_STRLEN];
        snprintf(b->top[i], sizeof(b->top[i]), "%s %s %s",
                 asc_addr_str(&inc->top[i].addr, a, sizeof(a)), asc_grade_name(inc->top[i].grade),
                 inc->top[i].cc[0] ? inc->top[i].cc : "--");
        b->n_top = i + 1;
    }
}

void asc_run_summary_free(struct asc_run_summary *s)
{
    free(s->incidents);
    s->incidents = NULL;
    s->n_incidents = 0;
}

static void on_incident(void *ctx, const struct asc_incident *in)
{
    struct run *r = ctx;
    struct asc_incident withfile;
    const struct asc_incident *inc = in;
    if (r->evd) {
        withfile = *in;
        withfile.evidence_file = asc_evd_finish(r->evd, in);
        inc = &withfile;
    }
    brief(r->sum, inc);
    if (r->pc->stats)
        asc_stats_incident(r->pc->stats, inc);
    if (r->pc->sink && r->pc->sink->put_incident && !r->sink_rc)
        r->sink_rc = r->pc->sink->put_incident(r->sink_state, inc);
}

static void on_input_error(void *ctx, const struct asc_err *e)
{
    (void)ctx;
    fprintf(stderr, "ascribe: %s\n", e->msg);
}

static void tick_run(struct run *r, asc_time now, bool final)
{
    flows_run(r);
    for (size_t i = 0; i < r->n_det; i++)
        if (r->det_state[i] && (asc_detectors[i]->wants & ASC_WANT_TICK))
            asc_detectors[i]->on_tick(r->det_state[i], now, final, &r->emitter);
}

static void tick(struct run *r, asc_time now, bool final)
{
    if (!r->q) {
        tick_run(r, now, final);
        return;
    }
    struct rec_tick t = {now, final};
    memcpy(asc_detq_put(r->q, REC_TICK, sizeof(t)), &t, sizeof(t));
}

static void detect_pkt(struct run *r, const struct asc_pkt *p, const struct asc_flow *f)
{
    flows_run(r);
    for (size_t i = 0; i < r->n_det; i++)
        if (r->det_state[i] && (asc_detectors[i]->wants & ASC_WANT_PKT))
            asc_detectors[i]->on_pkt(r->det_state[i], p, f);
}

/* Whether any per-packet detector could act on p (detector.h,
 * pkt_wanted; asked on this thread only when there is a detection one). */
static bool pkt_wanted(const struct run *r, const struct asc_pkt *p, const struct asc_flow *f)
{
    for (size_t i = 0; i < r->n_det; i++) {
        const struct asc_detector_ops *d = asc_detectors[i];
        if (!r->det_state[i] || !(d->wants & ASC_WANT_PKT))
            continue;
        if (!d->pkt_wanted || d->pkt_wanted(r->det_state[i], p, f))
            return true;
    }
    return false;
}

/* A packet for the per-packet detectors: its decoded layers (the frame's
 * bytes are not copied, so the borrowed pointers are cleared) and its
 * flow so far (f: the flow table's brief view, completed here). */
static void post_pkt(struct run *r, struct asc_flow_table *ft, const struct asc_pkt *p,
                     const struct asc_flow *f)
{
    if (!r->q) {
        detect_pkt(r, p, f ? asc_flow_table_current(ft) : NULL);
        return;
    }
    if (!pkt_wanted(r, p, f))
        return;
    if (f)
        f = asc_flow_table_current(ft);
    size_t nl = p->n_ipl < ASC_MAX_IPL ? p->n_ipl : ASC_MAX_IPL;
    size_t pl = PKT_HEAD + nl * sizeof(struct asc_ipl), fl = f ? sizeof(*f) : 0;
    unsigned char *o = asc_detq_put(r->q, f ? REC_PKT_FLOW : REC_PKT, ASC_ALIGN8(pl) + fl);
    if (f)
        memcpy(o, f, fl);
    memcpy(o + fl, p, pl);
}

/* The detection thread: replay one record. */
static void on_record(void *ctx, unsigned kind, const void *rec, size_t len)
{
    struct run *r = ctx;
    switch (kind) {
    case 0:             /* the queue's batch is done: its records go */
        flows_run(r);
        break;
    case REC_FLOW:
        flow_to_detect(r, rec, true);
        break;
    case REC_TICK: {
        const struct rec_tick *t = rec;
        tick_run(r, t->now, t->final != 0);
        break;
    }
    case REC_PKT:
    case REC_PKT_FLOW: {
        const struct asc_flow *f = kind == REC_PKT_FLOW ? rec : NULL;
        size_t fl = f ? sizeof(*f) : 0, pl = len - fl;
        if (pl > sizeof(r->qpkt))
            pl = sizeof(r->qpkt);
        memcpy(&r->qpkt, (const unsigned char *)rec + fl, pl);
        r->qpkt.data = NULL;
        for (unsigned i = 0; i < r->qpkt.n_ipl && i < ASC_MAX_IPL; i++)
            r->qpkt.ipl[i].tcp_opts = NULL;
        detect_pkt(r, &r->qpkt, f);
        break;
    }
    default:
        break;
    }
}

static size_t conf_size(struct asc_conf *cf, const char *key, double def)
{
    double v = asc_conf_num(cf, "evidence", key, def);
    return v < 0 || v > 1e12 ? 0 : (size_t)v;
}

/* Starts every detector not switched off with DETECTOR.enabled=0 (all
 * of them with --no-detect). */
static int detectors_init(struct run *r, struct asc_err *err)
{
    r->grader = (struct asc_grader){.enr = r->pc->enr, .hops = NULL};
    if (!r->pc->no_detect) {
        r->hops = asc_hoptab_new(1u << 16);
        r->grader.hops = r->hops;
    }
    struct asc_det_env env = {.conf = r->pc->conf, .grader = &r->grader};
    /* Read even without --evidence, so that the settings are never unknown. */
    struct asc_conf *cf = r->pc->conf;
    struct asc_evd_conf ec = {
        .dir = r->pc->evidence_dir,
        .packets = conf_size(cf, "packets", 100),
        .max_open = conf_size(cf, "max_open", 64),
        .ring_bytes = conf_size(cf, "ring_bytes", 16 << 20),
        .ring_pkts = conf_size(cf, "ring_packets", 65536),
    };
    if (r->pc->evidence_dir && !r->pc->no_detect) {
        r->evd = asc_evd_new(&ec, err);
        if (!r->evd)
            return ASC_EXIT_FATAL;
        env.evidence = asc_evd_hook(r->evd);
    }
    for (size_t i = 0; asc_detectors[i] && i < ASC_ARRAY_LEN(r->det_state); i++) {
        r->n_det = i + 1;
        const struct asc_detector_ops *d = asc_detectors[i];
        if (r->pc->no_detect || !asc_conf_num(r->pc->conf, d->name, "enabled", 1))
            continue;
        int rc = d->init(&env, &r->det_state[i], err);
        if (rc)
            return rc;
        r->det_wants |= d->wants;
        /* Not with --evidence: its look-back ring is fed frame by frame. */
        r->lookahead |= d->prefetch_flows && !r->evd;
    }
    return asc_conf_unused(r->pc->conf, err);
}

/* Each running detector's capacities and losses, for the run record. */
static void det_stats(const struct run *r, struct asc_run_summary *s)
{
    for (size_t i = 0; i < r->n_det && s->n_det < ASC_ARRAY_LEN(s->det); i++) {
        const struct asc_detector_ops *d = asc_detectors[i];
        if (!r->det_state[i])
            continue;
        struct asc_det_summary *o = &s->det[s->n_det++];
        o->name = d->name;
        if (!d->stats)
            continue;
        struct asc_det_stat st[ASC_DET_STATS];
        size_t n = d->stats(r->det_state[i], st);
        for (size_t j = 0; j < n && j < ASC_ARRAY_LEN(o->st); j++) {
            o->st[j].name = st[j].name;
            o->st[j].value = st[j].value;
            o->st[j].is_drop = st[j].is_drop;
            o->n = j + 1;
        }
    }
}

/* A detection thread when detectors run, threads allow it and there is a
 * second CPU; not with --evidence (its ring sees frames on this thread). */
static bool use_thread(const struct run *r)
{
    unsigned n = r->pc->threads;
    if (n == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n = cpus > 1 ? 2 : 1;
    }
    return n > 1 && r->det_wants && !r->evd;
}

static void note_linktype(struct asc_run_summary *s, int dlt)
{
    for (size_t i = 0; i < ASC_ARRAY_LEN(s->linktypes); i++) {
        if (s->linktypes[i][1] && s->linktypes[i][0] == (uint64_t)dlt) {
            s->linktypes[i][1]++;
            return;
        }
        if (!s->linktypes[i][1]) {
            s->linktypes[i][0] = (uint64_t)dlt;
            s->linktypes[i][1] = 1;
            return;
        }
    }
}

/* Frames read, decoded and hinted at once (asc_flow_table_hint): the
 * flow-table lookups of a batch then miss the cache together. */
#define READ_BATCH 16

struct batch {
    struct asc_frame fr[READ_BATCH];
    struct asc_pkt pkt[READ_BATCH];
    struct asc_flow_hint hint[READ_BATCH];
};

/* One frame, decoded, through the summary, the flow inputs, the flow table
 * and the per-packet detectors. */
static void frame_run(struct run *r, struct asc_flow_table *ft, const struct asc_frame *fr,
                      struct asc_pkt *pkt, const struct asc_flow_hint *hint, int64_t *last_sec)
{
    struct asc_run_summary *s = r->sum;
    if (s->frames == 0)
        s->first = fr->ts;
    if (fr->ts > s->last)
        s->last = fr->ts;
    s->frames++;
    s->wire_bytes += fr->wirelen;
    s->cap_bytes += fr->caplen;
    note_linktype(s, fr->linktype);
    if (r->pc->stats)
        asc_stats_frame(r->pc->stats, fr->ts, fr->wirelen);
    int64_t sec = fr->ts / ASC_NS_PER_SEC;
    if (sec > *last_sec) {
        asc_fi_advance(r->fi, fr->ts);
        if (*last_sec != INT64_MIN)
            tick(r, sec * ASC_NS_PER_SEC, false);
        *last_sec = sec;
    }
    s->dec_status[pkt->status < ASC_DEC__COUNT ? pkt->status : ASC_DEC_INVALID]++;
    if (pkt->status != ASC_DEC_OK && pkt->reason < ASC_DR__COUNT)
        s->dec_reason[pkt->reason]++;
    if (!asc_fi_frame(r->fi, pkt)) {   /* export datagrams become records */
        if (r->evd)
            asc_evd_frame(r->evd, fr);
        const struct asc_flow *f = asc_flow_table_pkt_hinted(ft, pkt, hint);
        if (r->det_wants & ASC_WANT_PKT)
            post_pkt(r, ft, pkt, f);
    }
}

/* Frames come in batches (asc_merge_next_batch: all valid together, so the
 * decoded packets' borrowed pointers hold until the batch is done). Each
 * batch is decoded first (decoding depends on the frame only), its flow
 * keys hinted to the flow table, then every frame runs in order exactly
 * as if it had been read alone. */
static void read_loop(struct run *r, struct asc_merge *m, struct asc_flow_table *ft)
{
    struct asc_run_summary *s = r->sum;
    struct batch *b = asc_xcalloc(1, sizeof(*b));
    struct asc_progress *prog = r->pc->progress ? asc_progress_new(asc_merge_size(m)) : NULL;
    int64_t last_sec = INT64_MIN;
    size_t n;
    while ((n = asc_merge_next_batch(m, b->fr, READ_BATCH, on_input_error, r)) > 0) {
        for (size_t i = 0; i < n; i++) {
            const struct asc_frame *fr = &b->fr[i];
            asc_decode(&b->pkt[i], fr->linktype, fr->data, fr->caplen, fr->wirelen, fr->ts);
        }
        /* A pass of its own: hinting right after decoding would read the
         * addresses back while the decoder's stores are still pending. */
        for (size_t i = 0; i < n; i++)
            asc_flow_table_hint(ft, &b->pkt[i], &b->hint[i]);
        asc_flow_table_hint_nodes(ft, b->hint, n);
        for (size_t i = 0; i < n; i++) {
            frame_run(r, ft, &b->fr[i], &b->pkt[i], &b->hint[i], &last_sec);
            if (prog && (s->frames & 4095) == 0)
                asc_progress_update(prog, asc_merge_offset(m), s->frames);
        }
    }
    if (prog)
        asc_progress_done(prog);
    free(b);
}

int asc_pipeline_run(const struct asc_pipe_conf *pc, struct asc_run_summary *sum,
                     struct asc_err *err)
{
    struct run r = {.pc = pc, .sum = sum};
    struct asc_merge *m = NULL;
    struct asc_flow_table *ft = NULL;
    struct asc_inputs in = {0};
    int rc = ASC_EXIT_FATAL;
    memset(sum, 0, sizeof(*sum));
    sum->inputs = pc->inputs;
    sum->n_inputs = pc->n_inputs;
    sum->enr = pc->enr;
    r.emitter = (struct asc_emitter){.ctx = &r, .emit = on_incident};
    r.talkers = pc->no_talkers ? NULL : asc_topk_new_filtered(1024);
    asc_inputs_split(pc->inputs, pc->n_inputs, &in);
    r.fi = asc_flowin_new(pc, on_flow, &r, err);
    if (!r.fi)
        goto cleanup;
    if (asc_merge_open(in.caps, in.n_caps, &m, err) != 0)
        goto cleanup;
    if (pc->sink && pc->sink->open(&pc->sink_conf, &r.sink_state, err) != 0)
        goto cleanup;
    if (detectors_init(&r, err) != 0)
        goto cleanup;
    ft = asc_flow_table_new(&pc->flow, on_flow, &r);
    if (!ft) {
        asc_err_set(err, ASC_EINVAL, "bad flow table configuration");
        goto cleanup;
    }
    asc_flow_table_want_current(ft, (r.det_wants & ASC_WANT_PKT) != 0);
    if (use_thread(&r) && !(r.q = asc_detq_new(1u << 18, 8, on_record, &r, err)))
        goto cleanup;
    if (asc_inputs_read_logs(&in, r.fi, err) != 0)
        goto cleanup;
    read_loop(&r, m, ft);
    asc_fi_flush(r.fi);
    asc_flow_table_flush(ft);
    tick(&r, sum->last + ASC_NS_PER_SEC, true);
    asc_detq_free(r.q, NULL);    /* waits for the detection thread */
    r.q = NULL;
    asc_flow_table_stats(ft, &sum->flow);
    det_stats(&r, sum);
    sum->inputs_damaged = asc_merge_damaged(m);
    sum->flowin = *asc_fi_stats(r.fi);
    sum->n_talkers = r.talkers ? asc_topk_list(r.talkers, sum->talkers, ASC_SUM_TOP) : 0;
    sum->n_dst = asc_flow_table_top_dst(ft, sum->dst, ASC_SUM_TOP);
    struct asc_jsonw sw;
    asc_jw_init(&sw);
    if (pc->stats) {
        asc_stats_finish(pc->stats, sum->first, sum->last);
        asc_stats_json(pc->stats, &sw);
        sum->statistics_json = sw.buf;
        sum->statistics_len = sw.len;
    }
    if (pc->sink && pc->sink->put_summary && !r.sink_rc)
        r.sink_rc = pc->sink->put_summary(r.sink_state, sum);
    sum->statistics_json = NULL;
    sum->statistics_len = 0;
    asc_jw_fini(&sw);
    rc = sum->inputs_damaged ? ASC_EXIT_DAMAGED : ASC_EXIT_OK;
cleanup:
    asc_detq_free(r.q, NULL);
    flows_run(&r); /* a run stopped by an error (a Zeek log unreadable) may hold a few */
    if (r.sink_state) {
        struct asc_err cerr = {0};
        if (pc->sink->close(r.sink_state, &cerr) != 0 || r.sink_rc) {
            asc_err_set(err, ASC_EIO, "%s", cerr.msg[0] ? cerr.msg : "write error on output");
            rc = ASC_EXIT_FATAL;
        }
    }
    if (r.evd && asc_evd_close(r.evd, err) != 0)
        rc = ASC_EXIT_FATAL;
    asc_evd_free(r.evd);
    for (size_t i = 0; i < r.n_det; i++)
        asc_detectors[i]->fini(r.det_state[i]);
    asc_hoptab_free(r.hops);
    asc_flow_table_free(ft);
    asc_merge_close(m);
    asc_fi_free(r.fi);
    asc_inputs_fini(&in);
    asc_topk_free(r.talkers);
    return rc;
}
