/*
 * incident.h - struct asc_incident, what detectors emit and sinks render.
 *
 * Detectors fill an incident and hand it to an emitter; they never print or
 * store. The incident owns nothing it points at beyond the emit call: sinks
 * that keep data copy it. Sources carry an evidence grade each
 * (DESIGN.md, "Attribution with grades"); the counts per grade, per
 * country and per AS are filled by src/attrib/srcset.c.
 */
#ifndef ASC_INCIDENT_H
#define ASC_INCIDENT_H

#include "core/common.h"

enum asc_inc_type {
    ASC_INC_FLOOD = 0,
    ASC_INC_SCAN,
    ASC_INC_BACKSCATTER,
    ASC_INC_BRUTEFORCE,
    ASC_INC_BEACON,
    ASC_INC_EXFIL,
    ASC_INC_INTEL,
    ASC_INC__COUNT
};
const char *asc_inc_type_name(unsigned t);

/* Evidence grade of one source address (DESIGN.md, "Attribution with grades"). */
enum asc_grade {
    ASC_GRADE_VERIFIED = 0,
    ASC_GRADE_CONSISTENT,
    ASC_GRADE_REFLECTOR,
    ASC_GRADE_SPOOFED,
    ASC_GRADE_RELAY,
    ASC_GRADE__COUNT
};
const char *asc_grade_name(unsigned g);

struct asc_inc_source {
    struct asc_addr addr;
    uint64_t pkts, bytes;
    uint8_t grade;              /* enum asc_grade */
    char cc[3];                 /* "" when unknown */
    uint32_t asn;               /* 0 when unknown */
};

/* Sources of an incident grouped by country or by AS. */
struct asc_inc_group {
    char cc[3];                 /* by country: the code ("" = unknown) */
    uint32_t asn;               /* by AS: the number (0 = unknown) */
    const char *as_name;        /* by AS, may be NULL */
    uint64_t sources[ASC_GRADE__COUNT];   /* distinct sources per grade */
    uint64_t pkts[ASC_GRADE__COUNT];      /* packets (or attempts) per grade */
};

/* One threshold or parameter in force, for the record. */
struct asc_inc_param {
    const char *name;
    double value;
};

#define ASC_INC_TOP 16
#define ASC_INC_PORTS 8
#define ASC_INC_CIDS 8
#define ASC_INTEL_LISTS 4
#define ASC_INTEL_HOSTS 64

/* Known-bad contact (type ASC_INC_INTEL): the listed address, the lists that
 * hold it and the hosts on the other side of its flows. */
enum asc_intel_dir { ASC_INTEL_OUTBOUND = 1, ASC_INTEL_INBOUND = 2, ASC_INTEL_BOTH = 3 };

struct asc_intel_list_ref {
    const char *name;           /* list name, e.g. "feodo"; borrowed */
    const char *category;       /* "c2", "drop", "tor", "scanner", ...; borrowed */
    const char *date;           /* list date "YYYY-MM-DD", "" unknown; borrowed */
};

struct asc_intel_host {
    struct asc_addr addr;       /* the non-listed side */
    uint64_t pkts, bytes;
    asc_time first, last;
};

struct asc_inc_intel {
    struct asc_addr indicator;  /* the listed address */
    size_t n_lists;
    struct asc_intel_list_ref lists[ASC_INTEL_LISTS];
    uint8_t direction;          /* enum asc_intel_dir: who initiated the flows */
    size_t n_hosts;             /* hosts kept, most bytes first */
    struct asc_intel_host hosts[ASC_INTEL_HOSTS];
};

struct asc_incident {
    uint8_t type;               /* enum asc_inc_type */
    uint8_t proto;              /* IP protocol of the vector, 0 if mixed */
    const char *vector;         /* "syn", "udp.dns-amp", "ssh", ...; static string */
    const char *detector;       /* detector name, e.g. "flood" */
    const char *detector_version;
    const char *summary;        /* one human line, may be NULL; borrowed */
    struct asc_addr victim;     /* family ASC_AF_NONE when many */
    uint64_t n_victims;         /* distinct victims (1 for a flood on one host) */
    uint16_t victim_port;       /* 0 when many */
    size_t n_ports;             /* top target ports, most packets first */
    uint16_t ports[ASC_INC_PORTS];
    asc_time start, end;
    uint64_t pkts, bytes;       /* attack packets/bytes (or attempts for scans) */
    uint64_t flows;             /* connections or flows involved, when known */
    double peak_pps, peak_bps, mean_pps, mean_bps;
    uint64_t n_sources;         /* exact while small, estimated beyond */
    bool n_sources_estimated;
    uint64_t grade_count[ASC_GRADE__COUNT];
    size_t n_top;
    struct asc_inc_source top[ASC_INC_TOP];
    size_t n_by_cc, n_by_asn;
    const struct asc_inc_group *by_cc, *by_asn;   /* most packets first */
    size_t n_cids;              /* Community IDs of evidence flows */
    char cids[ASC_INC_CIDS][32];
    size_t n_params;
    const struct asc_inc_param *params;
    const char *evidence_file;  /* pcap extract, when written; may be NULL */
    uint64_t evidence_key;      /* the detector's evidence key (detector.h), 0 none */
    double severity;            /* 0..10 */
    bool possible_success;      /* brute force: a long session after failures */
    const char *fingerprint;    /* scan: known scanner tool whose packets matched
                                   ("zmap", "masscan", "nmap"), NULL if none; static */
    const struct asc_inc_intel *intel;   /* type ASC_INC_INTEL only, else NULL */
};

#endif
