/*
 * flow_table.h - bidirectional flow table: packets in, flow records out.
 *
 * Third stage of the pipeline (source -> decode -> flow table -> records).
 * Every IP layer of a decoded frame is accounted to its own flow (an outer
 * VXLAN UDP flow and the inner flow it carries). Flows expire on a timer
 * wheel driven by data time (per-protocol idle timeouts and an active
 * timeout), and are flushed at the end of input. The table has a hard cap:
 * when it is full the flow nearest to expiry is evicted (emitted early,
 * marked ASC_END_EVICTED) and counted, and per-destination counters keep a
 * random-source flood visible although its flows cannot all be kept.
 *
 * Emitted records are passed to the emit callback, borrowed for the call.
 * Emission order is deterministic for a given input.
 */
#ifndef ASC_FLOW_TABLE_H
#define ASC_FLOW_TABLE_H

#include "model/flow.h"
#include "model/pkt.h"

struct asc_flow_conf {
    size_t max_flows;           /* hard cap on live flows (>= 16) */
    asc_time tcp_idle;          /* established or midstream TCP */
    asc_time tcp_init_idle;     /* TCP with no answer yet (S0-like) */
    asc_time tcp_closed_idle;   /* after FIN both ways or RST: linger */
    asc_time udp_idle;
    asc_time icmp_idle;
    asc_time other_idle;
    asc_time active;            /* active timeout; 0 disables */
};
/* Defaults: 300 s TCP, 60 s TCP unanswered, 5 s after close, 60 s UDP/ICMP/
 * other, 1800 s active, 1M flows. */
void asc_flow_conf_default(struct asc_flow_conf *cf);

typedef void (*asc_flow_emit_fn)(void *ctx, const struct asc_flow *f);

struct asc_flow_stats {
    uint64_t created, emitted, evicted;
    uint64_t live, peak_live;
    uint64_t reused;            /* new SYN on a closed connection */
    uint64_t frag_later;        /* non-first fragments accounted */
    uint64_t frag_orphan;       /* non-first fragments without their first */
    uint64_t layers;            /* IP layers accounted */
    size_t mem_bytes;           /* memory held by the table */
};

/* Per-destination counters kept beside the flows (see header comment). */
struct asc_dst_count {
    struct asc_addr addr;
    uint64_t flows;             /* flows created towards it */
    uint64_t evicted_flows;     /* of which evicted under pressure */
    uint64_t evicted_pkts;
    uint64_t evicted_bytes;
};

struct asc_flow_table;

/* Returns NULL on a bad configuration (cap < 16). Free with _free(). */
struct asc_flow_table *asc_flow_table_new(const struct asc_flow_conf *cf, asc_flow_emit_fn emit,
                                          void *ctx);
void asc_flow_table_free(struct asc_flow_table *t);

/* Account a decoded frame (all its IP layers). Frames must come in
 * non-decreasing time; a frame older than the table's clock is accounted
 * at the clock (and counted). Expires what is due first. Returns the flow
 * of the innermost IP layer (valid until the next call) when
 * asc_flow_table_want_current is on, else NULL. */
const struct asc_flow *asc_flow_table_pkt(struct asc_flow_table *t, const struct asc_pkt *p);
/* Batches (the pipeline's read loop): before a batch of decoded frames is
 * accounted in order, asc_flow_table_hint on each frame computes its
 * layers' key hashes and prefetches their hash buckets, then
 * asc_flow_table_hint_nodes on the batch's hints loads the flow nodes
 * those buckets point at (the first ASC_HINT_NODES_MAX layers), so that
 * the cache misses of the batch overlap. Only
 * hints: neither changes the table or what asc_flow_table_pkt does, and a
 * hint that went stale (the table changed in between) costs nothing but
 * the wasted loads. */
#define ASC_HINT_NODES_MAX 64     /* a 16-frame batch of ASC_MAX_IPL layers each */
struct asc_flow_hint {
    unsigned n;                 /* layers hashed */
    uint64_t h[ASC_MAX_IPL];
    struct asc_flow_key k[ASC_MAX_IPL]; /* the keys they hash, as seen on the wire */
};
void asc_flow_table_hint(const struct asc_flow_table *t, const struct asc_pkt *p,
                         struct asc_flow_hint *hint);
void asc_flow_table_hint_nodes(const struct asc_flow_table *t, const struct asc_flow_hint *hint,
                               size_t n);
/* asc_flow_table_pkt with the keys and hashes of asc_flow_table_hint(t, p,
 * hint) (not computed again); the same result. NULL hint: asc_flow_table_pkt. */
const struct asc_flow *asc_flow_table_pkt_hinted(struct asc_flow_table *t,
                                                 const struct asc_pkt *p,
                                                 const struct asc_flow_hint *hint);
/* Make asc_flow_table_pkt return the flow so far, for per-packet detectors.
 * It returns a brief view rebuilt from the table's compact node: key, first
 * and per-direction pkts (what pkt_wanted filters read, detector.h).
 * asc_flow_table_current() then completes it, until the next packet: last,
 * per direction frames, tcp_flags and TTLs, flags, tun, history and seq.
 * Byte counters, state, end and the SYN options read 0 (they are filled
 * only in the record emitted when the flow ends); src_kind is PCAP and
 * sampling 1. Off by default. */
void asc_flow_table_want_current(struct asc_flow_table *t, bool on);
/* The complete per-packet view of the last packet's flow (see above), or
 * NULL when asc_flow_table_pkt returned NULL. */
const struct asc_flow *asc_flow_table_current(struct asc_flow_table *t);
/* Advance data time without a packet (emits expired flows). */
void asc_flow_table_advance(struct asc_flow_table *t, asc_time now);
/* End of input: emit every live flow (end = ASC_END_EOF) in creation order. */
void asc_flow_table_flush(struct asc_flow_table *t);

void asc_flow_table_stats(const struct asc_flow_table *t, struct asc_flow_stats *out);
/* Copy up to n destinations with the most created flows, descending
 * (ties by address). Returns how many were copied. */
size_t asc_flow_table_top_dst(const struct asc_flow_table *t, struct asc_dst_count *out, size_t n);

/* ICMP "ports" per Zeek and Community ID: type and counterpart type (or
 * code for one-way messages). Sets *one_way. v6 selects ICMPv6. */
void asc_icmp_ports(bool v6, uint8_t type, uint8_t code, uint16_t *sport, uint16_t *dport,
                    bool *one_way);

#endif
