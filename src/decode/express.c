/*
 * express.c - the decoder's express lane for the commonest frame: Ethernet
 * II carrying IPv4 that is not a fragment, or IPv6 with no extension
 * header.
 *
 * Part of the decode stage: asc_decode (decode.c) tries it before the state
 * machine. It reads the link and IP headers straight from the frame after
 * one bounds check per header, where the general walk takes three states
 * (Ethernet, ethertype, IP), a cursor per header and a check per field.
 * It leaves exactly what that walk leaves after those three states -- the
 * same layer, the same bounds in the context -- and the walk goes on from
 * the transport header (DS_L4). Anything else (a VLAN tag, a short or
 * invalid header, an IPv4 fragment or zero total length, an IPv6
 * extension header or jumbogram) makes it decline before it writes
 * anything, and the general walk starts from the link header.
 * test_decode_express checks that both give the same packet on every frame
 * of the shared captures and the malformed corpus.
 *
 * Same references as link.c and ip.c: IEEE 802.3 (Ethernet II), RFC 791
 * (IPv4), RFC 8200 (IPv6).
 */
#include "decode/dec_internal.h"

#define ETH_HLEN 14u

/* The IPv6 next-header values the general walk treats as extension
 * headers (ip.c, ext_size): the express lane leaves them to it. */
static bool v6_ext(uint8_t nh)
{
    switch (nh) {
    case 0:
    case 43:
    case 44:
    case 51:
    case 60:
    case 135:
    case 139:
    case 140:
        return true;
    default:
        return false;
    }
}

/* The layer as new_layer (ip.c) starts it at the express lane's offset,
 * with its addresses (alen bytes each, at src and src + alen). */
static struct asc_ipl *express_layer(struct dec_ctx *c, uint8_t ipver, const uint8_t *src,
                                     size_t alen)
{
    struct asc_ipl *l = &c->p->ipl[0];
    asc_zero(l, sizeof(*l));
    l->l3_off = ETH_HLEN;
    l->tcp_wscale = 0xff;
    l->ipver = ipver;
    l->src.family = l->dst.family = ipver == 4 ? ASC_AF_INET : ASC_AF_INET6;
    memcpy(l->src.b, src, alen);
    memcpy(l->dst.b, src + alen, alen);
    c->p->n_ipl = 1;
    return l;
}

/* The bounds the general walk leaves: the datagram ends where the IP
 * length says (dec_set_lim), the transport header follows the IP header. */
static bool express_bounds(struct dec_ctx *c, uint32_t ip_len, uint32_t hdr_len)
{
    c->lim = ETH_HLEN + ip_len;
    if (c->lim < c->end)
        c->end = c->lim;
    c->off = ETH_HLEN + hdr_len;
    return true;
}

static bool express_v4(struct dec_ctx *c, const uint8_t *q)
{
    uint32_t room = c->caplen - ETH_HLEN;
    if (room < 20)
        return false;
    uint32_t ihl = (uint32_t)(q[0] & 0x0f) * 4;
    uint32_t total = asc_load_be16(q + 2);
    uint16_t fragw = asc_load_be16(q + 6);
    if ((q[0] >> 4) != 4 || ihl < 20 || total < ihl || ihl > room || (fragw & 0x3fff) != 0)
        return false;
    struct asc_ipl *l = express_layer(c, 4, q + 12, 4);
    l->proto = q[9];
    l->ttl = q[8];
    l->ip_id = asc_load_be16(q + 4);
    l->ip_len = total;
    l->hdr_len = ihl;
    return express_bounds(c, total, ihl);
}

static bool express_v6(struct dec_ctx *c, const uint8_t *q)
{
    if (c->caplen - ETH_HLEN < 40)
        return false;
    uint32_t plen = asc_load_be16(q + 4);
    uint8_t nh = q[6];
    if ((q[0] >> 4) != 6 || v6_ext(nh))
        return false;
    struct asc_ipl *l = express_layer(c, 6, q + 8, 16);
    l->proto = nh;
    l->ttl = q[7];
    l->hdr_len = 40;
    l->ip_len = 40u + plen;
    return express_bounds(c, 40u + plen, 40);
}

bool dec_express(struct dec_ctx *c)
{
    if (c->caplen < ETH_HLEN)
        return false;
    const uint8_t *d = c->data;
    uint16_t type = asc_load_be16(d + 12);
    bool ok;
    switch (type) {
    case 0x0800:
        ok = express_v4(c, d + ETH_HLEN);
        break;
    case 0x86dd:
        ok = express_v6(c, d + ETH_HLEN);
        break;
    default:
        return false;
    }
    if (ok)
        c->ethertype = type;
    return ok;
}
