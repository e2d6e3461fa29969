/*
 * decode.h - frame decoder: bytes of one captured frame to struct asc_pkt.
 *
 * Second stage of the pipeline (source -> decode -> flow). The driver in
 * decode.c walks the layers as an explicit state machine with a step limit,
 * so nested tunnels cannot loop. Every read goes through the bounded cursor
 * (core/cursor.h). A malformed frame is an outcome, never an error: the
 * result is in p->status / p->reason and the caller counts it.
 */
#ifndef ASC_DECODE_H
#define ASC_DECODE_H

#include "model/pkt.h"

/* Where decoding stopped when status is not OK (the layer at fault). */
enum asc_dec_reason {
    ASC_DR_NONE = 0,
    ASC_DR_LINK,        /* link header (Ethernet, SLL, null, ...) */
    ASC_DR_VLAN,
    ASC_DR_MPLS,
    ASC_DR_PPPOE,
    ASC_DR_IPV4,
    ASC_DR_IPV6,
    ASC_DR_IPV6_EXT,
    ASC_DR_TCP,
    ASC_DR_UDP,
    ASC_DR_ICMP,
    ASC_DR_ICMP6,
    ASC_DR_SCTP,
    ASC_DR_GRE,
    ASC_DR_VXLAN,
    ASC_DR_GENEVE,
    ASC_DR_GTP,
    ASC_DR_TEREDO,
    ASC_DR_DEPTH,       /* step or tunnel depth limit reached */
    ASC_DR_ETHERTYPE,   /* unsupported ethertype */
    ASC_DR_LINKTYPE,    /* unsupported DLT */
    ASC_DR_AYIYA,       /* AYIYA tunnel header */
    ASC_DR_ERSPAN,      /* ERSPAN header inside GRE */
    ASC_DR__COUNT
};
const char *asc_dec_reason_name(enum asc_dec_reason r);
const char *asc_dec_status_name(enum asc_dec_status s);

/* Decode one frame. `data` is borrowed and must stay valid while p is used.
 * Always fills p's header (status, reason, n_ipl) and the layers found so
 * far, ipl[0..n_ipl); the layers past n_ipl are left as they were. */
void asc_decode(struct asc_pkt *p, int linktype, const uint8_t *data, uint32_t caplen,
                uint32_t wirelen, asc_time ts);

/* asc_decode without the express lane (decode/express.c): the general
 * state machine alone. The same packet by contract; for the test that
 * checks it (test_decode_express). */
void asc_decode_general(struct asc_pkt *p, int linktype, const uint8_t *data, uint32_t caplen,
                        uint32_t wirelen, asc_time ts);

/* True if the link type is one the decoder understands. */
bool asc_decode_linktype_supported(int linktype);

#endif
