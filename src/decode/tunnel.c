/*
 * tunnel.c - encapsulations whose payload is another frame or datagram:
 * GRE, ERSPAN, VXLAN, Geneve, GTP-U, Teredo and AYIYA.
 *
 * Part of the decode stage: transport.c hands over with ctx->off at the
 * tunnel header; the inner frame goes back to link.c (Ethernet) or ip.c.
 * The outer IP layer keeps its own transport fields (GRE or the UDP header)
 * so the outer flow is accounted too. The inner IP layer is tagged with
 * ctx->tun and ctx->tun_id; tun_id is a virtual network id that both
 * directions share (VXLAN/Geneve VNI, GRE key), never a per-direction id
 * such as a GTP TEID or a PPTP call id, because it is part of the flow key.
 *
 * References: RFC 2784 and RFC 2890 (GRE, key and sequence number),
 * RFC 1701 (routing bit), RFC 2637 (PPTP enhanced GRE, version 1),
 * draft-foschiano-erspan (ERSPAN types I, II, III), RFC 7348 (VXLAN),
 * RFC 8926 (Geneve), 3GPP TS 29.281 (GTP-U, GTPv1), RFC 4380 (Teredo),
 * draft-massar-v6ops-ayiya (AYIYA).
 *
 * UDP tunnels are recognised by port. A datagram too short or with the
 * wrong version for the tunnel is plain UDP (no fault); a tunnel header
 * cut by the capture is TRUNCATED; an impossible tunnel length is INVALID.
 */
#include "decode/dec_internal.h"

#define GRE_C 0x8000u
#define GRE_R 0x4000u
#define GRE_K 0x2000u
#define GRE_S 0x1000u
#define GRE_A 0x0080u /* PPTP acknowledgment present */

enum dec_state dec_udp_tunnel(uint16_t sport, uint16_t dport)
{
    if (dport == 4789)
        return DS_VXLAN;
    if (dport == 6081)
        return DS_GENEVE;
    if (sport == 2152 || dport == 2152)
        return DS_GTPU;
    if (sport == 3544 || dport == 3544)
        return DS_TEREDO;
    if (sport == 5072 || dport == 5072)
        return DS_AYIYA;
    return DS_TEREDO_ANY;
}

static struct asc_ipl *cur_layer(struct dec_ctx *c)
{
    return c->p->n_ipl ? &c->p->ipl[c->p->n_ipl - 1] : NULL;
}

/* Size of the GRE header from its flags, or 0 if we do not decode it. */
static uint32_t gre_hlen(uint16_t flags, uint16_t ptype)
{
    uint32_t hlen = 4;
    switch (flags & 7) {
    case 0:
        if (flags & GRE_R) /* RFC 1701 source routing: deprecated */
            return 0;
        hlen += (flags & GRE_C) ? 4 : 0;
        hlen += (flags & GRE_K) ? 4 : 0;
        hlen += (flags & GRE_S) ? 4 : 0;
        return hlen;
    case 1:
        if (!(flags & GRE_K) || (flags & (GRE_C | GRE_R)) || ptype != 0x880b)
            return 0;
        hlen += 4;
        hlen += (flags & GRE_S) ? 4 : 0;
        hlen += (flags & GRE_A) ? 4 : 0;
        return hlen;
    default:
        return 0;
    }
}

/* GRE: flags/version(2) protocol type(2), optional checksum+reserved,
 * key, sequence number (v0); PPTP v1: key = payload length + call id,
 * optional sequence and acknowledgment numbers, then PPP. */
enum dec_state dec_gre(struct dec_ctx *c)
{
    struct asc_ipl *l = cur_layer(c);
    if (!l || !dec_need(c, 4, ASC_DR_GRE))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    uint16_t flags = asc_cur_be16(&cur);
    uint16_t ptype = asc_cur_be16(&cur);
    uint32_t hlen = gre_hlen(flags, ptype);
    if (hlen == 0)
        return dec_fail(c, ASC_DEC_UNSUPPORTED, ASC_DR_GRE);
    if (!dec_need(c, hlen, ASC_DR_GRE))
        return DS_DONE;
    /* The v0 key names a virtual network (NVGRE VSID, RFC 7637); the PPTP
     * call id differs per direction, so it is not kept. */
    uint32_t key = 0;
    bool v1 = (flags & 7) == 1;
    if (!v1 && (flags & GRE_C))
        asc_cur_skip(&cur, 4);
    if (!v1 && (flags & GRE_K))
        key = asc_cur_be32(&cur);
    l->l4_ok = true;
    l->payload_len = dec_sub0(dec_ip_room(l), hlen);
    c->off += hlen;
    c->tun = ASC_TUN_GRE;
    c->tun_id = key;
    if (l->payload_len == 0) /* keepalive, PPTP acknowledgment only */
        return DS_DONE;
    if (v1)
        return DS_PPP;
    switch (ptype) {
    case 0x6558:
        return DS_ETH; /* transparent Ethernet */
    case 0x88be:
        return (flags & GRE_S) ? DS_ERSPAN2 : DS_ETH; /* ERSPAN II, or type I */
    case 0x22eb:
        return DS_ERSPAN3;
    case 0x883e: /* WCCP: IPv4, after a 4-byte redirect header in WCCPv2 */
        dec_cursor(c, &cur);
        if (asc_cur_peek_u8(&cur, 0) >> 4 == 4)
            return DS_IPV4;
        if (!dec_need(c, 4, ASC_DR_GRE))
            return DS_DONE;
        c->off += 4;
        return DS_IPV4;
    default:
        c->ethertype = ptype;
        return DS_ETHERTYPE;
    }
}

/* ERSPAN type II: ver(4)=1 vlan(12) cos(3) en(2) t(1) session(10)
 * reserved(12) index(20), then the mirrored Ethernet frame. */
enum dec_state dec_erspan2(struct dec_ctx *c)
{
    if (!dec_need(c, 8, ASC_DR_ERSPAN))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    uint16_t w0 = asc_cur_be16(&cur);
    if ((w0 >> 12) != 1)
        return dec_fail(c, ASC_DEC_INVALID, ASC_DR_ERSPAN);
    c->off += 8;
    return DS_ETH;
}

/* ERSPAN type III: ver(4)=2 vlan(12) cos(3) bso(2) t(1) session(10)
 * timestamp(32) sgt(16) p(1) ft(5) hw(6) d(1) gra(2) o(1), an 8-byte
 * platform subheader when o is set. Frame type 0 is Ethernet. */
enum dec_state dec_erspan3(struct dec_ctx *c)
{
    if (!dec_need(c, 12, ASC_DR_ERSPAN))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    uint16_t w0 = asc_cur_be16(&cur);
    asc_cur_skip(&cur, 6);
    uint32_t w3 = asc_cur_be32(&cur);
    if ((w0 >> 12) != 2)
        return dec_fail(c, ASC_DEC_INVALID, ASC_DR_ERSPAN);
    uint32_t hlen = (w3 & 1) ? 20 : 12;
    if (!dec_need(c, hlen, ASC_DR_ERSPAN))
        return DS_DONE;
    if (((w3 >> 10) & 0x1f) != 0)
        return dec_fail(c, ASC_DEC_UNSUPPORTED, ASC_DR_ERSPAN);
    c->off += hlen;
    return DS_ETH;
}

/* VXLAN (RFC 7348): flags(1, I bit 0x08) reserved(3) VNI(3) reserved(1). */
enum dec_state dec_vxlan(struct dec_ctx *c)
{
    if (dec_tun_peek(c, 8, ASC_DR_VXLAN) <= 0)
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    uint8_t flags = asc_cur_u8(&cur);
    asc_cur_skip(&cur, 3);
    uint32_t vni = asc_cur_be32(&cur) >> 8;
    if (!(flags & 0x08))
        return DS_DONE;
    c->off += 8;
    c->tun = ASC_TUN_VXLAN;
    c->tun_id = vni;
    return DS_ETH;
}

/* Geneve (RFC 8926): ver(2)=0 optlen(6, 4-byte units) O C rsvd(6)
 * protocol type(2) VNI(3) reserved(1), options, then the payload named by
 * the protocol type (0x6558 Ethernet, or an ethertype). */
enum dec_state dec_geneve(struct dec_ctx *c)
{
    if (dec_tun_peek(c, 8, ASC_DR_GENEVE) <= 0)
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    uint8_t b0 = asc_cur_u8(&cur);
    asc_cur_skip(&cur, 1);
    uint16_t ptype = asc_cur_be16(&cur);
    uint32_t vni = asc_cur_be32(&cur) >> 8;
    if ((b0 >> 6) != 0)
        return DS_DONE;
    uint32_t hlen = 8 + (uint32_t)(b0 & 0x3f) * 4;
    if (!dec_need(c, hlen, ASC_DR_GENEVE))
        return DS_DONE;
    c->off += hlen;
    c->tun = ASC_TUN_GENEVE;
    c->tun_id = vni;
    if (ptype == 0x6558)
        return DS_ETH;
    c->ethertype = ptype;
    return DS_ETHERTYPE;
}

/* GTP-U extension header chain (TS 29.281 5.2): each is length(1, in
 * 4-octet units) content, next type(1). Returns the bytes it takes, or 0
 * after recording a fault. */
static uint32_t gtp_ext_chain(struct dec_ctx *c, uint32_t at, uint8_t next)
{
    uint32_t used = 0;
    for (int n = 0; next != 0; n++) {
        if (n >= DEC_MAX_GTP_EXT) {
            dec_fail(c, ASC_DEC_INVALID, ASC_DR_GTP);
            return 0;
        }
        if (!dec_need_at(c, at + used, 1, ASC_DR_GTP))
            return 0;
        struct asc_cursor cur;
        dec_cursor(c, &cur);
        asc_cur_skip(&cur, at + used - c->off);
        uint32_t elen = (uint32_t)asc_cur_peek_u8(&cur, 0) * 4;
        if (elen == 0) {
            dec_fail(c, ASC_DEC_INVALID, ASC_DR_GTP);
            return 0;
        }
        if (!dec_need_at(c, at + used, elen, ASC_DR_GTP))
            return 0;
        next = asc_cur_peek_u8(&cur, elen - 1);
        used += elen;
    }
    return used;
}

/* GTP-U (3GPP TS 29.281): flags(1: version 3 bits = 1, PT, E, S, PN)
 * message type(1) length(2) TEID(4); when E, S or PN: sequence(2) N-PDU(1)
 * next extension type(1); extension headers; a G-PDU (type 0xFF) carries a
 * user IP packet. */
enum dec_state dec_gtpu(struct dec_ctx *c)
{
    if (dec_tun_peek(c, 8, ASC_DR_GTP) <= 0)
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    uint8_t flags = asc_cur_u8(&cur);
    uint8_t type = asc_cur_u8(&cur);
    uint16_t len = asc_cur_be16(&cur);
    if ((flags >> 5) != 1 || !(flags & 0x10))
        return DS_DONE; /* GTPv0, GTPv2-C or GTP': not GTP-U */
    dec_set_lim(c, (uint64_t)c->off + 8 + len);
    uint32_t hlen = 8;
    if (flags & 0x07) {
        if (!dec_need(c, 12, ASC_DR_GTP))
            return DS_DONE;
        asc_cur_skip(&cur, 3);
        uint8_t next = asc_cur_u8(&cur);
        hlen = 12;
        if (flags & 0x04) {
            uint32_t ext = gtp_ext_chain(c, c->off + 12, next);
            if (c->p->status != ASC_DEC_OK || (next != 0 && ext == 0))
                return DS_DONE;
            hlen += ext;
        }
    }
    if (type != 0xff) /* echo, error indication, end marker, ... */
        return DS_DONE;
    c->off += hlen;
    c->tun = ASC_TUN_GTPU;
    c->tun_id = 0; /* each side picks its own TEID: not a flow key */
    if (dec_tun_peek(c, 1, ASC_DR_GTP) <= 0)
        return DS_DONE;
    dec_cursor(c, &cur);
    switch (asc_cur_peek_u8(&cur, 0) >> 4) {
    case 4:
        return DS_IPV4;
    case 6:
        return DS_IPV6;
    default:
        return DS_DONE; /* Ethernet or unstructured PDU sessions */
    }
}

/* True if the IPv6 address at `at` of the cursor is in the Teredo prefix
 * 2001:0::/32 (RFC 4380 section 4). */
static bool teredo_prefix(const struct asc_cursor *cur, size_t at)
{
    return asc_cur_peek_u8(cur, at) == 0x20 && asc_cur_peek_u8(cur, at + 1) == 0x01 &&
           asc_cur_peek_u8(cur, at + 2) == 0 && asc_cur_peek_u8(cur, at + 3) == 0;
}

/* Teredo (RFC 4380 section 5.1.1): optional authentication indicator
 * (00 01 idlen aulen id auth nonce(8) confirmation(1)) and origin indication
 * (00 00 port(2) addr(4)), then IPv6. Teredo is recognised by port, so the
 * payload must look like an IPv6 header whose length fits. Relays and peers
 * talk Teredo on any port (RFC 4380 section 5.2.3): off port 3544 the IPv6
 * packet must fill the datagram exactly and one address must be a Teredo
 * address. */
static enum dec_state teredo(struct dec_ctx *c, bool any_port)
{
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    for (int i = 0; i < 2 && asc_cur_has(&cur, 2); i++) {
        if (asc_cur_peek_u8(&cur, 0) != 0)
            break;
        uint8_t kind = asc_cur_peek_u8(&cur, 1);
        if (kind == 1) {
            if (!asc_cur_has(&cur, 4))
                return DS_DONE;
            size_t size = 4 + (size_t)asc_cur_peek_u8(&cur, 2) + asc_cur_peek_u8(&cur, 3) + 9;
            if (!asc_cur_skip(&cur, size))
                return DS_DONE;
        } else if (kind == 0) {
            if (!asc_cur_skip(&cur, 8))
                return DS_DONE;
        } else {
            break;
        }
    }
    if (!asc_cur_has(&cur, 40) || (asc_cur_peek_u8(&cur, 0) >> 4) != 6)
        return DS_DONE;
    uint32_t plen = (uint32_t)asc_cur_peek_u8(&cur, 4) << 8 | asc_cur_peek_u8(&cur, 5);
    uint64_t at = (uint64_t)c->off + cur.off;
    if (at + 40 + plen > c->lim)
        return DS_DONE;
    if (any_port &&
        (at + 40 + plen != c->lim || (!teredo_prefix(&cur, 8) && !teredo_prefix(&cur, 24))))
        return DS_DONE;
    c->off = (uint32_t)at;
    c->tun = ASC_TUN_TEREDO;
    c->tun_id = 0;
    return DS_IPV6;
}

enum dec_state dec_teredo(struct dec_ctx *c)
{
    return teredo(c, false);
}

enum dec_state dec_teredo_any(struct dec_ctx *c)
{
    return teredo(c, true);
}

/* AYIYA (draft-massar-v6ops-ayiya): idlen(4) idtype(4) siglen(4) hash(4)
 * auth(4) opcode(4) next header(8) epoch(32), identity (2^idlen bytes),
 * signature (siglen * 4 bytes). Opcode 1 forwards the inner packet. */
enum dec_state dec_ayiya(struct dec_ctx *c)
{
    if (dec_tun_peek(c, 8, ASC_DR_AYIYA) <= 0)
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    uint8_t b0 = asc_cur_u8(&cur);
    uint8_t b1 = asc_cur_u8(&cur);
    uint8_t b2 = asc_cur_u8(&cur);
    uint8_t nh = asc_cur_u8(&cur);
    if ((b2 & 0x0f) != 1 || (nh != 4 && nh != 41))
        return DS_DONE;
    uint32_t hlen = 8 + (1u << (b0 >> 4)) + (uint32_t)(b1 >> 4) * 4;
    if (!dec_need(c, hlen, ASC_DR_AYIYA))
        return DS_DONE;
    c->off += hlen;
    c->tun = ASC_TUN_AYIYA;
    c->tun_id = 0;
    return nh == 4 ? DS_IPV4 : DS_IPV6;
}
