/*
 * dec_internal.h - state shared by the decoder's files (not a public header).
 *
 * The driver (decode.c) runs an explicit state machine: each layer decoder
 * reads one header at ctx->off through a bounded cursor, records what it
 * found in the packet, moves ctx->off past the header and returns the next
 * state. DS_DONE ends the walk. A decoder that finds a fault records it with
 * dec_fail() and returns DS_DONE; the first fault wins.
 *
 * Bounds: bytes [off, end) are the captured bytes of the current layer, so
 * end <= caplen always. lim is where the enclosing headers say the current
 * datagram ends (IP total length, UDP length, ...); it may exceed end when
 * the capture was cut by the snap length. A header that crosses lim is
 * INVALID, one that crosses end (but not lim) is TRUNCATED.
 */
#ifndef ASC_DEC_INTERNAL_H
#define ASC_DEC_INTERNAL_H

#include "core/cursor.h"
#include "decode/decode.h"

#define DEC_MAX_STEPS 32  /* states per frame: bounds nesting of every kind */
#define DEC_MAX_V6EXT 10  /* IPv6 extension headers per IP layer */
#define DEC_MAX_MPLS 16   /* labels in one MPLS stack */
#define DEC_MAX_GTP_EXT 8 /* GTP-U extension headers */
#define DEC_NO_LIM UINT32_MAX

enum dec_state {
    DS_DONE = 0,
    /* link.c */
    DS_ETH,        /* Ethernet II / 802.3 header */
    DS_ETHERTYPE,  /* dispatch on ctx->ethertype, header already consumed */
    DS_LLC,        /* 802.2 LLC, maybe SNAP */
    DS_VLAN,       /* 802.1Q / 802.1ad tag */
    DS_MPLS,       /* MPLS label stack */
    DS_PPPOE,      /* PPPoE session header */
    DS_PPP,        /* PPP protocol field (optionally after FF 03) */
    DS_FABRICPATH, /* rest of the Cisco FabricPath tag */
    DS_SLL,        /* Linux cooked v1 */
    DS_SLL2,       /* Linux cooked v2 */
    DS_NULL,       /* BSD null / loopback */
    DS_CHDLC,      /* Cisco HDLC */
    DS_RADIOTAP,   /* radiotap header before 802.11 */
    DS_IEEE80211,  /* 802.11 MAC header */
    /* ip.c */
    DS_IP, /* IPv4 or IPv6 by version nibble */
    DS_IPV4,
    DS_IPV6,
    /* transport.c */
    DS_L4, /* transport of the current IP layer */
    /* tunnel.c */
    DS_GRE,
    DS_ERSPAN2,
    DS_ERSPAN3,
    DS_VXLAN,
    DS_GENEVE,
    DS_GTPU,
    DS_TEREDO,     /* on port 3544 */
    DS_TEREDO_ANY, /* other ports: relays and peers (stricter checks) */
    DS_AYIYA,
};

struct dec_ctx {
    struct asc_pkt *p;
    const uint8_t *data;
    uint32_t caplen;
    uint32_t off;       /* start of the next header */
    uint32_t end;       /* captured end of the current layer (<= caplen) */
    uint32_t lim;       /* end claimed by the enclosing headers, or DEC_NO_LIM */
    uint16_t ethertype; /* input of DS_ETHERTYPE */
    uint8_t tun;        /* enum asc_tun for the next IP layer */
    uint32_t tun_id;    /* its virtual network id */
    bool frag_cut;      /* lim is a first fragment's end: running into it is no fault */
    bool wlan_pad;      /* radiotap says the 802.11 header is padded to 4 bytes */
    bool jumbo;         /* the current IPv6 layer is a jumbogram (RFC 2675) */
};

/* decode.c: helpers for every layer. */
enum dec_state dec_fail(struct dec_ctx *c, enum asc_dec_status st, enum asc_dec_reason r);
enum dec_state dec_nonip(struct dec_ctx *c);
/* True if n bytes at frame offset `at` are captured inside the current layer;
 * otherwise records TRUNCATED or INVALID with reason r and returns false. */
bool dec_need_at(struct dec_ctx *c, uint32_t at, uint32_t n, enum asc_dec_reason r);
static inline bool dec_need(struct dec_ctx *c, uint32_t n, enum asc_dec_reason r)
{
    if ((uint64_t)c->off + n <= c->end)
        return true; /* the common case, inline; dec_need_at records the fault */
    return dec_need_at(c, c->off, n, r);
}
/* For tunnels guessed from a UDP port: 1 if n bytes are there, 0 if the
 * datagram is too short to be this tunnel (plain UDP, no fault), -1 if the
 * capture ended (TRUNCATED recorded). */
int dec_tun_peek(struct dec_ctx *c, uint32_t n, enum asc_dec_reason r);
/* Cursor over the current layer's captured bytes, from ctx->off. */
void dec_cursor(const struct dec_ctx *c, struct asc_cursor *cur);
/* Narrow the current datagram to end at frame offset `end_off`. */
void dec_set_lim(struct dec_ctx *c, uint64_t end_off);

/* IP payload length by the headers of layer l. */
static inline uint32_t dec_ip_room(const struct asc_ipl *l)
{
    return l->ip_len > l->hdr_len ? l->ip_len - l->hdr_len : 0;
}

static inline uint32_t dec_sub0(uint32_t a, uint32_t b)
{
    return a > b ? a - b : 0;
}

/* express.c: Ethernet + IPv4/IPv6 fixed header in one step. True when it
 * took the frame: the context is as the general walk leaves it after
 * EXPRESS_STEPS states, ready for DS_L4. False: nothing was written. */
#define EXPRESS_STEPS 3
bool dec_express(struct dec_ctx *c);

/* link.c */
enum dec_state dec_eth(struct dec_ctx *c);
enum dec_state dec_ethertype(struct dec_ctx *c);
enum dec_state dec_llc(struct dec_ctx *c);
enum dec_state dec_vlan(struct dec_ctx *c);
enum dec_state dec_mpls(struct dec_ctx *c);
enum dec_state dec_pppoe(struct dec_ctx *c);
enum dec_state dec_ppp(struct dec_ctx *c);
enum dec_state dec_fabricpath(struct dec_ctx *c);
enum dec_state dec_sll(struct dec_ctx *c);
enum dec_state dec_sll2(struct dec_ctx *c);
enum dec_state dec_null(struct dec_ctx *c);
enum dec_state dec_chdlc(struct dec_ctx *c);
enum dec_state dec_radiotap(struct dec_ctx *c);
enum dec_state dec_ieee80211(struct dec_ctx *c);

/* ip.c */
enum dec_state dec_ip_nibble(struct dec_ctx *c);
enum dec_state dec_ipv4(struct dec_ctx *c);
enum dec_state dec_ipv6(struct dec_ctx *c);
void dec_addr4(struct asc_addr *a, struct asc_cursor *cur);
void dec_addr6(struct asc_addr *a, struct asc_cursor *cur);

/* transport.c */
enum dec_state dec_l4(struct dec_ctx *c);

/* tunnel.c */
enum dec_state dec_gre(struct dec_ctx *c);
enum dec_state dec_erspan2(struct dec_ctx *c);
enum dec_state dec_erspan3(struct dec_ctx *c);
enum dec_state dec_vxlan(struct dec_ctx *c);
enum dec_state dec_geneve(struct dec_ctx *c);
enum dec_state dec_gtpu(struct dec_ctx *c);
enum dec_state dec_teredo(struct dec_ctx *c);
enum dec_state dec_teredo_any(struct dec_ctx *c);
enum dec_state dec_ayiya(struct dec_ctx *c);
/* The UDP tunnel state for these ports (DS_TEREDO_ANY for the rest). */
enum dec_state dec_udp_tunnel(uint16_t sport, uint16_t dport);

#endif
