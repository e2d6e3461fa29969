/*
 * transport.c - transport headers on top of one IP layer: TCP, UDP, SCTP,
 * ICMP and ICMPv6 (with the packet an error message quotes), and the
 * hand-off to tunnels (IP-in-IP, GRE, UDP tunnels by port).
 *
 * Part of the decode stage: ip.c hands over with ctx->off at the transport
 * header; tunnel.c takes over for encapsulations. References: RFC 9293
 * (TCP, obsoletes RFC 793; options MSS kind 2), RFC 7323 (window scale
 * kind 3), RFC 768 (UDP), RFC 4960 / RFC 9260 (SCTP common header),
 * RFC 792 (ICMP), RFC 4443 (ICMPv6), RFC 2003 and RFC 2473 (IP in IP).
 *
 * payload_len always comes from the header lengths, never from caplen. Ports
 * are filled as soon as they are captured, l4_ok only when the whole header
 * is present and sane. ICMP follows Zeek: sport = type, dport = code.
 */
#include "decode/dec_internal.h"

#include <string.h>

/* TCP options: MSS and window scale; malformed options end the walk
 * without making the segment invalid. */
static void tcp_options(struct asc_ipl *l, struct asc_cursor *opt)
{
    while (asc_cur_left(opt) > 0) {
        uint8_t kind = asc_cur_u8(opt);
        if (kind == 0)
            break;
        if (kind == 1)
            continue;
        uint8_t len = asc_cur_u8(opt);
        if (opt->bad || len < 2 || !asc_cur_has(opt, (size_t)len - 2))
            break;
        if (kind == 2 && len == 4) {
            l->tcp_mss = asc_cur_be16(opt);
        } else if (kind == 3 && len == 3) {
            l->tcp_wscale = asc_cur_u8(opt);
        } else {
            asc_cur_skip(opt, (size_t)len - 2);
        }
    }
}

/* TCP (RFC 9293): ports(4) seq(4) ack(4) offset/flags(2) window(2)
 * checksum(2) urgent(2), options up to data offset * 4. */
static enum dec_state dec_tcp(struct dec_ctx *c, struct asc_ipl *l)
{
    if (!dec_need(c, 4, ASC_DR_TCP))
        return DS_DONE;
    const uint8_t *q = c->data + c->off; /* fields below are inside dec_need's bounds */
    l->sport = asc_load_be16(q);
    l->dport = asc_load_be16(q + 2);
    if (!dec_need(c, 20, ASC_DR_TCP))
        return DS_DONE;
    l->tcp_seq = asc_load_be32(q + 4);
    l->tcp_ack = asc_load_be32(q + 8);
    uint8_t doff = q[12] >> 4;
    l->tcp_flags = q[13];
    l->tcp_win = asc_load_be16(q + 14);
    if (doff < 5)
        return dec_fail(c, ASC_DEC_INVALID, ASC_DR_TCP);
    uint32_t hlen = (uint32_t)doff * 4;
    if (!dec_need(c, hlen, ASC_DR_TCP))
        return DS_DONE;
    l->tcp_optlen = (uint8_t)(hlen - 20);
    if (l->tcp_optlen) {
        l->tcp_opts = q + 20;
        struct asc_cursor opt;
        asc_cur_init(&opt, q + 20, l->tcp_optlen);
        tcp_options(l, &opt);
    }
    l->payload_len = dec_sub0(dec_ip_room(l), hlen);
    l->l4_ok = true;
    return DS_DONE;
}

/* UDP (RFC 768): ports(4) length(2) checksum(2). */
static enum dec_state dec_udp(struct dec_ctx *c, struct asc_ipl *l)
{
    if (!dec_need(c, 4, ASC_DR_UDP))
        return DS_DONE;
    const uint8_t *q = c->data + c->off; /* fields below are inside dec_need's bounds */
    l->sport = asc_load_be16(q);
    l->dport = asc_load_be16(q + 2);
    if (!dec_need(c, 8, ASC_DR_UDP))
        return DS_DONE;
    uint32_t ulen = asc_load_be16(q + 4);
    uint32_t room = dec_ip_room(l);
    if (ulen == 0 && c->jumbo && l->ipver == 6) /* RFC 2675 jumbo UDP */
        ulen = room;
    if (ulen < 8)
        return dec_fail(c, ASC_DEC_INVALID, ASC_DR_UDP);
    uint32_t dlen = ASC_MIN(ulen, room);
    l->payload_len = dec_sub0(dlen, 8);
    l->l4_ok = true;
    if (l->payload_len == 0)
        return DS_DONE;
    dec_set_lim(c, (uint64_t)c->off + dlen);
    c->off += 8;
    return dec_udp_tunnel(l->sport, l->dport);
}

/* SCTP (RFC 4960 section 3.1): ports(4) verification tag(4) checksum(4). */
static enum dec_state dec_sctp(struct dec_ctx *c, struct asc_ipl *l)
{
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    if (!dec_need(c, 4, ASC_DR_SCTP))
        return DS_DONE;
    l->sport = asc_cur_be16(&cur);
    l->dport = asc_cur_be16(&cur);
    if (!dec_need(c, 12, ASC_DR_SCTP))
        return DS_DONE;
    l->payload_len = dec_sub0(dec_ip_room(l), 12);
    l->l4_ok = true;
    return DS_DONE;
}

/* Ports (or ICMP type/code) of the quoted transport header, if captured. */
static void quoted_ports(struct asc_quoted *q, struct asc_cursor *cur)
{
    if (!asc_cur_has(cur, 4))
        return;
    switch (q->proto) {
    case 6:
    case 17:
    case 132:
    case 136: /* UDP-Lite */
        q->sport = asc_cur_be16(cur);
        q->dport = asc_cur_be16(cur);
        break;
    case 1:
    case 58:
        q->sport = asc_cur_u8(cur);
        q->dport = asc_cur_u8(cur);
        break;
    default:
        break;
    }
}

/* The IPv4 header quoted by an ICMP error (RFC 792) and its first bytes. */
static void quoted_v4(struct asc_quoted *q, struct asc_cursor *cur)
{
    if (!asc_cur_has(cur, 20))
        return;
    uint8_t vihl = asc_cur_peek_u8(cur, 0);
    uint32_t ihl = (uint32_t)(vihl & 0x0f) * 4;
    if ((vihl >> 4) != 4 || ihl < 20 || !asc_cur_has(cur, ihl))
        return;
    asc_cur_skip(cur, 6);
    uint16_t fragw = asc_cur_be16(cur);
    asc_cur_skip(cur, 1);
    q->proto = asc_cur_u8(cur);
    asc_cur_skip(cur, 2);
    dec_addr4(&q->src, cur);
    dec_addr4(&q->dst, cur);
    asc_cur_skip(cur, ihl - 20);
    q->valid = true;
    if ((fragw & 0x1fff) == 0)
        quoted_ports(q, cur);
}

/* The IPv6 header quoted by an ICMPv6 error (RFC 4443), its extension
 * headers (bounded) and its first transport bytes. */
static void quoted_v6(struct asc_quoted *q, struct asc_cursor *cur)
{
    if (!asc_cur_has(cur, 40) || (asc_cur_peek_u8(cur, 0) >> 4) != 6)
        return;
    asc_cur_skip(cur, 6);
    uint8_t nh = asc_cur_u8(cur);
    asc_cur_skip(cur, 1);
    dec_addr6(&q->src, cur);
    dec_addr6(&q->dst, cur);
    q->valid = true;
    for (int n = 0; n < DEC_MAX_V6EXT; n++) {
        uint32_t size;
        switch (nh) {
        case 0:
        case 43:
        case 60:
        case 135:
            size = ((uint32_t)asc_cur_peek_u8(cur, 1) + 1) * 8;
            break;
        case 51:
            size = ((uint32_t)asc_cur_peek_u8(cur, 1) + 2) * 4;
            break;
        case 44:
            size = 8;
            if ((((uint32_t)asc_cur_peek_u8(cur, 2) << 8 | asc_cur_peek_u8(cur, 3)) & 0xfff8) !=
                0) {
                q->proto = asc_cur_peek_u8(cur, 0);
                return; /* a non-first fragment quotes no ports */
            }
            break;
        default:
            q->proto = nh;
            quoted_ports(q, cur);
            return;
        }
        if (!asc_cur_has(cur, size)) {
            q->proto = nh;
            return;
        }
        nh = asc_cur_peek_u8(cur, 0);
        asc_cur_skip(cur, size);
    }
    q->proto = nh;
}

static bool icmp4_is_error(uint8_t type)
{
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* ICMP (RFC 792) and ICMPv6 (RFC 4443): type(1) code(1) checksum(2) and
 * four type-specific bytes; errors then quote the offending packet. */
static enum dec_state dec_icmp(struct dec_ctx *c, struct asc_ipl *l, bool v6)
{
    enum asc_dec_reason r = v6 ? ASC_DR_ICMP6 : ASC_DR_ICMP;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    if (!dec_need(c, 2, r))
        return DS_DONE;
    l->icmp_type = asc_cur_u8(&cur);
    l->icmp_code = asc_cur_u8(&cur);
    l->sport = l->icmp_type;
    l->dport = l->icmp_code;
    if (!dec_need(c, 8, r))
        return DS_DONE;
    asc_cur_skip(&cur, 6);
    l->payload_len = dec_sub0(dec_ip_room(l), 8);
    l->l4_ok = true;
    bool err = v6 ? (l->icmp_type >= 1 && l->icmp_type <= 4) : icmp4_is_error(l->icmp_type);
    if (err) {
        if (v6)
            quoted_v6(&l->quoted, &cur);
        else
            quoted_v4(&l->quoted, &cur);
    }
    return DS_DONE;
}

enum dec_state dec_l4(struct dec_ctx *c)
{
    struct asc_pkt *p = c->p;
    if (p->n_ipl == 0)
        return DS_DONE;
    struct asc_ipl *l = &p->ipl[p->n_ipl - 1];
    enum dec_state next;
    switch (l->proto) {
    case 4:  /* IPv4 in IP (RFC 2003) */
    case 41: /* IPv6 in IP (RFC 4213, RFC 2473) */
        l->payload_len = dec_ip_room(l);
        c->tun = ASC_TUN_IPIP;
        c->tun_id = 0;
        return l->proto == 4 ? DS_IPV4 : DS_IPV6;
    case 6:
    case 17:
    case 132:
    case 1:
    case 58:
    case 47:
        break;
    default:
        l->payload_len = dec_ip_room(l);
        return DS_DONE;
    }
    if (c->off > UINT16_MAX)
        return dec_fail(c, ASC_DEC_UNSUPPORTED, ASC_DR_DEPTH);
    l->l4_off = (uint16_t)c->off;
    switch (l->proto) {
    case 6:
        next = dec_tcp(c, l);
        break;
    case 17:
        next = dec_udp(c, l);
        break;
    case 132:
        next = dec_sctp(c, l);
        break;
    case 1:
        next = dec_icmp(c, l, false);
        break;
    case 58:
        next = dec_icmp(c, l, true);
        break;
    default:
        next = DS_GRE;
        break;
    }
    return next;
}
