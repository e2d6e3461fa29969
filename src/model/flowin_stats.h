/*
 * flowin_stats.h - counters of the flow-record inputs (NetFlow v5/v9,
 * IPFIX, sFlow v5, Zeek conn.log), for the run summary.
 *
 * Filled by src/source (export decoders, template store, stitcher, Zeek
 * reader) and rendered by the summary sinks and the terminal report. Every
 * unusual input (bad length, unknown template, caps reached) has a counter:
 * a malformed export is an outcome that is counted, never an error.
 */
#ifndef ASC_FLOWIN_STATS_H
#define ASC_FLOWIN_STATS_H

#include <stdint.h>

enum asc_fi_counter {
    ASC_FI_DGRAMS = 0,         /* export datagrams taken from captures or sockets */
    ASC_FI_DG_NF5,
    ASC_FI_DG_NF9,
    ASC_FI_DG_IPFIX,
    ASC_FI_DG_SFLOW,
    ASC_FI_RECORDS,            /* flow records decoded (before stitching) */
    ASC_FI_TEMPLATES,          /* data templates learnt or refreshed */
    ASC_FI_OPT_TEMPLATES,      /* options templates learnt or refreshed */
    ASC_FI_TMPL_WITHDRAWN,     /* IPFIX template withdrawals */
    ASC_FI_TMPL_EXPIRED,       /* templates dropped after their lifetime */
    ASC_FI_OPT_RECORDS,        /* options data records (sampling etc.) */
    ASC_FI_SAMPLING_UPDATES,   /* sampling rates learnt from options */
    ASC_FI_SETS_HELD,          /* data sets held waiting for their template */
    ASC_FI_SETS_REPLAYED,      /* held sets decoded once the template came */
    ASC_FI_SETS_DROPPED,       /* held sets whose template never came (dropped) */
    ASC_FI_HOLD_FULL,          /* data sets dropped at once: hold queue full */
    ASC_FI_UNKNOWN_TEMPLATE,   /* data sets that arrived before their template */
    ASC_FI_BAD_HEADER,         /* message header impossible (version, count) */
    ASC_FI_BAD_LENGTH,         /* a length field disagrees with the datagram */
    ASC_FI_TRUNCATED,          /* a set, sample or record ran past the end */
    ASC_FI_BAD_TEMPLATE,       /* absurd template: field count, length, zero size */
    ASC_FI_BAD_RECORD,         /* data record unusable (field past end, no addresses) */
    ASC_FI_BAD_SET_ID,         /* reserved set/flowset id */
    ASC_FI_ENTERPRISE_SKIPPED, /* enterprise-specific fields skipped */
    ASC_FI_TMPL_CAP,           /* template refused: per-exporter cap reached */
    ASC_FI_EXPORTER_CAP,       /* datagram refused: exporter cap reached */
    ASC_FI_COUNTER_SATURATED,  /* a packet counter did not fit 32 bits */
    ASC_FI_SFLOW_FLOW_SAMPLES,
    ASC_FI_SFLOW_COUNTER_SAMPLES,
    ASC_FI_SFLOW_UNKNOWN,      /* sFlow samples/records of a format not decoded */
    ASC_FI_SFLOW_UNDECODED,    /* sampled headers the packet decoder could not use */
    ASC_FI_SAMPLED_RECORDS,    /* records scaled by a sampling rate > 1 */
    ASC_FI_BIFLOWS,            /* records that were bidirectional as exported */
    ASC_FI_STITCHED,           /* pairs of one-way records joined into one flow */
    ASC_FI_ONEWAY,             /* one-way records left unstitched */
    ASC_FI_STITCH_EVICTED,     /* one-way records emitted early: stitch buffer full */
    ASC_FI_ZEEK_LINES,         /* Zeek conn.log records read */
    ASC_FI_ZEEK_BAD_LINES,     /* Zeek lines skipped (malformed) */
    ASC_FI_RCV_OVERFLOW,       /* datagrams the kernel dropped (SO_RXQ_OVFL) */
    ASC_FI__COUNT
};

struct asc_flowin_stats {
    uint64_t c[ASC_FI__COUNT];
};

/* Stable snake_case name of a counter (the JSON key). */
const char *asc_fi_counter_name(enum asc_fi_counter c);

#endif
