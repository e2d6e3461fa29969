/*
 * detector.h - the detector interface and its registry.
 *
 * A detector is a static const struct asc_detector_ops listed in
 * src/detect/registry.c. The pipeline calls it on the single detection
 * thread, in data-time order:
 *   init()        once, before any input; reads its settings from env->conf
 *                 (asc_conf_num(conf, name, key, default)) and keeps
 *                 env->grader to grade sources (src/attrib/grade.h).
 *   on_pkt()      for every decoded frame, if wants & ASC_WANT_PKT. `p` is
 *                 borrowed for the duration of the call (its frame bytes,
 *                 p->data and tcp_opts, may be NULL: do not read them);
 *                 `f` is the flow so far of its innermost IP layer, a
 *                 partial view (flow_table.h), when the source can tell,
 *                 else NULL.
 *   pkt_wanted()  optional, with ASC_WANT_PKT: whether on_pkt could do
 *                 anything with this packet. Called on the reading thread
 *                 while the detector runs on the detection thread, so it
 *                 may read only settings fixed by init() and its arguments.
 *                 A packet no detector wants is not handed over; on_pkt
 *                 must then behave as if it had seen it (a no-op). Without
 *                 it every packet is handed over.
 *   on_flow_end() for every flow record leaving the flow table (or read from
 *                 a flow export), if wants & ASC_WANT_FLOW_END. Borrowed.
 *   prefetch_flows() optional: shown a run of up to 16 ended flows (the
 *                 borrowed records on_flow_end will get next, in order,
 *                 nothing else between them) before they are handed on one
 *                 by one; may only start loading what they will read. Not
 *                 called with --evidence.
 *   on_tick()     when data time crosses a second boundary, before the
 *                 first packet of the new second (now = that second), and
 *                 once at end of input (final = true, now = last timestamp
 *                 + 1 s, after every flow has ended); emits incidents. After
 *                 the final tick nothing may stay unreported.
 *   fini()        once; frees state. Must accept NULL.
 * Detectors never print or store; they emit through struct asc_emitter.
 *
 * Evidence extracts (optional): env->evidence is NULL unless the run
 * writes pcap extracts (`analyze --evidence DIR`, docs/evidence.md). Then a
 * detector calls, from on_pkt, note(key) for each packet it counts towards
 * a candidate incident (key: a nonzero number it picks per candidate,
 * e.g. a hash of victim and vector with a per-detector constant mixed in),
 * open(key, since) when an incident on that key is raised (its packets
 * noted at or after `since` are taken from the writer's look-back ring,
 * later ones as they are noted), and sets the emitted incident's
 * evidence_key to that key, which closes the extract.
 * stats() (optional) reports table capacities and what had to be dropped
 * or evicted, for run.detectors in the run record.
 */
#ifndef ASC_DETECTOR_H
#define ASC_DETECTOR_H

#include "model/flow.h"
#include "model/incident.h"
#include "model/pkt.h"

#define ASC_DETECTOR_ABI 4

enum { ASC_WANT_PKT = 1u << 0, ASC_WANT_FLOW_END = 1u << 1, ASC_WANT_TICK = 1u << 2 };

struct asc_conf;
struct asc_grader;

struct asc_evidence_hook {
    void *ctx;
    void (*note)(void *ctx, uint64_t key);
    void (*open)(void *ctx, uint64_t key, asc_time since);
};

/* One counter of a detector's bounded tables, for the run record. */
struct asc_det_stat {
    const char *name;            /* e.g. "dst_table_capacity", "dropped_pkts"; static */
    uint64_t value;
    bool is_drop;                /* a loss (shown in the report when nonzero) */
};
#define ASC_DET_STATS 8

/* What a detector gets at init; borrowed for the whole run. */
struct asc_det_env {
    struct asc_conf *conf;              /* settings (core/conf.h), may be NULL */
    const struct asc_grader *grader;    /* enrichment + hop counts for grades */
    const struct asc_evidence_hook *evidence;   /* pcap extracts, NULL when off */
};

struct asc_emitter {
    void *ctx;
    void (*emit)(void *ctx, const struct asc_incident *inc);   /* inc is borrowed */
};

struct asc_detector_ops {
    int abi;                     /* ASC_DETECTOR_ABI */
    const char *name;            /* key in config and in JSON output */
    const char *version;
    unsigned wants;              /* ASC_WANT_* */
    int (*init)(const struct asc_det_env *env, void **state, struct asc_err *err);
    void (*on_pkt)(void *state, const struct asc_pkt *p, const struct asc_flow *f);
    bool (*pkt_wanted)(const void *state, const struct asc_pkt *p, const struct asc_flow *f);
    void (*on_flow_end)(void *state, const struct asc_flow *f);
    /* Optional look-ahead: fs[0..n-1] are the next flows for on_flow_end,
     * in order and with nothing else between them; start loading what
     * they will read (software prefetch). Must not change any state. */
    void (*prefetch_flows)(const void *state, const struct asc_flow *const *fs, size_t n);
    void (*on_tick)(void *state, asc_time now, bool final, struct asc_emitter *out);
    void (*fini)(void *state);
    /* Optional: fills up to ASC_DET_STATS counters, returns how many. */
    size_t (*stats)(const void *state, struct asc_det_stat *out);
};

/* The registry: a NULL-terminated array of every built-in detector. */
extern const struct asc_detector_ops *const asc_detectors[];
const struct asc_detector_ops *asc_detector_find(const char *name);

#endif
