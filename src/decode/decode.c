/*
 * decode.c - the decode driver: link type to first state, then an explicit
 * state machine over the layers of one frame.
 *
 * Second stage of the pipeline (source -> decode -> flow). Each step calls
 * one layer decoder (link.c, ip.c, transport.c, tunnel.c), which returns the
 * next state. The walk is bounded twice: DEC_MAX_STEPS states per frame and
 * ASC_MAX_IPL IP layers; running into either stops with ASC_DR_DEPTH. No
 * recursion, no allocation, no logging: a malformed frame is an outcome in
 * p->status / p->reason.
 *
 * Link types are the tcpdump LINKTYPE_/DLT_ values
 * (https://www.tcpdump.org/linktypes.html).
 */
#include "decode/dec_internal.h"

#include <stddef.h>
#include <string.h>

/* ---- helpers shared by the layer decoders ---- */

enum dec_state dec_fail(struct dec_ctx *c, enum asc_dec_status st, enum asc_dec_reason r)
{
    if (c->p->status == ASC_DEC_OK) {
        c->p->status = (uint8_t)st;
        c->p->reason = (uint8_t)r;
    }
    return DS_DONE;
}

enum dec_state dec_nonip(struct dec_ctx *c)
{
    /* Non-IP payload inside a tunnel is just the tunnel's payload: the IP
     * layers already found stand, and the frame is fine. */
    if (c->p->n_ipl == 0)
        return dec_fail(c, ASC_DEC_NONIP, ASC_DR_NONE);
    return DS_DONE;
}

bool dec_need_at(struct dec_ctx *c, uint32_t at, uint32_t n, enum asc_dec_reason r)
{
    uint64_t want = (uint64_t)at + n;
    if (at >= c->off && want <= c->end)
        return true;
    if (want > c->lim) {
        if (!c->frag_cut)
            dec_fail(c, ASC_DEC_INVALID, r);
    } else {
        dec_fail(c, ASC_DEC_TRUNCATED, r);
    }
    return false;
}

int dec_tun_peek(struct dec_ctx *c, uint32_t n, enum asc_dec_reason r)
{
    uint64_t want = (uint64_t)c->off + n;
    if (want <= c->end)
        return 1;
    if (want > c->lim)
        return 0;
    dec_fail(c, ASC_DEC_TRUNCATED, r);
    return -1;
}

void dec_cursor(const struct dec_ctx *c, struct asc_cursor *cur)
{
    uint32_t at = c->off <= c->end ? c->off : c->end;
    asc_cur_init(cur, c->data ? c->data + at : NULL, c->end - at);
}

void dec_set_lim(struct dec_ctx *c, uint64_t end_off)
{
    if (end_off < c->lim)
        c->lim = (uint32_t)end_off;
    if (c->lim < c->end)
        c->end = c->lim < c->off ? c->off : c->lim;
}

/* ---- names ---- */

const char *asc_dec_reason_name(enum asc_dec_reason r)
{
    static const char *const names[ASC_DR__COUNT] = {
        [ASC_DR_NONE] = "none",         [ASC_DR_LINK] = "link",
        [ASC_DR_VLAN] = "vlan",         [ASC_DR_MPLS] = "mpls",
        [ASC_DR_PPPOE] = "pppoe",       [ASC_DR_IPV4] = "ipv4",
        [ASC_DR_IPV6] = "ipv6",         [ASC_DR_IPV6_EXT] = "ipv6_ext",
        [ASC_DR_TCP] = "tcp",           [ASC_DR_UDP] = "udp",
        [ASC_DR_ICMP] = "icmp",         [ASC_DR_ICMP6] = "icmp6",
        [ASC_DR_SCTP] = "sctp",         [ASC_DR_GRE] = "gre",
        [ASC_DR_VXLAN] = "vxlan",       [ASC_DR_GENEVE] = "geneve",
        [ASC_DR_GTP] = "gtp",           [ASC_DR_TEREDO] = "teredo",
        [ASC_DR_DEPTH] = "depth",       [ASC_DR_ETHERTYPE] = "ethertype",
        [ASC_DR_LINKTYPE] = "linktype", [ASC_DR_AYIYA] = "ayiya",
        [ASC_DR_ERSPAN] = "erspan",
    };
    if ((unsigned)r >= ASC_DR__COUNT || !names[r])
        return "unknown";
    return names[r];
}

const char *asc_dec_status_name(enum asc_dec_status s)
{
    switch (s) {
    case ASC_DEC_OK:
        return "ok";
    case ASC_DEC_TRUNCATED:
        return "truncated";
    case ASC_DEC_INVALID:
        return "invalid";
    case ASC_DEC_UNSUPPORTED:
        return "unsupported";
    case ASC_DEC_NONIP:
        return "nonip";
    case ASC_DEC__COUNT:
        break;
    }
    return "unknown";
}

/* ---- driver ---- */

static enum dec_state first_state(int linktype, const struct dec_ctx *c)
{
    switch (linktype) {
    case 0:   /* DLT_NULL */
    case 108: /* DLT_LOOP */
        return DS_NULL;
    case 1: /* DLT_EN10MB */
        return DS_ETH;
    case 9: /* DLT_PPP */
        return DS_PPP;
    case 50: { /* DLT_PPP_SERIAL: PPP in HDLC, or Cisco HDLC */
        struct asc_cursor cur;
        dec_cursor(c, &cur);
        uint8_t b0 = asc_cur_peek_u8(&cur, 0);
        return (asc_cur_has(&cur, 1) && (b0 == 0x0f || b0 == 0x8f)) ? DS_CHDLC : DS_PPP;
    }
    case 51: /* DLT_PPP_ETHER */
        return DS_PPPOE;
    case 12:  /* DLT_RAW (most platforms) */
    case 14:  /* DLT_RAW (OpenBSD) */
    case 101: /* LINKTYPE_RAW */
        return DS_IP;
    case 104: /* DLT_C_HDLC */
        return DS_CHDLC;
    case 105: /* DLT_IEEE802_11 */
        return DS_IEEE80211;
    case 113: /* DLT_LINUX_SLL */
        return DS_SLL;
    case 127: /* DLT_IEEE802_11_RADIO */
        return DS_RADIOTAP;
    case 228: /* DLT_IPV4 */
        return DS_IPV4;
    case 229: /* DLT_IPV6 */
        return DS_IPV6;
    case 276: /* DLT_LINUX_SLL2 */
        return DS_SLL2;
    default:
        return DS_DONE;
    }
}

bool asc_decode_linktype_supported(int linktype)
{
    struct dec_ctx c;
    memset(&c, 0, sizeof(c));
    return first_state(linktype, &c) != DS_DONE;
}

static enum dec_state step(struct dec_ctx *c, enum dec_state s)
{
    switch (s) {
    case DS_DONE:
        return DS_DONE;
    case DS_ETH:
        return dec_eth(c);
    case DS_ETHERTYPE:
        return dec_ethertype(c);
    case DS_LLC:
        return dec_llc(c);
    case DS_VLAN:
        return dec_vlan(c);
    case DS_MPLS:
        return dec_mpls(c);
    case DS_PPPOE:
        return dec_pppoe(c);
    case DS_PPP:
        return dec_ppp(c);
    case DS_FABRICPATH:
        return dec_fabricpath(c);
    case DS_SLL:
        return dec_sll(c);
    case DS_SLL2:
        return dec_sll2(c);
    case DS_NULL:
        return dec_null(c);
    case DS_CHDLC:
        return dec_chdlc(c);
    case DS_RADIOTAP:
        return dec_radiotap(c);
    case DS_IEEE80211:
        return dec_ieee80211(c);
    case DS_IP:
        return dec_ip_nibble(c);
    case DS_IPV4:
        return dec_ipv4(c);
    case DS_IPV6:
        return dec_ipv6(c);
    case DS_L4:
        return dec_l4(c);
    case DS_GRE:
        return dec_gre(c);
    case DS_ERSPAN2:
        return dec_erspan2(c);
    case DS_ERSPAN3:
        return dec_erspan3(c);
    case DS_VXLAN:
        return dec_vxlan(c);
    case DS_GENEVE:
        return dec_geneve(c);
    case DS_GTPU:
        return dec_gtpu(c);
    case DS_TEREDO:
        return dec_teredo(c);
    case DS_TEREDO_ANY:
        return dec_teredo_any(c);
    case DS_AYIYA:
        return dec_ayiya(c);
    }
    return DS_DONE;
}

/* express: try the express lane (express.c) first. */
static void decode(struct asc_pkt *p, int linktype, const uint8_t *data, uint32_t caplen,
                   uint32_t wirelen, asc_time ts, bool express)
{
    /* Only the header: each IP layer is zeroed when it is started
     * (ip.c, new_layer), and no reader looks past n_ipl. Clearing the
     * whole 648-byte struct was a quarter of decode's time. */
    memset(p, 0, offsetof(struct asc_pkt, ipl));
    if (!data)
        caplen = 0;
    p->ts = ts;
    p->caplen = caplen;
    p->wirelen = wirelen;
    p->data = data;
    p->linktype = linktype;

    struct dec_ctx c = {
        .p = p,
        .data = data,
        .caplen = caplen,
        .off = 0,
        .end = caplen,
        .lim = DEC_NO_LIM,
    };
    enum dec_state s;
    int steps = 0;
    if (express && linktype == 1 && dec_express(&c)) {
        s = DS_L4;
        steps = EXPRESS_STEPS;
    } else {
        s = first_state(linktype, &c);
        if (s == DS_DONE) {
            dec_fail(&c, ASC_DEC_UNSUPPORTED, ASC_DR_LINKTYPE);
            return;
        }
    }
    for (; s != DS_DONE; steps++) {
        if (steps >= DEC_MAX_STEPS) {
            dec_fail(&c, ASC_DEC_UNSUPPORTED, ASC_DR_DEPTH);
            break;
        }
        s = step(&c, s);
    }
    if (p->status == ASC_DEC_OK && p->n_ipl == 0)
        p->status = ASC_DEC_NONIP;
}

void asc_decode(struct asc_pkt *p, int linktype, const uint8_t *data, uint32_t caplen,
                uint32_t wirelen, asc_time ts)
{
    decode(p, linktype, data, caplen, wirelen, ts, true);
}

void asc_decode_general(struct asc_pkt *p, int linktype, const uint8_t *data, uint32_t caplen,
                        uint32_t wirelen, asc_time ts)
{
    decode(p, linktype, data, caplen, wirelen, ts, false);
}
