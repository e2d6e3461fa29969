/*
 * incident.h - struct asc_incident, what detectors emit and sinks render.
 *
 * Detectors fill an incident and hand it to an emitter; they never print or
 * store. The incident owns nothing it points at beyond the emit call: sinks
 * that keep data copy it.
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

/* Evidence grade of one source address (DESIGN.md, "Attribution with grades"). */
enum asc_grade {
    ASC_GRADE_VERIFIED = 0,
    ASC_GRADE_CONSISTENT,
    ASC_GRADE_REFLECTOR,
    ASC_GRADE_SPOOFED,
    ASC_GRADE_RELAY,
    ASC_GRADE__COUNT
};

struct asc_inc_source {
    struct asc_addr addr;
    uint64_t pkts, bytes;
    uint8_t grade;              /* enum asc_grade */
};

#define ASC_INC_TOP 16

struct asc_incident {
    uint8_t type;               /* enum asc_inc_type */
    const char *vector;         /* "syn", "udp.dns-amp", "ssh", ...; static string */
    const char *detector;       /* detector name, e.g. "flood" */
    const char *detector_version;
    struct asc_addr victim;
    uint16_t victim_port;       /* 0 when many */
    asc_time start, end;
    uint64_t pkts, bytes;
    double peak_pps, peak_bps;
    uint64_t n_sources;         /* exact while small, estimated beyond */
    bool n_sources_estimated;
    uint64_t grade_count[ASC_GRADE__COUNT];
    size_t n_top;
    struct asc_inc_source top[ASC_INC_TOP];
    double severity;            /* 0..10 */
};

#endif
