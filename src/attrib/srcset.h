/*
 * srcset.h - the sources of one incident: exact while few, bounded beyond.
 *
 * Every detector keeps one per open incident. Sources are held exactly
 * (address, packets, bytes, TTL range, evidence bits) up to `exact_cap`;
 * beyond that a source is counted at first sight only: HyperLogLog for the
 * distinct count, a Bloom filter to tell new from seen, and its class and
 * country/AS go straight into the grouped counters. Top sources by packets
 * come from Space-Saving over every packet. Memory is bounded whatever the
 * number of sources (a random-source flood of millions stays within
 * exact_cap entries + 2 MiB + the group tables).
 *
 * asc_srcset_finish() grades every source (grade.h) and fills the
 * incident's source count, grade counts, top sources and the groups by
 * country and by AS. The incident then borrows the set's arrays until the
 * set is freed or finished again.
 */
#ifndef ASC_SRCSET_H
#define ASC_SRCSET_H

#include "attrib/grade.h"
#include "model/incident.h"

struct asc_srcset;

struct asc_srcset *asc_srcset_new(size_t exact_cap);
void asc_srcset_free(struct asc_srcset *s);

/* Account packets from a source. ttl 0 = unknown. ev: ASC_EV_* seen now. */
void asc_srcset_add(struct asc_srcset *s, const struct asc_grader *g, const struct asc_addr *a,
                    uint64_t pkts, uint64_t bytes, uint8_t ttl, unsigned ev);
/* Later evidence for a source already counted (exact entries only);
 * returns false when the source is not held exactly. */
bool asc_srcset_mark(struct asc_srcset *s, const struct asc_addr *a, unsigned ev);
/* Whether a source has been seen (exactly held, or probably, beyond). */
bool asc_srcset_has(const struct asc_srcset *s, const struct asc_addr *a);

uint64_t asc_srcset_count(const struct asc_srcset *s);    /* distinct, estimated beyond cap */
uint64_t asc_srcset_pkts(const struct asc_srcset *s);

/* Grades and fills inc->n_sources, n_sources_estimated, grade_count,
 * top/n_top, by_cc/n_by_cc, by_asn/n_by_asn. */
void asc_srcset_finish(struct asc_srcset *s, const struct asc_grader *g,
                       struct asc_incident *inc);

#endif
