/*
 * ip.c - IPv4 and IPv6 header decoders: one struct asc_ipl per IP header.
 *
 * Part of the decode stage, between link.c (or a tunnel in tunnel.c) and
 * transport.c. References: RFC 791 (IPv4, options, fragmentation), RFC 8200
 * (IPv6, extension headers, fragment header), RFC 2675 (jumbograms),
 * RFC 4302 (AH length in 4-octet units), RFC 6275 (mobility header),
 * RFC 7401 (HIP) and RFC 5533 (shim6) for the generic extension format.
 *
 * Invariants: a layer is counted in p->n_ipl as soon as its fixed header is
 * valid; the datagram bound (ctx->lim) becomes the IP length so padding and
 * trailers are never parsed as headers; a non-first fragment stops the walk.
 */
#include "decode/dec_internal.h"

#include <string.h>

void dec_addr4(struct asc_addr *a, struct asc_cursor *cur)
{
    memset(a, 0, sizeof(*a));
    a->family = ASC_AF_INET;
    asc_cur_copy(cur, a->b, 4);
}

void dec_addr6(struct asc_addr *a, struct asc_cursor *cur)
{
    memset(a, 0, sizeof(*a));
    a->family = ASC_AF_INET6;
    asc_cur_copy(cur, a->b, 16);
}

enum dec_state dec_ip_nibble(struct dec_ctx *c)
{
    if (!dec_need(c, 1, ASC_DR_IPV4))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    switch (asc_cur_peek_u8(&cur, 0) >> 4) {
    case 4:
        return DS_IPV4;
    case 6:
        return DS_IPV6;
    default:
        return dec_fail(c, ASC_DEC_INVALID, ASC_DR_IPV4);
    }
}

/* A new layer at ctx->off, or NULL (and the fault recorded) if the layer
 * limit is reached or the offset does not fit the layer's 16-bit fields. */
static struct asc_ipl *new_layer(struct dec_ctx *c, enum asc_dec_reason r)
{
    struct asc_pkt *p = c->p;
    if (p->n_ipl >= ASC_MAX_IPL) {
        dec_fail(c, ASC_DEC_UNSUPPORTED, ASC_DR_DEPTH);
        return NULL;
    }
    if (c->off > UINT16_MAX - 80) {
        dec_fail(c, ASC_DEC_UNSUPPORTED, r);
        return NULL;
    }
    struct asc_ipl *l = &p->ipl[p->n_ipl];
    asc_zero(l, sizeof(*l));
    l->l3_off = (uint16_t)c->off;
    l->tcp_wscale = 0xff;
    l->tun = c->tun;
    l->tun_id = c->tun_id;
    return l;
}

/* IPv4 (RFC 791): 20-byte fixed header, IHL*4 with options. */
enum dec_state dec_ipv4(struct dec_ctx *c)
{
    if (!dec_need(c, 20, ASC_DR_IPV4))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    uint8_t vihl = asc_cur_u8(&cur);
    asc_cur_skip(&cur, 1); /* DSCP/ECN */
    uint16_t total = asc_cur_be16(&cur);
    uint16_t id = asc_cur_be16(&cur);
    uint16_t fragw = asc_cur_be16(&cur);
    uint8_t ttl = asc_cur_u8(&cur);
    uint8_t proto = asc_cur_u8(&cur);
    asc_cur_skip(&cur, 2); /* checksum */
    uint32_t ihl = (uint32_t)(vihl & 0x0f) * 4;
    /* Total length 0: captured on a host with TCP segmentation offload,
     * before the NIC filled it in. Zeek and Wireshark then take the length
     * from the frame, and so do we. */
    uint32_t ip_len = total ? total : c->end - c->off;
    if ((vihl >> 4) != 4 || ihl < 20 || (total != 0 && total < ihl))
        return dec_fail(c, ASC_DEC_INVALID, ASC_DR_IPV4);
    if (!dec_need(c, ihl, ASC_DR_IPV4))
        return DS_DONE;
    struct asc_ipl *l = new_layer(c, ASC_DR_IPV4);
    if (!l)
        return DS_DONE;
    dec_addr4(&l->src, &cur);
    dec_addr4(&l->dst, &cur);
    l->ipver = 4;
    l->proto = proto;
    l->ttl = ttl;
    l->ip_id = id;
    l->ip_len = ip_len;
    l->hdr_len = ihl;
    c->p->n_ipl++;
    c->tun = ASC_TUN_NONE;
    c->tun_id = 0;
    if (total != 0) /* else the capture is the bound: a cut header is truncation */
        dec_set_lim(c, (uint64_t)c->off + total);
    c->off += ihl;

    uint32_t foff = (uint32_t)(fragw & 0x1fff) * 8;
    bool mf = fragw & 0x2000;
    if (foff != 0 || mf) {
        l->frag_id = id;
        l->frag_off = foff;
        if (foff != 0) {
            l->frag = ASC_FRAG_LATER;
            l->payload_len = ip_len - ihl;
            return DS_DONE;
        }
        l->frag = ASC_FRAG_FIRST;
        c->frag_cut = true;
    }
    return DS_L4;
}

/* Hop-by-hop options: returns the jumbo payload length (RFC 2675) or 0.
 * `opt` covers the option area of the header. */
static uint32_t hbh_jumbo(struct asc_cursor *opt)
{
    while (asc_cur_left(opt) > 0) {
        uint8_t type = asc_cur_u8(opt);
        if (type == 0) /* Pad1 */
            continue;
        uint8_t len = asc_cur_u8(opt);
        if (opt->bad || !asc_cur_has(opt, len))
            return 0;
        if (type == 0xc2 && len == 4)
            return asc_cur_be32(opt);
        asc_cur_skip(opt, len);
    }
    return 0;
}

/* Size of extension header `nh` given its length byte, or 0 if nh is not an
 * extension header (an upper-layer protocol, ESP or no-next-header). */
static uint32_t ext_size(uint8_t nh, uint8_t len_byte)
{
    switch (nh) {
    case 0:   /* hop-by-hop */
    case 43:  /* routing */
    case 60:  /* destination options */
    case 135: /* mobility */
    case 139: /* HIP */
    case 140: /* shim6 */
        return ((uint32_t)len_byte + 1) * 8;
    case 44: /* fragment */
        return 8;
    case 51: /* AH */
        return ((uint32_t)len_byte + 2) * 4;
    default:
        return 0;
    }
}

/* Walk the extension-header chain after the fixed header. Returns DS_L4,
 * or DS_DONE for a fault or a non-first fragment. */
static enum dec_state v6_ext_chain(struct dec_ctx *c, struct asc_ipl *l, uint8_t nh)
{
    for (int n = 0;; n++) {
        if (ext_size(nh, 0) == 0)
            break;
        if (n >= DEC_MAX_V6EXT)
            return dec_fail(c, ASC_DEC_INVALID, ASC_DR_IPV6_EXT);
        if (!dec_need(c, 2, ASC_DR_IPV6_EXT))
            return DS_DONE;
        struct asc_cursor cur;
        dec_cursor(c, &cur);
        uint8_t next = asc_cur_u8(&cur);
        uint32_t size = ext_size(nh, asc_cur_u8(&cur));
        if (!dec_need(c, size, ASC_DR_IPV6_EXT))
            return DS_DONE;
        if (nh == 44) {
            uint16_t fo = asc_cur_be16(&cur);
            uint32_t id = asc_cur_be32(&cur);
            l->frag_id = id;
            l->ip_id = (uint16_t)id;
            l->frag_off = fo & 0xfff8u;
            c->off += size;
            l->hdr_len += size;
            l->proto = next;
            if (l->frag_off != 0) {
                l->frag = ASC_FRAG_LATER;
                l->payload_len = l->ip_len > l->hdr_len ? l->ip_len - l->hdr_len : 0;
                return DS_DONE;
            }
            if (fo & 1) {
                l->frag = ASC_FRAG_FIRST;
                c->frag_cut = true;
            }
        } else {
            c->off += size;
            l->hdr_len += size;
            l->proto = next;
        }
        nh = next;
    }
    return DS_L4;
}

/* IPv6 (RFC 8200): 40-byte fixed header, then the extension chain. ESP (50)
 * and no-next-header (59) end it like any upper-layer protocol. */
enum dec_state dec_ipv6(struct dec_ctx *c)
{
    if (!dec_need(c, 40, ASC_DR_IPV6))
        return DS_DONE;
    struct asc_cursor cur;
    dec_cursor(c, &cur);
    uint8_t v = asc_cur_peek_u8(&cur, 0);
    asc_cur_skip(&cur, 4);
    uint16_t plen = asc_cur_be16(&cur);
    uint8_t nh = asc_cur_u8(&cur);
    uint8_t hlim = asc_cur_u8(&cur);
    if ((v >> 4) != 6)
        return dec_fail(c, ASC_DEC_INVALID, ASC_DR_IPV6);
    struct asc_ipl *l = new_layer(c, ASC_DR_IPV6);
    if (!l)
        return DS_DONE;
    dec_addr6(&l->src, &cur);
    dec_addr6(&l->dst, &cur);
    l->ipver = 6;
    l->proto = nh;
    l->ttl = hlim;
    l->hdr_len = 40;
    l->ip_len = 40u + plen;
    c->p->n_ipl++;
    c->tun = ASC_TUN_NONE;
    c->tun_id = 0;
    c->jumbo = false;

    uint32_t l3 = c->off;
    if (plen == 0 && nh == 0) {
        /* Possibly a jumbogram: the length is in the hop-by-hop header. */
        if (!dec_need_at(c, l3 + 40, 2, ASC_DR_IPV6_EXT))
            return DS_DONE;
        uint32_t size = ((uint32_t)asc_cur_peek_u8(&cur, 1) + 1) * 8;
        if (!dec_need_at(c, l3 + 40, size, ASC_DR_IPV6_EXT))
            return DS_DONE;
        struct asc_cursor opt = cur;
        asc_cur_skip(&opt, 2);
        opt.len = opt.off + size - 2;
        if (hbh_jumbo(&opt) != 0) {
            l->ip_len = c->end - l3;
            c->jumbo = true;
        }
    }
    if (!c->jumbo)
        dec_set_lim(c, (uint64_t)l3 + l->ip_len);
    c->off += 40;
    return v6_ext_chain(c, l, nh);
}
