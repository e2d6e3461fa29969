/*
 * tab_misc.c - victims, vectors and the timeline of the report (stats.h).
 *
 * Victims and vectors group the collector's compact incident copies by
 * attacked address and by (type, vector). The timeline has the frames and
 * wire bytes per bin counted during the run, and attack packets per bin:
 * each scan, brute-force and flood incident's packets spread evenly over
 * its [start, end] (integer arithmetic, so every packet lands in one bin).
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

static int cmp_victim(const void *pa, const void *pb)
{
    const struct st_inc *a = *(const struct st_inc *const *)pa;
    const struct st_inc *b = *(const struct st_inc *const *)pb;
    return asc_addr_cmp(&a->victim, &b->victim);
}

static int cmp_vector(const void *pa, const void *pb)
{
    const struct st_inc *a = *(const struct st_inc *const *)pa;
    const struct st_inc *b = *(const struct st_inc *const *)pb;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    return strcmp(a->vector, b->vector);
}

static const struct st_inc **sorted(const struct asc_stats *st,
                                    int (*cmp)(const void *, const void *))
{
    const struct st_inc **v = asc_xcalloc(st->n_inc + 1, sizeof(*v));
    for (size_t i = 0; i < st->n_inc; i++)
        v[i] = &st->inc[i];
    qsort(v, st->n_inc, sizeof(*v), cmp);
    return v;
}

/* Adds incident c into the row's common columns, from column `at`:
 * pkts, bytes, peak_pps, first, last; sources and grades at `src`. */
static void add_common(union asc_cell *r, size_t at, size_t src, const struct st_inc *c,
                       bool first)
{
    r[at].u += c->pkts;
    r[at + 1].u += c->bytes;
    if (first || c->peak_pps > r[at + 2].d)
        r[at + 2].d = c->peak_pps;
    if (first || c->start < r[at + 3].t)
        r[at + 3].t = c->start;
    if (first || c->end > r[at + 4].t)
        r[at + 4].t = c->end;
    r[src].u += c->n_sources;
    for (int g = 0; g < ASC_GRADE__COUNT; g++)
        r[src + 1 + g].u += c->grade_count[g];
}

static void victims(struct asc_stats *st, struct asc_table *t)
{
    tab_init(t, "victims", "Victims: who was attacked, by what, how hard", "", "table",
             "incidents", ASC_ALL_GRADES);
    tab_note(t, "Every incident grouped by its victim address (\"\": incidents with several "
                "victims). types: the incident types, in type order; pkts, bytes: summed; "
                "peak_pps and severity: the largest; first, last: the earliest start and the "
                "latest end; sources and grade columns: summed over incidents. Rows: pkts "
                "descending, then victim.");
    tab_col(t, "victim", "Victim", ASC_COL_ADDR);
    tab_col(t, "incidents", "Incidents", ASC_COL_INT);
    tab_col(t, "types", "Types", ASC_COL_STRING);
    tab_col(t, "pkts", "Packets", ASC_COL_INT);
    tab_col(t, "bytes", "Bytes", ASC_COL_INT);
    tab_col(t, "peak_pps", "Peak pkt/s", ASC_COL_FLOAT);
    tab_col(t, "first", "First", ASC_COL_TIME);
    tab_col(t, "last", "Last", ASC_COL_TIME);
    tab_col(t, "severity", "Severity", ASC_COL_FLOAT);
    tab_col(t, "sources", "Sources", ASC_COL_INT);
    tab_grade_cols(t, ASC_ALL_GRADES);
    const struct st_inc **v = sorted(st, cmp_victim);
    for (size_t i = 0; i < st->n_inc;) {
        union asc_cell *r = tab_row(t);
        unsigned types = 0;
        size_t j = i;
        for (; j < st->n_inc && asc_addr_eq(&v[j]->victim, &v[i]->victim); j++) {
            r[1].u++;
            types |= 1u << (v[j]->type % 32);
            add_common(r, 3, 9, v[j], j == i);
            if (j == i || v[j]->severity > r[8].d)
                r[8].d = v[j]->severity;
        }
        char buf[128] = "";
        for (unsigned k = 0; k < ASC_INC__COUNT; k++)
            if (types & (1u << k))
                snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
                         buf[0] ? "," : "", asc_inc_type_name(k));
        r[0].s = tab_addr(&v[i]->victim);
        r[2].s = tab_str(buf);
        i = j;
    }
    free(v);
    /* add_common put peak_pps at 5, first 6, last 7: the column order */
    static const int spec[] = {-4, 1};
    tab_sort(t, spec, ASC_ARRAY_LEN(spec));
}

static void vectors(struct asc_stats *st, struct asc_table *t)
{
    tab_init(t, "vectors", "Attack vectors", "", "table", "incidents", ASC_ALL_GRADES);
    tab_note(t, "Every incident grouped by type and vector. victims: summed over incidents "
                "(a victim of two incidents counts twice); pkts, bytes, sources and grade "
                "columns: summed; peak_pps: the largest; first, last: the earliest start and "
                "the latest end. Rows: pkts descending, then type, then vector.");
    tab_col(t, "type", "Type", ASC_COL_STRING);
    tab_col(t, "vector", "Vector", ASC_COL_STRING);
    tab_col(t, "incidents", "Incidents", ASC_COL_INT);
    tab_col(t, "victims", "Victims", ASC_COL_INT);
    tab_col(t, "pkts", "Packets", ASC_COL_INT);
    tab_col(t, "bytes", "Bytes", ASC_COL_INT);
    tab_col(t, "peak_pps", "Peak pkt/s", ASC_COL_FLOAT);
    tab_col(t, "first", "First", ASC_COL_TIME);
    tab_col(t, "last", "Last", ASC_COL_TIME);
    tab_col(t, "sources", "Sources", ASC_COL_INT);
    tab_grade_cols(t, ASC_ALL_GRADES);
    const struct st_inc **v = sorted(st, cmp_vector);
    for (size_t i = 0; i < st->n_inc;) {
        union asc_cell *r = tab_row(t);
        r[0].s = tab_str(asc_inc_type_name(v[i]->type));
        r[1].s = tab_str(v[i]->vector);
        size_t j = i;
        for (; j < st->n_inc && !cmp_vector(&v[j], &v[i]); j++) {
            r[2].u++;
            r[3].u += v[j]->n_victims;
            add_common(r, 4, 9, v[j], j == i);
        }
        i = j;
    }
    free(v);
    static const int spec[] = {-5, 1, 2};
    tab_sort(t, spec, ASC_ARRAY_LEN(spec));
}

/* Packets of c before time x, spread evenly over [start, end]. */
static uint64_t cum(const struct st_inc *c, asc_time x)
{
    if (x <= c->start)
        return 0;
    if (x >= c->end)
        return c->pkts;
    unsigned __int128 num = (unsigned __int128)c->pkts * (uint64_t)(x - c->start);
    return (uint64_t)(num / (uint64_t)(c->end - c->start));
}

static void spread(const struct asc_stats *st, const struct st_inc *c, uint64_t *bins)
{
    int64_t w = st->width;
    int64_t b0 = (c->start < 0 ? 0 : c->start) / w - st->base;
    int64_t b1 = (c->end < 0 ? 0 : c->end) / w - st->base;
    int64_t last = (int64_t)st->n_bins - 1;
    b0 = b0 < 0 ? 0 : b0 > last ? last : b0;
    b1 = b1 < 0 ? 0 : b1 > last ? last : b1;
    if (c->end <= c->start || b0 == b1) {
        bins[b0] += c->pkts;
        return;
    }
    for (int64_t b = b0; b <= b1; b++) {
        asc_time lo = b == b0 ? c->start : (st->base + b) * w;
        asc_time hi = b == b1 ? c->end : (st->base + b + 1) * w;
        bins[b] += cum(c, hi) - cum(c, lo);
    }
}

static void timeline(struct asc_stats *st, struct asc_table *t)
{
    tab_init(t, "timeline", "Traffic and attack packets over time", "", "timeline",
             "frames and wire bytes per bin; attack packets per bin", ASC_ALL_GRADES);
    tab_note(t, "t: the bin's start (bins of thresholds.bin_seconds, aligned on multiples of "
                "it; the width is the first of 0.01, 0.05, 0.1, 0.5, 1, 5, 10, ... s that "
                "keeps the run within %d bins). pkts, bytes: every frame read (IP or not) and "
                "its length on the wire, counted when read (a frame earlier than the first "
                "goes to the first bin). attack_pkts: the packets of scan, brute-force and "
                "flood incidents, each spread evenly over its start..end (the part before "
                "time x is floor(pkts*(x-start)/(end-start))); an incident with end = start "
                "goes to the bin of its start.",
             ASC_STATS_MAX_BINS);
    tab_th(t, "bin_seconds", (double)(st->width ? st->width : 10000000) / 1e9);
    tab_col(t, "t", "Time", ASC_COL_TIME);
    tab_col(t, "pkts", "Frames", ASC_COL_INT);
    tab_col(t, "bytes", "Wire bytes", ASC_COL_INT);
    tab_col(t, "attack_pkts", "Attack packets", ASC_COL_INT);
    uint64_t att[ASC_STATS_MAX_BINS] = {0};
    for (size_t i = 0; st->n_bins && i < st->n_inc; i++)
        if (st_is_attack(st->inc[i].type))
            spread(st, &st->inc[i], att);
    for (size_t b = 0; b < st->n_bins; b++) {
        union asc_cell *r = tab_row(t);
        r[0].t = (st->base + (int64_t)b) * st->width;
        r[1].u = st->bin_pkts[b];
        r[2].u = st->bin_bytes[b];
        r[3].u = att[b];
    }
}

void st_build_misc(struct asc_stats *st)
{
    victims(st, &st->tab[ASC_TAB_VICTIMS]);
    vectors(st, &st->tab[ASC_TAB_VECTORS]);
    timeline(st, &st->tab[ASC_TAB_TIMELINE]);
    static const int copies[] = {ASC_TAB_PORTS, ASC_TAB_VICTIMS, ASC_TAB_VECTORS,
                                 ASC_TAB_TIMELINE};
    for (size_t i = 0; st->inc_dropped && i < ASC_ARRAY_LEN(copies); i++)
        tab_note(&st->tab[copies[i]], "%llu incidents beyond the first %d are not in this table.",
                 (unsigned long long)st->inc_dropped, ASC_STATS_MAX_INC);
    static const int intel[] = {ASC_TAB_CONTROLLERS_CC, ASC_TAB_CONTROLLER_MATRIX,
                                ASC_TAB_BAD_CC, ASC_TAB_BAD_ASN};
    for (size_t i = 0; st->intel_dropped && i < ASC_ARRAY_LEN(intel); i++)
        tab_note(&st->tab[intel[i]],
                 "%llu known-bad contacts beyond the first %d are not in this table.",
                 (unsigned long long)st->intel_dropped, ASC_STATS_MAX_INC);
}
