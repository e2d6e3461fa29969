/*
 * flow.h - struct asc_flow, the one currency of the pipeline downstream of
 * the flow table.
 *
 * Packet input builds these in src/flow; NetFlow, IPFIX, sFlow and Zeek
 * conn.log readers produce them directly. Detectors and sinks see only
 * this struct. Direction: "orig" is the initiator (the sender of the first
 * packet, the SYN side for TCP), "resp" the other end.
 */
#ifndef ASC_FLOW_H
#define ASC_FLOW_H

#include "core/common.h"

/* The canonical-direction-free identity of a flow. */
struct asc_flow_key {
    struct asc_addr orig, resp;
    uint16_t orig_port, resp_port;   /* ICMP: type and code, as Zeek logs them */
    uint8_t proto;
    uint16_t vlan;                   /* innermost 802.1Q id, 0 if none */
    uint32_t tun_id;                 /* VXLAN/Geneve VNI or GRE key, 0 if none */
};

/* Counters for one direction. */
struct asc_flow_dir {
    uint64_t ip_bytes;      /* sum of IP datagram lengths (Zeek *_ip_bytes) */
    uint64_t pl_bytes;      /* transport payload bytes seen (headers excluded) */
    uint64_t wire_bytes;    /* frame bytes on the wire (tshark's view) */
    uint32_t pkts;          /* IP datagrams (a fragmented datagram counts once) */
    uint32_t frames;        /* frames, counting every fragment */
    uint8_t tcp_flags;      /* OR of all TCP flags seen */
    uint8_t ttl_min, ttl_max;
    uint8_t pad;
};

/* TCP connection state, mapping one-to-one onto Zeek's conn_state. */
enum asc_tcp_state {
    ASC_CS_NONE = 0,   /* not TCP */
    ASC_CS_S0,         /* SYN seen, no reply */
    ASC_CS_S1,         /* established, not closed */
    ASC_CS_SF,         /* established and closed normally */
    ASC_CS_REJ,        /* SYN answered by RST */
    ASC_CS_S2,         /* established, originator closed only */
    ASC_CS_S3,         /* established, responder closed only */
    ASC_CS_RSTO,       /* established, originator reset */
    ASC_CS_RSTOS0,     /* originator SYN then RST, no SYN-ACK */
    ASC_CS_RSTR,       /* established, responder reset */
    ASC_CS_RSTRH,      /* responder SYN-ACK then RST, no SYN seen */
    ASC_CS_SH,         /* originator SYN then FIN, no SYN-ACK (half-open) */
    ASC_CS_SHR,        /* responder SYN-ACK then FIN, no SYN seen */
    ASC_CS_OTH,        /* no SYN seen: midstream */
    ASC_CS__COUNT
};
const char *asc_conn_state_name(enum asc_tcp_state s);

/* Why a flow record was emitted. */
enum asc_flow_end {
    ASC_END_IDLE = 0,   /* idle timeout */
    ASC_END_ACTIVE,     /* active timeout (long flow cut, continues) */
    ASC_END_CLOSED,     /* TCP close/reset observed, then a short linger */
    ASC_END_EVICTED,    /* table full */
    ASC_END_EOF,        /* end of input */
    ASC_END_REUSE,      /* a new SYN on a closed connection */
};

#define ASC_HIST_MAX 15

struct asc_flow {
    struct asc_flow_key key;
    asc_time first, last;
    struct asc_flow_dir dir[2];   /* 0 = orig, 1 = resp */
    uint8_t state;                /* enum asc_tcp_state */
    uint8_t end;                  /* enum asc_flow_end */
    uint8_t tun;                  /* enum asc_tun of the layer it came from */
    uint8_t flags;                /* ASC_FF_* */
    char history[ASC_HIST_MAX + 1]; /* Zeek-style history letters, in order */
    uint16_t syn_mss;             /* MSS of the originator's SYN, 0 if none */
    uint8_t syn_wscale;           /* window scale of that SYN, 0xff if none */
    uint8_t syn_optlen;
    uint16_t syn_win;
    uint8_t src_kind;             /* where it came from: ASC_SRC_* */
    uint8_t sampled;              /* non-zero: counts are scaled by sampling */
    uint32_t sampling;            /* sampling rate (1 = none) */
    uint64_t seq;                 /* creation order, for stable output */
};

#define ASC_FF_FLIPPED 0x01       /* direction was flipped after creation */
#define ASC_FF_SYN_SEEN 0x02
#define ASC_FF_FRAGMENTS 0x04     /* carried IP fragments */
#define ASC_FF_ONEWAY 0x08        /* export record with no reverse found (docs/flow-inputs.md) */
#define ASC_FF_STITCHED 0x10      /* two one-way export records joined into this flow */
#define ASC_FF_BIFLOW 0x20        /* exported bidirectional (RFC 5103, NSEL, Zeek) */

enum { ASC_SRC_PCAP = 0, ASC_SRC_NETFLOW, ASC_SRC_IPFIX, ASC_SRC_SFLOW, ASC_SRC_ZEEK };

/* Whether f's history letters tell what happened (flows of packets, Zeek
 * lines with a history). Export records, and Zeek lines without one, have
 * only each side's TCP flags union (docs/flow-inputs.md). */
static inline bool asc_flow_has_history(const struct asc_flow *f)
{
    return f->history[0] || f->src_kind == ASC_SRC_PCAP;
}

/* Community ID v1 (https://github.com/corelight/community-id-spec) of the
 * flow's 5-tuple with the given seed, written base64 with its "1:" prefix
 * into out (at least 31 bytes). Returns its length, 30 when out has room. */
size_t asc_community_id(const struct asc_flow_key *k, uint16_t seed, char *out, size_t outlen);

#endif
