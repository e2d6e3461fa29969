/*
 * flow_state.c - per-flow accounting: counters, TCP endpoint states, the
 * Zeek-style history string and conn_state, and flow direction.
 *
 * Part of the flow stage; called by flow_table.c for every IP layer of
 * every frame, so it must stay cheap and allocation-free.
 *
 * Direction: the originator is the sender of the first packet, except that
 * a TCP flow whose first packet is a SYN-ACK is flipped (the receiver of
 * the SYN-ACK initiated it) and its history starts with '^'.
 *
 * History: each letter appears at most once, so the node keeps the letters
 * as 4-bit codes (1..13, index into hist_letters + 1) in arrival order in
 * one word; flow_expand_live_rest() spells them out.
 */
#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"

static const char *const cs_names[ASC_CS__COUNT] = {
    "-", "S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTOS0", "RSTR", "RSTRH", "SH", "SHR", "OTH",
};

const char *asc_conn_state_name(enum asc_tcp_state s)
{
    return (unsigned)s < ASC_CS__COUNT ? cs_names[s] : "-";
}

void asc_icmp_ports(bool v6, uint8_t type, uint8_t code, uint16_t *sport, uint16_t *dport,
                    bool *one_way)
{
    /* Request/reply pairs (RFC 792, RFC 4443, RFC 4861, RFC 2710). */
    static const uint8_t v4[][2] = {{8, 0}, {0, 8}, {13, 14}, {14, 13}, {15, 16}, {16, 15},
                                    {10, 9}, {9, 10}, {17, 18}, {18, 17}};
    static const uint8_t v6p[][2] = {{128, 129}, {129, 128}, {133, 134}, {134, 133},
                                     {135, 136}, {136, 135}, {130, 131}, {131, 130},
                                     {139, 140}, {140, 139}, {144, 145}, {145, 144}};
    const uint8_t(*tab)[2] = v6 ? v6p : v4;
    size_t n = v6 ? ASC_ARRAY_LEN(v6p) : ASC_ARRAY_LEN(v4);
    *sport = type;
    for (size_t i = 0; i < n; i++) {
        if (tab[i][0] == type) {
            *dport = tab[i][1];
            *one_way = false;
            return;
        }
    }
    *dport = code;
    *one_way = true;
}

static const char hist_letters[] = "^SsHhFfRrDdAa";
enum {
    HC_FLIP = 1, HC_S, HC_s, HC_H, HC_h, HC_F, HC_f, HC_R, HC_r, HC_D, HC_d, HC_A, HC_a,
};
#define NIBBLES_ONE UINT64_C(0x0001111111111111) /* 1 in each of the 13 codes */

/* Whether code c is in the history (zero-nibble test on hist ^ c...c). */
static bool hist_has(uint64_t h, unsigned c)
{
    uint64_t x = h ^ (c * NIBBLES_ONE);
    return ((x - NIBBLES_ONE) & ~x & (NIBBLES_ONE << 3)) != 0;
}

static void swap_key(struct asc_flow_key *k)
{
    struct asc_addr a = k->orig;
    uint16_t p = k->orig_port;
    k->orig = k->resp;
    k->orig_port = k->resp_port;
    k->resp = a;
    k->resp_port = p;
}

static void hist_add(struct fnode *n, unsigned c)
{
    uint64_t h = n->hist;
    if (hist_has(h, c))
        return;
    unsigned len = h ? (unsigned)(64 - __builtin_clzll(h) + 3) / 4 : 0;
    n->hist = h | (uint64_t)c << (4 * len);   /* at most 13 codes: fits 52 bits */
}

void flow_init_direction(struct fnode *n, const struct asc_ipl *l)
{
    if (l->proto == 6 && l->l4_ok && l->frag != ASC_FRAG_LATER &&
        (l->tcp_flags & (ASC_TH_SYN | ASC_TH_ACK)) == (ASC_TH_SYN | ASC_TH_ACK)) {
        swap_key(&n->key);
        n->flags |= ASC_FF_FLIPPED;
        hist_add(n, HC_FLIP);
    }
    n->dir[0].ttl_min = n->dir[1].ttl_min = 0xff;
    n->syn_wscale = 0xff;
}

/* Which side sent this packet, relative to the key as stored. */
static void tcp_update(struct fnode *n, const struct asc_ipl *l, int d)
{
    uint8_t fl = l->tcp_flags;
    uint8_t *me = &n->dir[d].ep;
    const uint8_t *other = &n->dir[!d].ep;
    bool up = d == 0;
    if (fl & ASC_TH_SYN) {
        if (fl & ASC_TH_ACK) {
            hist_add(n, up ? HC_H : HC_h);
            if (*me == EP_INACTIVE || *me == EP_SYN_SENT)
                *me = EP_SYN_ACK_SENT;
        } else {
            hist_add(n, up ? HC_S : HC_s);
            if (*me == EP_INACTIVE)
                *me = EP_SYN_SENT;
            if (up && !n->dir[0].pkts) {
                n->flags |= ASC_FF_SYN_SEEN;
                n->syn_mss = l->tcp_mss;
                n->syn_wscale = l->tcp_wscale;
                n->syn_win = l->tcp_win;
                n->syn_optlen = l->tcp_optlen & 0x3f;
            }
        }
    }
    if (fl & ASC_TH_FIN)
        hist_add(n, up ? HC_F : HC_f);
    if (fl & ASC_TH_RST) {
        hist_add(n, up ? HC_R : HC_r);
        if (!n->first_rst)
            n->first_rst = (uint8_t)(d + 1);
    }
    if (l->payload_len > 0)
        hist_add(n, up ? HC_D : HC_d);
    else if ((fl & ASC_TH_ACK) && !(fl & (ASC_TH_SYN | ASC_TH_FIN | ASC_TH_RST)))
        hist_add(n, up ? HC_A : HC_a);

    if (fl & ASC_TH_RST) {
        *me = EP_RESET;
    } else if (fl & ASC_TH_FIN) {
        if (*me != EP_RESET)
            *me = EP_CLOSED;
    } else if (!(fl & ASC_TH_SYN)) {
        if (*me == EP_INACTIVE)
            *me = EP_PARTIAL;
        else if ((*me == EP_SYN_SENT || *me == EP_SYN_ACK_SENT) &&
                 (*other == EP_SYN_SENT || *other == EP_SYN_ACK_SENT ||
                  *other == EP_ESTABLISHED))
            *me = EP_ESTABLISHED;
    }
    /* The SYN-ACK answering a SYN establishes the originator's side. */
    if ((fl & (ASC_TH_SYN | ASC_TH_ACK)) == (ASC_TH_SYN | ASC_TH_ACK) && !up &&
        n->dir[0].ep == EP_SYN_SENT)
        n->dir[0].ep = EP_ESTABLISHED;
}

void flow_update(struct flow_spill *s, struct fnode *n, const struct asc_pkt *p,
                 const struct asc_ipl *l, int dir, bool later_frag, asc_time ts)
{
    struct fdir *d = &n->dir[dir];
    unsigned c = (unsigned)dir * CNT__PER_DIR;
    d->frames++;
    flow_count(s, n, &d->wire_bytes, c + CNT_WIRE, p->wirelen);
    if (later_frag) {
        flow_count(s, n, &d->ip_bytes, c + CNT_IP,
                   l->ip_len > l->hdr_len ? l->ip_len - l->hdr_len : 0);
        n->flags |= ASC_FF_FRAGMENTS;
    } else {
        uint32_t len = l->ip_len;
        /* A reassembled IPv6 datagram has no fragment header. */
        if (l->frag == ASC_FRAG_FIRST && l->ipver == 6 && len >= 8)
            len -= 8;
        if (l->frag == ASC_FRAG_FIRST)
            n->flags |= ASC_FF_FRAGMENTS;
        d->pkts++;
        flow_count(s, n, &d->ip_bytes, c + CNT_IP, len);
    }
    flow_count(s, n, &d->pl_bytes, c + CNT_PL, l->payload_len);
    if (l->ttl < d->ttl_min)
        d->ttl_min = l->ttl;
    if (l->ttl > d->ttl_max)
        d->ttl_max = l->ttl;
    n->last = ts;
    if (later_frag || !l->l4_ok)
        return;
    if (l->proto == 6) {
        d->tcp_flags |= l->tcp_flags;
        tcp_update(n, l, dir);
    } else if (l->proto == 17) {
        hist_add(n, dir == 0 ? HC_D : HC_d);
    }
}

static enum asc_tcp_state tcp_conn_state(const struct fnode *n)
{
    int o = n->dir[0].ep, r = n->dir[1].ep;
    bool o_syn = hist_has(n->hist, HC_S);
    bool r_synack = hist_has(n->hist, HC_h);
    if (o == EP_RESET && (n->first_rst == 1 || r != EP_RESET))
        return (o_syn && !r_synack) ? ASC_CS_RSTOS0 : ASC_CS_RSTO;
    if (r == EP_RESET) {
        if (o_syn && !r_synack)
            return ASC_CS_REJ;
        if (!o_syn && r_synack)
            return ASC_CS_RSTRH;
        return ASC_CS_RSTR;
    }
    if (o_syn && !r_synack) {
        if (o == EP_CLOSED)
            return ASC_CS_SH;
        return n->dir[1].pkts ? ASC_CS_OTH : ASC_CS_S0;
    }
    if (!o_syn && r_synack)
        return r == EP_CLOSED ? ASC_CS_SHR : ASC_CS_OTH;
    if (o_syn && r_synack) {
        if (o == EP_CLOSED && r == EP_CLOSED)
            return ASC_CS_SF;
        if (o == EP_CLOSED)
            return ASC_CS_S2;
        if (r == EP_CLOSED)
            return ASC_CS_S3;
        return ASC_CS_S1;
    }
    /* Midstream: no handshake seen. */
    if (o == EP_CLOSED && r == EP_CLOSED)
        return ASC_CS_SF;
    return ASC_CS_OTH;
}

/* The per-packet view (flow_table.h, asc_flow_table_pkt), in two steps.
 * Brief: what the detectors' pkt_wanted filters read -- key, first seen,
 * per-direction packets. Full (flow_expand_live_rest): the rest of what
 * per-packet detectors read -- last seen, frames, flags and TTLs, the
 * history, seq -- still without the byte counters (spill lookups), the
 * conn_state or the SYN options. f keeps zeros in the fields never
 * written (the table zeroes it once), so a reader never sees stale values
 * of fields outside the view. */
void flow_expand_brief(const struct fnode *n, struct asc_flow *f)
{
    f->key = n->key;
    f->first = n->first;
    f->dir[0].pkts = n->dir[0].pkts;
    f->dir[1].pkts = n->dir[1].pkts;
}

void flow_expand_live_rest(const struct fnode *n, struct asc_flow *f)
{
    f->last = n->last;
    for (int d = 0; d < 2; d++) {
        const struct fdir *x = &n->dir[d];
        f->dir[d].frames = x->frames;
        f->dir[d].tcp_flags = x->tcp_flags;
        f->dir[d].ttl_min = x->ttl_min == 0xff && !x->frames ? 0 : x->ttl_min;
        f->dir[d].ttl_max = x->ttl_max;
    }
    f->tun = (uint8_t)n->tun;
    f->flags = n->flags & FN_PUBLIC_FLAGS;
    size_t k = 0;
    for (uint64_t h = n->hist; h && k < ASC_HIST_MAX; h >>= 4)
        f->history[k++] = hist_letters[(h & 15) - 1];
    f->history[k] = '\0';
    f->seq = n->seq;
}

void flow_expand(const struct flow_spill *s, const struct fnode *n, enum asc_flow_end why,
                 struct asc_flow *f)
{
    asc_zero(f, sizeof(*f));
    flow_expand_brief(n, f);
    flow_expand_live_rest(n, f);
    for (int d = 0; d < 2; d++) {
        f->dir[d].ip_bytes = flow_bytes(s, n, d, CNT_IP);
        f->dir[d].pl_bytes = flow_bytes(s, n, d, CNT_PL);
        f->dir[d].wire_bytes = flow_bytes(s, n, d, CNT_WIRE);
    }
    f->end = (uint8_t)why;
    switch (n->key.proto) {
    case 6:
        f->state = (uint8_t)tcp_conn_state(n);
        break;
    case 17:
        f->state = n->dir[1].pkts ? (n->dir[0].pkts ? ASC_CS_SF : ASC_CS_SHR) : ASC_CS_S0;
        break;
    default:
        f->state = ASC_CS_OTH;
        break;
    }
    f->syn_mss = n->syn_mss;
    f->syn_wscale = n->syn_wscale;
    f->syn_optlen = (uint8_t)n->syn_optlen;
    f->syn_win = n->syn_win;
    f->src_kind = ASC_SRC_PCAP;
    f->sampling = 1;
}

/* A SYN (no ACK) from the originator on a finished connection starts a new
 * one, as does a SYN after the flow was reset or closed by both sides. */
bool flow_is_reuse(const struct fnode *n, const struct asc_ipl *l)
{
    if (l->proto != 6 || !l->l4_ok)
        return false;
    if ((l->tcp_flags & (ASC_TH_SYN | ASC_TH_ACK)) != ASC_TH_SYN)
        return false;
    uint8_t o = n->dir[0].ep, r = n->dir[1].ep;
    bool done = (o >= EP_CLOSED && r >= EP_CLOSED) || o == EP_RESET || r == EP_RESET;
    return done;
}

/* Timer class: changes when the idle timeout that applies changes. */
int idle_class(const struct fnode *n)
{
    if (n->key.proto != 6)
        return 0;
    uint8_t o = n->dir[0].ep, r = n->dir[1].ep;
    if ((o >= EP_CLOSED && r >= EP_CLOSED) || o == EP_RESET || r == EP_RESET)
        return 2;
    if (!n->dir[0].pkts || !n->dir[1].pkts)
        return 1;
    return 0;
}

/* ---------------------------------------------------------------- destinations */

/* Two independent multiplies and a final mix (was a byte-wise FNV-1a:
 * sixteen dependent multiplies on every new flow). */
static uint64_t dst_hash(const struct asc_addr *a)
{
    uint64_t w0, w1;
    memcpy(&w0, a->b, 8);
    memcpy(&w1, a->b + 8, 8);
    uint64_t h = (w0 * UINT64_C(0x9e3779b97f4a7c15)) ^ (w1 * UINT64_C(0xc2b2ae3d27d4eb4f)) ^
                 a->family;
    h ^= h >> 32;
    h *= UINT64_C(0xd6e8feb86659fd93);
    return h ^ (h >> 29);
}

void flow_dst_prefetch(const struct asc_dst_count *tab, size_t nslots, const struct asc_addr *a)
{
    uint64_t h = dst_hash(a);
    __builtin_prefetch(&tab[h & (nslots - 1)], 1);
    __builtin_prefetch(&tab[(h >> 32) & (nslots - 1)], 1);
}

/* Direct-mapped with replacement of the smaller entry, so heavy
 * destinations stay while one-off ones churn. */
struct asc_dst_count *flow_dst_slot(struct asc_dst_count *tab, size_t nslots,
                                    const struct asc_addr *a)
{
    uint64_t h = dst_hash(a);
    struct asc_dst_count *e1 = &tab[h & (nslots - 1)];
    struct asc_dst_count *e2 = &tab[(h >> 32) & (nslots - 1)];
    if (e1->addr.family && memcmp(&e1->addr, a, sizeof(*a)) == 0)
        return e1;
    if (e2->addr.family && memcmp(&e2->addr, a, sizeof(*a)) == 0)
        return e2;
    struct asc_dst_count *v = !e1->addr.family ? e1
                            : !e2->addr.family ? e2
                            : (e1->flows <= e2->flows ? e1 : e2);
    if (v->addr.family && v->flows > 1) {
        /* Decay instead of replacing a heavier entry outright. */
        v->flows--;
        return NULL;
    }
    memset(v, 0, sizeof(*v));
    v->addr = *a;
    return v;
}

static int dst_cmp(const void *a, const void *b)
{
    const struct asc_dst_count *x = a, *y = b;
    if (x->flows != y->flows)
        return x->flows > y->flows ? -1 : 1;
    return asc_addr_cmp(&x->addr, &y->addr);
}

size_t flow_dst_top(const struct asc_dst_count *tab, size_t nslots, struct asc_dst_count *out,
                    size_t n)
{
    struct asc_dst_count *all = asc_xcalloc(nslots, sizeof(*all));
    size_t k = 0;
    for (size_t i = 0; i < nslots; i++)
        if (tab[i].addr.family)
            all[k++] = tab[i];
    qsort(all, k, sizeof(*all), dst_cmp);
    size_t m = k < n ? k : n;
    memcpy(out, all, m * sizeof(*out));
    free(all);
    return m;
}
