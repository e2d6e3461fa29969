/*
 * evidence.h - pcap extracts of incidents (`analyze --evidence DIR`).
 *
 * Sits beside the sinks: the pipeline hands it every captured frame before
 * the detectors see it (asc_evd_frame), the detectors tag the frames they
 * count through the hook of detector.h, and each emitted incident that
 * carries an evidence_key gets its extract closed and named
 * (asc_evd_finish). Memory is bounded: a look-back ring of recent frames
 * (ring_bytes, ring_pkts), at most max_open extracts in progress, each
 * streamed to a temporary file in DIR and renamed when the incident is
 * emitted, at most `packets` frames each. docs/evidence.md.
 */
#ifndef ASC_EVIDENCE_H
#define ASC_EVIDENCE_H

#include "detect/detector.h"
#include "source/pcap_src.h"

struct asc_evd_conf {
    const char *dir;
    size_t packets;    /* frames per extract (evidence.packets) */
    size_t max_open;   /* extracts in progress at once (evidence.max_open) */
    size_t ring_bytes; /* look-back ring (evidence.ring_bytes) */
    size_t ring_pkts;  /* look-back ring (evidence.ring_packets) */
};

struct asc_evd;

/* Creates DIR if missing and checks that it is writable. */
struct asc_evd *asc_evd_new(const struct asc_evd_conf *cf, struct asc_err *err);
/* The hook the detectors get (detector.h); valid until asc_evd_free. */
const struct asc_evidence_hook *asc_evd_hook(struct asc_evd *e);
/* The frame now being handled; borrowed until the next call. */
void asc_evd_frame(struct asc_evd *e, const struct asc_frame *fr);
/* Closes the extract of an emitted incident; returns its file name
 * (relative to DIR, valid until the next call) or NULL when it has none. */
const char *asc_evd_finish(struct asc_evd *e, const struct asc_incident *inc);
/* Extracts written, incidents that got none because max_open were busy. */
uint64_t asc_evd_written(const struct asc_evd *e);
uint64_t asc_evd_skipped(const struct asc_evd *e);
/* Removes unfinished temporary files; nonzero with err set on a write error. */
int asc_evd_close(struct asc_evd *e, struct asc_err *err);
void asc_evd_free(struct asc_evd *e);

#endif
