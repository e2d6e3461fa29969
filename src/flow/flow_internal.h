/*
 * flow_internal.h - the flow table's node and the per-flow state machine
 * shared by flow_table.c (storage, timers) and flow_state.c (accounting,
 * TCP state, history). Not part of the public interface.
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

/* The hash and chain link come first so that a lookup touches one cache
 * line per node: hash, link and the start of the key together. */
struct fnode {
    uint64_t hash;
    struct fnode *hnext;        /* hash chain / free list */
    struct asc_flow f;          /* the record handed to the emitter */
    struct fnode *tnext, *tprev;/* timer wheel slot list */
    int64_t tsec;               /* wheel second the timer is armed for */
    uint8_t ep[2];              /* enum ep_state per direction */
    uint8_t hist_len;
    uint8_t first_rst;          /* 0 none, 1 orig, 2 resp */
};

void flow_init_direction(struct fnode *n, const struct asc_ipl *l);
void flow_update(struct fnode *n, const struct asc_pkt *p, const struct asc_ipl *l, int dir,
                 bool later_frag, asc_time ts);
void flow_finalize(struct fnode *n, enum asc_flow_end why);
bool flow_is_reuse(const struct fnode *n, const struct asc_ipl *l);
int idle_class(const struct fnode *n);

struct asc_dst_count *flow_dst_slot(struct asc_dst_count *tab, size_t nslots,
                                    const struct asc_addr *a);
size_t flow_dst_top(const struct asc_dst_count *tab, size_t nslots, struct asc_dst_count *out,
                    size_t n);

#endif
