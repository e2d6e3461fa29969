/*
 * flowin.h - flow-export input: NetFlow v5, NetFlow v9, IPFIX and sFlow v5
 * datagrams to struct asc_flow records.
 *
 * Sits in the source stage but produces flow records, which enter the
 * pipeline where the flow table's records do (DESIGN.md: "NetFlow / IPFIX /
 * sFlow / Zeek records enter here"). Datagrams come from export captures
 * (a UDP payload in a pcap, found by asc_fi_frame) or from the live
 * collector's sockets (asc_fi_datagram).
 *
 * State is kept per exporter (address + source id / observation domain):
 * templates with a lifetime, sampling rates from options records, and data
 * sets that arrived before their template (held briefly, then dropped and
 * counted). One-way records are stitched into bidirectional flows when the
 * reverse record arrives within the stitch window. Every limit is a cap
 * with a counter (model/flowin_stats.h); malformed input is never fatal.
 *
 * Time is data time: the capture timestamp of the datagram (or its arrival
 * time for the live collector). Emitted records are borrowed for the call.
 */
#ifndef ASC_FLOWIN_H
#define ASC_FLOWIN_H

#include "model/flow.h"
#include "model/flowin_stats.h"
#include "model/pkt.h"

enum asc_fi_proto { ASC_FIP_NONE = 0, ASC_FIP_NF5, ASC_FIP_NF9, ASC_FIP_IPFIX, ASC_FIP_SFLOW };

struct asc_fi_conf {
    size_t max_exporters;       /* exporters (address + domain) kept; more are refused */
    size_t max_templates;       /* templates per exporter */
    asc_time template_ttl;      /* a template not refreshed for this long is dropped */
    size_t max_held;            /* data sets held for a missing template */
    size_t max_held_bytes;      /* bytes held over all those sets */
    asc_time hold_time;         /* how long a set waits for its template */
    bool stitch;                /* join one-way records into bidirectional flows */
    asc_time stitch_window;     /* how long a one-way record waits for its reverse */
    asc_time stitch_slack;      /* allowed gap between the two directions' times */
    size_t max_stitch;          /* one-way records waiting at once */
};
/* Defaults: 4096 exporters, 512 templates each, 1800 s lifetime, 256 held
 * sets / 4 MiB for 120 s, stitching on with a 30 s window, 5 s slack and
 * 262144 waiting records. */
void asc_fi_conf_default(struct asc_fi_conf *cf);

typedef void (*asc_fi_emit_fn)(void *ctx, const struct asc_flow *f);

struct asc_fi;

/* Returns a new decoder state; free with asc_fi_free(). emit receives every
 * record (borrowed for the call: a stitched-out record is read from a slot
 * already freed, so emit must not call back into this asc_fi). */
struct asc_fi *asc_fi_new(const struct asc_fi_conf *cf, asc_fi_emit_fn emit, void *ctx);
void asc_fi_free(struct asc_fi *fi);

/* Which export protocol a UDP payload is, by header sanity (and the port:
 * on a well-known export port the check is lighter). ASC_FIP_NONE if none. */
enum asc_fi_proto asc_fi_sniff(const uint8_t *p, size_t len, uint16_t dport);

/* Decode one export datagram from `exporter` received at `ts`. `kind` may
 * be ASC_FIP_NONE to sniff. Returns the protocol decoded, or ASC_FIP_NONE
 * if the datagram was not a recognisable export (counted). */
enum asc_fi_proto asc_fi_datagram(struct asc_fi *fi, const struct asc_addr *exporter,
                                  asc_time ts, const uint8_t *p, size_t len,
                                  enum asc_fi_proto kind);

/* If the decoded frame is an export datagram (UDP, sane header), decode it
 * with the packet's source address as the exporter and return true: the
 * caller must then not account the frame as traffic. */
bool asc_fi_frame(struct asc_fi *fi, const struct asc_pkt *pkt);

/* Advance data time: drop held sets and templates past their time, emit
 * one-way records whose stitch window closed. */
void asc_fi_advance(struct asc_fi *fi, asc_time now);
/* End of input: drop every held set (counted) and emit every waiting
 * one-way record, in arrival order. */
void asc_fi_flush(struct asc_fi *fi);

/* Pass an already bidirectional record (e.g. from a Zeek log) through the
 * same numbering and counters; it is emitted at once. */
void asc_fi_put_biflow(struct asc_fi *fi, struct asc_flow *f);

const struct asc_flowin_stats *asc_fi_stats(const struct asc_fi *fi);
/* Count something seen outside the decoders (socket overflow, Zeek lines). */
void asc_fi_count(struct asc_fi *fi, enum asc_fi_counter c, uint64_t n);
/* Memory held by exporters, templates, held sets and the stitch buffer. */
size_t asc_fi_mem(const struct asc_fi *fi);

#endif
