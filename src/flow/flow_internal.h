/*
 * flow_internal.h - the flow table's node and the per-flow state machine
 * shared by flow_table.c (storage, timers), flow_state.c (accounting, TCP
 * state, history) and flow_spill.c (counter carries). Not part of the
 * public interface.
 *
 * The node is a compact form of struct asc_flow, 152 bytes in three cache
 * lines: line 1 holds what a lookup reads (key hash, chain link, key, timer
 * links), line 2 what every packet updates (times and per-direction
 * counters), line 3 what is set rarely (history, creation order, wheel
 * slot, SYN options). Links are 32-bit node indexes, not pointers. Byte
 * counters keep their low 32 bits in the node; a carry out of them goes to
 * a side map (flow_spill.c), so records stay exact at any size. The node
 * is expanded into a struct asc_flow only when it is emitted.
 */
#ifndef ASC_FLOW_INTERNAL_H
#define ASC_FLOW_INTERNAL_H

#include "flow/flow_table.h"

/* TCP endpoint states, ordered so that >= EP_CLOSED means finished. */
enum ep_state {
    EP_INACTIVE = 0,
    EP_SYN_SENT,
    EP_SYN_ACK_SENT,
    EP_PARTIAL,
    EP_ESTABLISHED,
    EP_CLOSED,
    EP_RESET,
};

/* Counters of one direction. Byte counters: low 32 bits (see above). */
struct fdir {
    uint32_t pkts, frames;
    uint32_t ip_bytes, pl_bytes, wire_bytes;
    uint8_t tcp_flags, ttl_min, ttl_max;
    uint8_t ep;                 /* enum ep_state */
};

/* Index of a byte counter in the spill map: dir * 3 + which. */
enum { CNT_IP = 0, CNT_PL, CNT_WIRE, CNT__PER_DIR };

/* Internal flag bits beside the public ASC_FF_* bits in fnode.flags. */
#define FN_SPILLED 0x80         /* has an entry in the spill map */
#define FN_PUBLIC_FLAGS 0x0f

struct fnode {
    /* line 1: lookup */
    uint32_t hash;              /* low 32 bits of the key hash */
    uint32_t hnext;             /* hash chain / free list (node index, 0 = none) */
    struct asc_flow_key key;
    uint32_t tnext, tprev;      /* timer wheel slot list (node indexes) */
    /* line 2: per-packet accounting */
    asc_time first, last;
    struct fdir dir[2];         /* 0 = orig, 1 = resp */
    /* line 3: set rarely */
    uint64_t hist : 52;         /* history letters as 4-bit codes, first in the low bits */
    uint64_t tun : 4;           /* enum asc_tun */
    uint64_t first_rst : 2;     /* 0 none, 1 orig, 2 resp */
    uint64_t syn_optlen : 6;    /* TCP options are at most 40 bytes */
    uint64_t seq;               /* creation order */
    uint16_t slot;              /* wheel slot the timer is armed in */
    uint16_t syn_mss, syn_win;
    uint8_t flags;              /* ASC_FF_* | FN_* */
    uint8_t syn_wscale;
};

/* Carries out of the 32-bit byte counters (flow_spill.c). */
struct flow_spill;
struct flow_spill *flow_spill_new(void);
void flow_spill_free(struct flow_spill *s);
/* Add carry << 32 to counter c (dir * CNT__PER_DIR + CNT_*) of n. */
void flow_spill_add(struct flow_spill *s, struct fnode *n, unsigned c, uint32_t carry);
/* The high 32 bits of counter c of n (0 when n has no entry). */
uint64_t flow_spill_high(const struct flow_spill *s, const struct fnode *n, unsigned c);
/* Forget n's entry (node reuse). */
void flow_spill_drop(struct flow_spill *s, struct fnode *n);

static inline void flow_count(struct flow_spill *s, struct fnode *n, uint32_t *cnt, unsigned c,
                              uint64_t v)
{
    uint64_t sum = (uint64_t)*cnt + v;
    *cnt = (uint32_t)sum;
    if (sum >> 32)
        flow_spill_add(s, n, c, (uint32_t)(sum >> 32));
}

/* Full 64-bit value of a byte counter. */
static inline uint64_t flow_bytes(const struct flow_spill *s, const struct fnode *n, int d,
                                  unsigned which)
{
    const uint32_t *lo = which == CNT_IP ? &n->dir[d].ip_bytes
                         : which == CNT_PL ? &n->dir[d].pl_bytes
                                           : &n->dir[d].wire_bytes;
    uint64_t v = *lo;
    if (n->flags & FN_SPILLED)
        v += flow_spill_high(s, n, (unsigned)d * CNT__PER_DIR + which) << 32;
    return v;
}

void flow_init_direction(struct fnode *n, const struct asc_ipl *l);
void flow_update(struct flow_spill *s, struct fnode *n, const struct asc_pkt *p,
                 const struct asc_ipl *l, int dir, bool later_frag, asc_time ts);
/* The per-packet view of n (flow_state.c): brief, then the rest. */
void flow_expand_brief(const struct fnode *n, struct asc_flow *f);
void flow_expand_live_rest(const struct fnode *n, struct asc_flow *f);
/* Build the emitted record from n (why: end reason). */
void flow_expand(const struct flow_spill *s, const struct fnode *n, enum asc_flow_end why,
                 struct asc_flow *f);
bool flow_is_reuse(const struct fnode *n, const struct asc_ipl *l);
int idle_class(const struct fnode *n);

struct asc_dst_count *flow_dst_slot(struct asc_dst_count *tab, size_t nslots,
                                    const struct asc_addr *a);
/* Prefetch the two slots flow_dst_slot would look at for a. */
void flow_dst_prefetch(const struct asc_dst_count *tab, size_t nslots, const struct asc_addr *a);
size_t flow_dst_top(const struct asc_dst_count *tab, size_t nslots, struct asc_dst_count *out,
                    size_t n);

#endif
