/*
 * link.c - link-layer decoders: everything before the first IP header, and
 * the Ethernet frames carried inside tunnels.
 *
 * Part of the decode stage (decode.c drives; ip.c follows). Covers:
 *   Ethernet II and IEEE 802.3 with 802.2 LLC/SNAP (RFC 1042, RFC 894),
 *   IEEE 802.1Q / 802.1ad VLAN tags (0x8100, 0x88a8, 0x9100, 0x9200),
 *   MPLS label stacks (RFC 3032) with IPv4/IPv6 by version nibble and
 *   Ethernet pseudowires with a control word (RFC 4448),
 *   PPPoE sessions (RFC 2516) and PPP (RFC 1661, RFC 1662 framing;
 *   protocol numbers 0x0021 IPv4, 0x0057 IPv6, 0x0281/0x0283 MPLS),
 *   Cisco HDLC, Cisco FabricPath (16-byte tag, then Ethernet),
 *   Linux cooked capture v1 (DLT 113) and v2 (DLT 276),
 *   BSD null/loopback (DLT 0 and 108; AF values in either byte order),
 *   IEEE 802.11 data frames (DLT 105) and radiotap (DLT 127).
 * Every read goes through the bounded cursor; a frame with no IP in it ends
 * as ASC_DEC_NONIP, an ethertype we do not know as UNSUPPORTED.
 */
#include "decode/dec_internal.h"

/* Ethertypes of protocols known not to carry IP (the frame is fine). */
static bool ethertype_nonip(uint16_t t)
{
    switch (t) {
    case 0x0806: /* ARP */
    case 0x0842: /* Wake-on-LAN */
    case 0x2000: /* Cisco CDP (Cisco HDLC) */
    case 0x2001: /* NHRP (GRE protocol type) */
    case 0x22f0: /* AVTP */
    case 0x6002: /* DEC MOP */
    case 0x6003: /* DECnet phase IV */
    case 0x6004: /* DEC LAT */
    case 0x8035: /* RARP, Cisco SLARP */
    case 0x809b: /* AppleTalk */
    case 0x80f3: /* AARP */
    case 0x8137: /* IPX */
    case 0x8808: /* Ethernet flow control */
    case 0x8809: /* slow protocols (LACP) */
    case 0x8863: /* PPPoE discovery */
    case 0x886f: /* Microsoft NLB heartbeat */
    case 0x887b: /* HomePlug 1.0 */
    case 0x888e: /* EAPOL */
    case 0x8892: /* PROFINET */
    case 0x8899: /* Realtek RRCP */
    case 0x88a2: /* ATA over Ethernet */
    case 0x88a4: /* EtherCAT */
    case 0x88ab: /* Ethernet Powerlink */
    case 0x88b8: /* IEC 61850 GOOSE */
    case 0x88ba: /* IEC 61850 SV */
    case 0x88c7: /* 802.11i pre-authentication */
    case 0x88ca: /* TIPC */
    case 0x88cc: /* LLDP */
    case 0x88e1: /* HomePlug AV */
    case 0x88e3: /* MRP */
    case 0x88f5: /* MVRP */
    case 0x88f6: /* MMRP */
    case 0x88f7: /* PTP */
    case 0x88fb: /* PRP */
    case 0x8902: /* CFM / Y.1731 */
    case 0x8906: /* FCoE */
    case 0x890d: /* 802.11r / TDLS */
    case 0x8914: /* FIP */
    case 0x8947: /* GeoNetworking */
    case 0x893a: /* IEEE 1905.1 */
    case 0x9000: /* configuration test protocol (loopback) */
    case 0xfefe: /* OSI (IS-IS) over Cisco HDLC */
        return true;
    default:
        return false;
    }
}

enum dec_state dec_ethertype(struct dec_ctx *c)
{
    switch (c->ethertype) {
    case 0x0800:
        return DS_IPV4;
    case 0x86dd:
        return DS_IPV6;
    case 0x8100: /* 802.1Q */
    case 0x88a8: /* 802.1ad */
    case 0x9100: /* pre-standard QinQ */
    case 0x9200:
        return DS_VLAN;
    case 0x8847: /* MPLS unicast */
    case 0x8848: /* MPLS multicast */
        return DS_MPLS;
    case 0x8864:
        return DS_PPPOE;
    case 0x6558:
        return DS_ETH; /* transparent Ethernet bridging */
    case 0x8903:
        return DS_FABRICPATH;
    default:
        break;
    }
    if (ethertype_nonip(c->ethertype))
        return dec_nonip(c);
    return dec_fail(c, ASC_DEC_UNSUPPORTED, ASC_DR_ETHERTYPE);
}

/* Ethernet II: dst(6) src(6) type(2). A type <= 1500 is an 802.3 length. */
enum dec_state dec_eth(struct dec_ctx *c)
{
    if (!dec_need(c, 14, ASC_DR_LINK))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    asc_cur_skip(&cur, 12);
    uint16_t type = asc_cur_be16(&cur);
    c->off += 14;
    if (type <= 1500) {
        dec_set_lim(c, (uint64_t)c->off + type);
        return DS_LLC;
    }
    if (type < 0x0600)
        return dec_fail(c, ASC_DEC_INVALID, ASC_DR_LINK);
    c->ethertype = type;
    return DS_ETHERTYPE;
}

/* 802.2 LLC; SNAP (AA AA 03, OUI, type) carries an ethertype. STP, CDP,
 * NetBIOS and the like are non-IP. */
enum dec_state dec_llc(struct dec_ctx *c)
{
    if (!dec_need(c, 3, ASC_DR_LINK))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    uint8_t dsap = asc_cur_u8(&cur);
    uint8_t ssap = asc_cur_u8(&cur);
    uint8_t ctrl = asc_cur_u8(&cur);
    if (dsap != 0xaa || ssap != 0xaa || ctrl != 0x03)
        return dec_nonip(c);
    if (!dec_need(c, 8, ASC_DR_LINK))
        return DS_DONE;
    uint32_t oui = (uint32_t)asc_cur_u8(&cur) << 16;
    oui |= asc_cur_be16(&cur);
    uint16_t type = asc_cur_be16(&cur);
    c->off += 8;
    if (oui != 0x000000 && oui != 0x0000f8) /* RFC 1042, 802.1H bridge tunnel */
        return dec_nonip(c);
    c->ethertype = type;
    return DS_ETHERTYPE;
}

/* 802.1Q tag: TCI(2) type(2). Keeps the innermost two VLAN ids of the
 * link; tags inside a tunnel's Ethernet frame are skipped but not recorded,
 * so the outer flow keeps its own VLAN. */
enum dec_state dec_vlan(struct dec_ctx *c)
{
    if (!dec_need(c, 4, ASC_DR_VLAN))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    uint16_t vid = asc_cur_be16(&cur) & 0x0fff;
    uint16_t type = asc_cur_be16(&cur);
    struct asc_pkt *p = c->p;
    if (p->n_ipl == 0 && p->n_vlan < 2) {
        p->vlan[p->n_vlan++] = vid;
    } else if (p->n_ipl == 0) {
        p->vlan[0] = p->vlan[1];
        p->vlan[1] = vid;
    }
    c->off += 4;
    if (type <= 1500) {
        dec_set_lim(c, (uint64_t)c->off + type);
        return DS_LLC;
    }
    c->ethertype = type;
    return DS_ETHERTYPE;
}

/* MPLS (RFC 3032): 32-bit entries label(20) TC(3) S(1) TTL(8) until S=1;
 * labels are counted in n_mpls on the link only, like VLAN ids.
 * The payload has no type field: IP by version nibble, or a pseudowire
 * control word (first nibble 0, RFC 4385/4448) followed by Ethernet. */
enum dec_state dec_mpls(struct dec_ctx *c)
{
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    for (int i = 0;; i++) {
        if (i >= DEC_MAX_MPLS)
            return dec_fail(c, ASC_DEC_UNSUPPORTED, ASC_DR_DEPTH);
        if (!dec_need(c, 4, ASC_DR_MPLS))
            return DS_DONE;
        uint32_t e = asc_cur_be32(&cur);
        c->off += 4;
        if (c->p->n_ipl == 0 && c->p->n_mpls < UINT8_MAX)
            c->p->n_mpls++;
        if (e & 0x100)
            break;
    }
    if (!dec_need(c, 1, ASC_DR_MPLS))
        return DS_DONE;
    switch (asc_cur_peek_u8(&cur, 0) >> 4) {
    case 4:
        return DS_IPV4;
    case 6:
        return DS_IPV6;
    case 0:
        if (!dec_need(c, 4, ASC_DR_MPLS))
            return DS_DONE;
        c->off += 4;
        return DS_ETH;
    default:
        return dec_fail(c, ASC_DEC_UNSUPPORTED, ASC_DR_MPLS);
    }
}

/* PPPoE session stage (RFC 2516): ver/type 0x11, code 0, session id, length,
 * then the PPP protocol field. */
enum dec_state dec_pppoe(struct dec_ctx *c)
{
    if (!dec_need(c, 6, ASC_DR_PPPOE))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    uint8_t vt = asc_cur_u8(&cur);
    uint8_t code = asc_cur_u8(&cur);
    if (vt != 0x11)
        return dec_fail(c, ASC_DEC_INVALID, ASC_DR_PPPOE);
    if (code != 0) /* discovery packet sent with the session ethertype */
        return dec_nonip(c);
    c->off += 6;
    return DS_PPP;
}

/* PPP protocol field, optionally after the HDLC address/control bytes
 * FF 03 (RFC 1662). A protocol with an odd first byte is the one-byte
 * compressed form (RFC 1661 PFC). */
enum dec_state dec_ppp(struct dec_ctx *c)
{
    if (!dec_need(c, 1, ASC_DR_LINK))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    if (asc_cur_peek_u8(&cur, 0) == 0xff && asc_cur_peek_u8(&cur, 1) == 0x03) {
        asc_cur_skip(&cur, 2);
        c->off += 2;
        if (!dec_need(c, 1, ASC_DR_LINK))
            return DS_DONE;
    }
    uint16_t proto = asc_cur_u8(&cur);
    if (!(proto & 1)) {
        if (!dec_need(c, 2, ASC_DR_LINK))
            return DS_DONE;
        proto = (uint16_t)(proto << 8 | asc_cur_u8(&cur));
        c->off += 2;
    } else {
        c->off += 1;
    }
    switch (proto) {
    case 0x0021:
        return DS_IPV4;
    case 0x0057:
        return DS_IPV6;
    case 0x0281:
    case 0x0283:
        return DS_MPLS;
    default:
        return dec_nonip(c); /* LCP, IPCP, CHAP, compressed data, ... */
    }
}

/* Cisco FabricPath: outer MACs(12), 0x8903, FTag/TTL(2), then the classic
 * Ethernet frame. The outer Ethernet header already took 14 bytes. */
enum dec_state dec_fabricpath(struct dec_ctx *c)
{
    if (!dec_need(c, 2, ASC_DR_LINK))
        return DS_DONE;
    c->off += 2;
    return DS_ETH;
}

/* Shared tail of the Linux cooked headers: protocol is an ethertype, or
 * one of the Linux ETH_P_* values below 0x0600. */
static enum dec_state sll_proto(struct dec_ctx *c, uint16_t hatype, uint16_t proto)
{
    if (hatype == 824) /* ARPHRD_NETLINK */
        return dec_nonip(c);
    if (proto == 0x0004) /* ETH_P_802_2: LLC follows */
        return DS_LLC;
    if (proto < 0x0600) /* Novell 802.3, CAN, ... */
        return dec_nonip(c);
    c->ethertype = proto;
    return DS_ETHERTYPE;
}

/* Linux cooked v1: pkttype(2) hatype(2) halen(2) addr(8) protocol(2). */
enum dec_state dec_sll(struct dec_ctx *c)
{
    if (!dec_need(c, 16, ASC_DR_LINK))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    asc_cur_skip(&cur, 2);
    uint16_t hatype = asc_cur_be16(&cur);
    asc_cur_skip(&cur, 10);
    uint16_t proto = asc_cur_be16(&cur);
    c->off += 16;
    return sll_proto(c, hatype, proto);
}

/* Linux cooked v2: protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1)
 * halen(1) addr(8). */
enum dec_state dec_sll2(struct dec_ctx *c)
{
    if (!dec_need(c, 20, ASC_DR_LINK))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    uint16_t proto = asc_cur_be16(&cur);
    asc_cur_skip(&cur, 6);
    uint16_t hatype = asc_cur_be16(&cur);
    c->off += 20;
    return sll_proto(c, hatype, proto);
}

static bool af_is_inet6(uint32_t af)
{
    return af == 24 || af == 28 || af == 30; /* OpenBSD/NetBSD, FreeBSD, Darwin */
}

/* BSD null (host byte order) and loopback (network byte order): a 4-byte
 * address family. The capturing host's order is unknown, so both are tried. */
enum dec_state dec_null(struct dec_ctx *c)
{
    if (!dec_need(c, 4, ASC_DR_LINK))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    struct asc_cursor cur2 = cur;
    uint32_t be = asc_cur_be32(&cur);
    uint32_t le = asc_cur_le32(&cur2);
    c->off += 4;
    if (be == 2 || le == 2)
        return DS_IPV4;
    if (af_is_inet6(be) || af_is_inet6(le))
        return DS_IPV6;
    return dec_fail(c, ASC_DEC_UNSUPPORTED, ASC_DR_ETHERTYPE);
}

/* Cisco HDLC: address(1) control(1) ethertype(2). */
enum dec_state dec_chdlc(struct dec_ctx *c)
{
    if (!dec_need(c, 4, ASC_DR_LINK))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    asc_cur_skip(&cur, 2);
    c->ethertype = asc_cur_be16(&cur);
    c->off += 4;
    return DS_ETHERTYPE;
}

/* Radiotap (radiotap.org): version 0, pad, length (LE), present bitmaps
 * (LE, chained by bit 31), then aligned fields. Only the Flags field is
 * read, for the "802.11 header padded" bit. */
enum dec_state dec_radiotap(struct dec_ctx *c)
{
    if (!dec_need(c, 8, ASC_DR_LINK))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    uint8_t ver = asc_cur_u8(&cur);
    asc_cur_skip(&cur, 1);
    uint16_t len = asc_cur_le16(&cur);
    uint32_t present = asc_cur_le32(&cur);
    if (ver != 0 || len < 8)
        return dec_fail(c, ASC_DEC_INVALID, ASC_DR_LINK);
    if (!dec_need(c, len, ASC_DR_LINK))
        return DS_DONE;
    cur.len = len; /* narrow the window to the radiotap header (checked above) */
    uint32_t word = present;
    for (int i = 0; (word & 0x80000000u) && i < 16; i++)
        word = asc_cur_le32(&cur);
    if (cur.bad)
        return dec_fail(c, ASC_DEC_INVALID, ASC_DR_LINK);
    if (present & 1) { /* TSFT: u64, 8-aligned from the header start */
        asc_cur_skip(&cur, (8 - cur.off % 8) % 8);
        asc_cur_skip(&cur, 8);
    }
    if (present & 2) {
        uint8_t flags = asc_cur_u8(&cur);
        c->wlan_pad = !cur.bad && (flags & 0x20);
    }
    c->off += len;
    return DS_IEEE80211;
}

/* IEEE 802.11 MAC header. Only data frames carry IP: FC(2) duration(2)
 * addr1..3(18) seq(2), addr4 when ToDS and FromDS, QoS control for QoS
 * subtypes, HT control when QoS and +HTC/Order. Then LLC/SNAP. */
enum dec_state dec_ieee80211(struct dec_ctx *c)
{
    if (!dec_need(c, 2, ASC_DR_LINK))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    uint8_t fc0 = asc_cur_u8(&cur);
    uint8_t fc1 = asc_cur_u8(&cur);
    uint8_t type = (fc0 >> 2) & 3, subtype = fc0 >> 4;
    if ((fc0 & 3) != 0)
        return dec_fail(c, ASC_DEC_INVALID, ASC_DR_LINK);
    if (type == 0 || type == 1) /* management, control */
        return dec_nonip(c);
    if (type != 2)
        return dec_fail(c, ASC_DEC_UNSUPPORTED, ASC_DR_LINK);
    if (subtype & 0x4) /* null function: no frame body */
        return dec_nonip(c);
    uint32_t hlen = 24;
    bool qos = subtype & 0x8;
    if ((fc1 & 0x03) == 0x03)
        hlen += 6;
    uint32_t qos_at = hlen;
    if (qos)
        hlen += 2;
    if (qos && (fc1 & 0x80))
        hlen += 4;
    if (!dec_need(c, hlen, ASC_DR_LINK))
        return DS_DONE;
    bool amsdu = qos && (asc_cur_peek_u8(&cur, qos_at - 2) & 0x80);
    if (c->wlan_pad)
        hlen = (hlen + 3) & ~3u;
    if (fc1 & 0x40) /* protected: encrypted body */
        return dec_fail(c, ASC_DEC_UNSUPPORTED, ASC_DR_LINK);
    if (!dec_need(c, hlen, ASC_DR_LINK))
        return DS_DONE;
    c->off += hlen;
    if (amsdu) { /* first A-MSDU subframe: DA(6) SA(6) length(2), then LLC */
        if (!dec_need(c, 14, ASC_DR_LINK))
            return DS_DONE;
        c->off += 14;
    }
    return DS_LLC;
}
