/*
 * pkt.h - struct asc_pkt, the decoded view of one captured frame.
 *
 * Produced by decode (src/decode), consumed by the flow table and by
 * detectors' optional per-packet hooks. A view, not a copy: `data` is
 * borrowed from the source and valid only until the callback returns.
 *
 * A frame may carry several IP layers (an outer tunnel and its payload);
 * each gets one struct asc_ipl, outermost first, and each is accounted as
 * its own flow. The depth is bounded by ASC_MAX_IPL.
 */
#ifndef ASC_PKT_H
#define ASC_PKT_H

#include "core/common.h"

#define ASC_MAX_IPL 4          /* IP layers kept per frame (tunnel depth limit) */
#define ASC_TCPOPT_MAX 40      /* TCP options are at most 40 bytes */

/* Outcome of decoding one frame; every outcome is counted. */
enum asc_dec_status {
    ASC_DEC_OK = 0,
    ASC_DEC_TRUNCATED,     /* a header ran past the captured bytes */
    ASC_DEC_INVALID,       /* a field is impossible (bad version, length) */
    ASC_DEC_UNSUPPORTED,   /* a link type or protocol we do not decode */
    ASC_DEC_NONIP,         /* a valid frame with no IP (ARP, LLDP, STP, ...) */
    ASC_DEC__COUNT
};

/* Why decode stopped early, for the per-reason counters in the run summary. */
enum asc_frag_kind { ASC_FRAG_NONE = 0, ASC_FRAG_FIRST, ASC_FRAG_LATER };

/* Tunnel type that led to this IP layer (0 for the outermost). */
enum asc_tun {
    ASC_TUN_NONE = 0,
    ASC_TUN_IPIP,          /* IPv4/IPv6 directly in IP (4in4, 6in4, 4in6, 6in6) */
    ASC_TUN_GRE,
    ASC_TUN_VXLAN,
    ASC_TUN_GENEVE,
    ASC_TUN_GTPU,
    ASC_TUN_TEREDO,
    ASC_TUN_AYIYA,
};

/* The packet an ICMP error quotes (RFC 792 / RFC 4443): who sent what. */
struct asc_quoted {
    bool valid;
    uint8_t proto;
    struct asc_addr src, dst;
    uint16_t sport, dport;
};

/* One IP header and the transport header on top of it. */
struct asc_ipl {
    uint16_t l3_off;           /* offset of the IP header in the frame */
    uint16_t l4_off;           /* offset of the transport header; 0 if none */
    uint8_t ipver;             /* 4 or 6 */
    uint8_t proto;             /* transport protocol after extension headers */
    uint8_t ttl;               /* TTL / hop limit */
    uint8_t tun;               /* enum asc_tun: how we got here */
    uint8_t frag;              /* enum asc_frag_kind */
    bool l4_ok;                /* transport header fully present and sane */
    uint16_t ip_id;            /* IPv4 identification (0 for v6 unless fragment) */
    uint32_t frag_id;          /* IPv4 id or IPv6 fragment identification */
    uint32_t frag_off;         /* fragment offset in bytes */
    uint32_t ip_len;           /* datagram length claimed by the IP header */
    uint32_t hdr_len;          /* IP header length including v6 extension headers */
    uint32_t tun_id;           /* virtual network id (VXLAN/Geneve VNI, GRE key) or 0 */
    struct asc_addr src, dst;
    uint16_t sport, dport;     /* ports; for ICMP: type and code (Zeek style) */
    uint32_t payload_len;      /* L4 payload length by headers */
    /* TCP */
    uint8_t tcp_flags;         /* FIN SYN RST PSH ACK URG ECE CWR */
    uint8_t tcp_optlen;
    uint8_t tcp_wscale;        /* 0xff when absent */
    uint16_t tcp_win;
    uint16_t tcp_mss;          /* 0 when absent */
    uint32_t tcp_seq, tcp_ack;
    const uint8_t *tcp_opts;   /* borrowed, tcp_optlen bytes */
    /* ICMP / ICMPv6 */
    uint8_t icmp_type, icmp_code;
    struct asc_quoted quoted;  /* for ICMP errors */
};

#define ASC_TH_FIN 0x01
#define ASC_TH_SYN 0x02
#define ASC_TH_RST 0x04
#define ASC_TH_PSH 0x08
#define ASC_TH_ACK 0x10
#define ASC_TH_URG 0x20
#define ASC_TH_ECE 0x40
#define ASC_TH_CWR 0x80

struct asc_pkt {
    asc_time ts;
    uint32_t caplen, wirelen;
    const uint8_t *data;       /* borrowed, caplen bytes */
    int linktype;              /* DLT_* of the frame */
    uint8_t status;            /* enum asc_dec_status */
    uint8_t reason;            /* decode stop reason, see decode.h */
    uint8_t n_vlan;
    uint8_t n_mpls;
    uint16_t vlan[2];          /* outer and inner 802.1Q ids */
    uint8_t n_ipl;             /* number of IP layers decoded */
    struct asc_ipl ipl[ASC_MAX_IPL];
};

#endif
