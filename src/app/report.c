/*
 * report.c - the terminal report of `ascribe analyze`: incidents, traffic summary,
 * the statistics tables (src/report) with inline bars, protocol mix, top
 * talkers, decode outcomes. Fits 100 columns; colour only when asked (on a
 * terminal). Incidents come first, most severe first. --quiet: headline and
 * incidents only; --verbose: every row of every table.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "enrich/intel.h"
#include "report/stats.h"
#include "sink/flow_fmt.h"

static const char *human(uint64_t v, char *buf, size_t len)
{
    static const char *const unit[] = {"", "k", "M", "G", "T", "P"};
    double d = (double)v;
    int u = 0;
    while (d >= 1000 && u < 5) {
        d /= 1000;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%" PRIu64, v);
    else
        snprintf(buf, len, "%.1f%s", d, unit[u]);
    return buf;
}

static void fmt_time(asc_time t, char *buf, size_t len)
{
    time_t s = (time_t)(t / ASC_NS_PER_SEC);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static void bar(FILE *f, double frac, int width)
{
    int n = (int)(frac * width + 0.5);
    for (int i = 0; i < width; i++)
        fputs(i < n ? "#" : ".", f);
}

static void heading(FILE *f, const char *t, bool color)
{
    fprintf(f, "\n%s%s%s\n", color ? "\033[1m" : "", t, color ? "\033[0m" : "");
}

/* One line: the geo databases (name and build date) and the intel lists. */
static void databases(FILE *f, const struct asc_enricher *e)
{
    char line[512], day[16];
    size_t o = 0, n = e ? asc_enrich_n_backends(e) : 0;
    line[0] = 0;
    for (size_t i = 0; i < n && o < sizeof(line); i++) {
        const struct asc_db_info *d = asc_enrich_backend(e, i);
        time_t t = (time_t)d->built;
        struct tm tm;
        if (d->built <= 0 || !gmtime_r(&t, &tm) || !strftime(day, sizeof(day), "%Y-%m-%d", &tm))
            snprintf(day, sizeof(day), "undated");
        o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s %s", i ? ", " : "",
                              d->name ? d->name : d->kind, day);
    }
    const struct asc_intel *in = e ? asc_enrich_intel(e) : NULL;
    size_t nl = in ? asc_intel_n_lists(in) : 0;
    if (nl && o < sizeof(line))
        o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%zu intel list%s", o ? "; " : "",
                              nl, nl == 1 ? "" : "s");
    fprintf(f, "  databases   %.86s%s\n", o ? line : "none (no enrichment)",
            strlen(line) > 86 ? "..." : "");
}

static void overview(FILE *f, const struct asc_run_summary *s)
{
    char a[32], b[32], c[32], t1[40], t2[40];
    fmt_time(s->first, t1, sizeof(t1));
    fmt_time(s->last, t2, sizeof(t2));
    fprintf(f, "  inputs      %zu file(s)%s\n", s->n_inputs,
            s->inputs_damaged ? "  (DAMAGED input: see errors above)" : "");
    fprintf(f, "  frames      %s   wire bytes %s   flows %s\n", human(s->frames, a, sizeof(a)),
            human(s->wire_bytes, b, sizeof(b)), human(s->flows_emitted, c, sizeof(c)));
    if (s->frames)
        fprintf(f, "  data time   %s .. %s  (%.3f s)\n", t1, t2,
                (double)(s->last - s->first) / 1e9);
    fprintf(f, "  flow table  peak %" PRIu64 " live, %" PRIu64 " evicted, %" PRIu64
               " reused, %" PRIu64 " orphan fragments\n",
            s->flow.peak_live, s->flow.evicted, s->flow.reused, s->flow.frag_orphan);
    databases(f, s->enr);
}

static void protocols(FILE *f, const struct asc_run_summary *s, bool color)
{
    uint64_t total = 0;
    for (int p = 0; p < 256; p++)
        total += s->proto[p].ip_bytes;
    heading(f, "Protocol mix (by IP bytes, all layers)", color);
    fprintf(f, "  %-8s %10s %12s %12s  %6s\n", "proto", "flows", "packets", "IP bytes", "share");
    char pn[8], a[32], b[32], c[32];
    for (int p = 0; p < 256; p++) {
        const struct asc_proto_count *pc = &s->proto[p];
        if (!pc->flows)
            continue;
        double fr = total ? (double)pc->ip_bytes / (double)total : 0;
        fprintf(f, "  %-8s %10s %12s %12s  %5.1f%% ",
                p == 58 ? "icmp6" : asc_proto_name((uint8_t)p, pn, sizeof(pn)),
                human(pc->flows, a, sizeof(a)), human(pc->pkts, b, sizeof(b)),
                human(pc->ip_bytes, c, sizeof(c)), 100 * fr);
        bar(f, fr, 30);
        fputc('\n', f);
    }
}

static void talkers(FILE *f, const struct asc_run_summary *s, bool color)
{
    char a[ASC_ADDR_STRLEN], b[32], c[32];
    heading(f, "Top talkers (IP bytes sent + received)", color);
    for (size_t i = 0; i < s->n_talkers; i++)
        fprintf(f, "  %-40s %12s bytes %10s pkts\n",
                asc_addr_str(&s->talkers[i].key, a, sizeof(a)),
                human(s->talkers[i].count, b, sizeof(b)), human(s->talkers[i].aux, c, sizeof(c)));
    if (s->n_dst && s->dst[0].flows > 1) {
        heading(f, "Destinations by new flows", color);
        for (size_t i = 0; i < s->n_dst && s->dst[i].flows > 1; i++)
            fprintf(f, "  %-40s %12" PRIu64 " flows %10" PRIu64 " evicted\n",
                    asc_addr_str(&s->dst[i].addr, a, sizeof(a)), s->dst[i].flows,
                    s->dst[i].evicted_flows);
    }
}

static void decoding(FILE *f, const struct asc_run_summary *s, bool color)
{
    heading(f, "Decode outcomes", color);
    for (int i = 0; i < ASC_DEC__COUNT; i++)
        fprintf(f, "  %-12s %" PRIu64 "\n", asc_dec_status_name((enum asc_dec_status)i),
                s->dec_status[i]);
    bool any = false;
    for (int i = 1; i < ASC_DR__COUNT; i++) {
        if (!s->dec_reason[i])
            continue;
        if (!any)
            fputs("  stopped at:", f);
        fprintf(f, " %s=%" PRIu64, asc_dec_reason_name((enum asc_dec_reason)i), s->dec_reason[i]);
        any = true;
    }
    if (any)
        fputc('\n', f);
}

static int cmp_brief(const void *pa, const void *pb)
{
    const struct asc_inc_brief *a = *(const struct asc_inc_brief *const *)pa;
    const struct asc_inc_brief *b = *(const struct asc_inc_brief *const *)pb;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return strcmp(a->line, b->line);
}

/* Incidents, most severe first, with their sources' grades. */
static void incidents(FILE *f, const struct asc_run_summary *s, bool color)
{
    char t1[40], hdr[64];
    snprintf(hdr, sizeof(hdr), "Incidents (%zu)", s->n_incidents);
    heading(f, hdr, color);
    if (!s->n_incidents) {
        fputs("  none at the thresholds in force\n", f);
        return;
    }
    const struct asc_inc_brief **v = asc_xcalloc(s->n_incidents, sizeof(*v));
    for (size_t i = 0; i < s->n_incidents; i++)
        v[i] = &s->incidents[i];
    qsort(v, s->n_incidents, sizeof(*v), cmp_brief);
    for (size_t i = 0; i < s->n_incidents; i++) {
        const struct asc_inc_brief *b = v[i];
        fmt_time(b->start, t1, sizeof(t1));
        fprintf(f, "  %s[%4.1f]%s %-11s %.80s\n", color && b->severity >= 7 ? "\033[31m" : "",
                b->severity, color && b->severity >= 7 ? "\033[0m" : "", asc_inc_type_name(b->type),
                b->line);
        fprintf(f, "         from %s for %.3f s; sources by grade:", t1,
                (double)(b->end - b->start) / 1e9);
        for (int g = 0; g < ASC_GRADE__COUNT; g++)
            if (b->grade_count[g])
                fprintf(f, " %s %" PRIu64, asc_grade_name((unsigned)g), b->grade_count[g]);
        fputc('\n', f);
        for (size_t j = 0; j < b->n_top; j++)
            fprintf(f, "         %s %s\n", j ? "    " : "top", b->top[j]);
    }
    free(v);
}

/* Counters of flow exports and Zeek logs; only the non-zero ones. */
static void flow_inputs(FILE *f, const struct asc_run_summary *s, bool color)
{
    int shown = 0;
    for (int i = 0; i < ASC_FI__COUNT; i++) {
        if (!s->flowin.c[i])
            continue;
        if (!shown)
            heading(f, "Flow inputs (exports and logs)", color);
        fprintf(f, "  %-26s %12" PRIu64, asc_fi_counter_name((enum asc_fi_counter)i),
                s->flowin.c[i]);
        if (++shown % 2 == 0)
            fputc('\n', f);
    }
    if (shown % 2)
        fputc('\n', f);
}

/* ---- statistics tables ---- */

#define REPORT_WIDTH 100
#define CELL_MAX 24

static const char *short_key(const struct asc_col *c)
{
    static const char *const g[] = {"verif", "consis", "refl", "spoof", "relay"};
    if (c->grade >= 0 && c->grade < ASC_GRADE__COUNT)
        return g[c->grade];
    return c->key;
}

/* Cell text for the terminal: shares as percentages, times as UTC. */
static const char *term_cell(const struct asc_col *c, const union asc_cell *v, char *buf,
                             size_t len)
{
    if (c->type == ASC_COL_SHARE) {
        snprintf(buf, len, "%.1f%%", 100 * v->d);
        return buf;
    }
    if (c->type == ASC_COL_FLOAT) {
        snprintf(buf, len, "%.4g", v->d);
        return buf;
    }
    if (c->type == ASC_COL_TIME) {
        time_t s = (time_t)(v->t / ASC_NS_PER_SEC);
        struct tm tm;
        gmtime_r(&s, &tm);
        strftime(buf, len, "%m-%d %H:%M:%S", &tm);
        return buf;
    }
    const char *s = asc_cell_fmt(c, v, buf, len);
    if ((c->type == ASC_COL_CC || c->type == ASC_COL_ADDR) && !s[0])
        return c->type == ASC_COL_CC ? "--" : "(several)";
    return s;
}

static bool numeric(const struct asc_col *c)
{
    return c->type != ASC_COL_STRING && c->type != ASC_COL_CC && c->type != ASC_COL_ADDR;
}

static void sparkline(FILE *f, const struct asc_table *t)
{
    static const char lv[] = " .:-=+*#%@";
    char top[REPORT_WIDTH], low[REPORT_WIDTH];
    size_t width = REPORT_WIDTH - 4, per = (t->n_rows + width - 1) / width, n = 0;
    uint64_t mx = 0, v[REPORT_WIDTH] = {0}, a[REPORT_WIDTH] = {0};
    for (size_t r = 0; r < t->n_rows && per; r++) {
        v[r / per] += t->cells[r * ASC_TAB_COLS + 1].u;
        a[r / per] += t->cells[r * ASC_TAB_COLS + 3].u;
        n = r / per + 1;
    }
    for (size_t i = 0; i < n; i++)
        mx = v[i] > mx ? v[i] : mx;
    for (size_t i = 0; i < n; i++) {
        top[i] = lv[mx ? (v[i] * 9 + mx - 1) / mx : 0];
        low[i] = a[i] ? '^' : ' ';
    }
    top[n] = low[n] = 0;
    fprintf(f, "  |%s|  frames per bin (peak %" PRIu64 ")\n   %s   ^ attack packets\n", top,
            mx, low);
}

static size_t fit_cols(const struct asc_table *t, size_t nshow, int *w)
{
    char b[64];
    size_t total = 2, nc = 0;
    for (size_t c = 0; c < t->n_cols; c++) {
        int cw = (int)strlen(short_key(&t->cols[c]));
        for (size_t r = 0; r < nshow; r++) {
            int l = (int)strlen(term_cell(&t->cols[c], &t->cells[r * ASC_TAB_COLS + c], b,
                                          sizeof(b)));
            cw = l > cw ? l : cw;
        }
        w[c] = cw > CELL_MAX ? CELL_MAX : cw;
        if (total + (size_t)w[c] + 1 > REPORT_WIDTH - 12)
            break;
        total += (size_t)w[c] + 1;
        nc = c + 1;
    }
    return nc;
}

/* One line of the table (the header when row is NULL), without trailing blanks. */
static void table_line(FILE *f, const struct asc_table *t, const union asc_cell *row, size_t nc,
                       const int *w)
{
    char line[4 * REPORT_WIDTH], b[64];
    size_t len = 0;
    for (size_t c = 0; c < nc && len < sizeof(line); c++) {
        const char *v = row ? term_cell(&t->cols[c], &row[c], b, sizeof(b))
                            : short_key(&t->cols[c]);
        int n = snprintf(line + len, sizeof(line) - len,
                         numeric(&t->cols[c]) ? "%s%*.*s" : "%s%-*.*s", c ? " " : "", w[c],
                         w[c], v);
        len += n > 0 ? (size_t)n : 0;
    }
    len = ASC_MIN(len, sizeof(line) - 1);
    while (len && line[len - 1] == ' ')
        len--;
    line[len] = 0;
    fprintf(f, "  %s", line);
}

static void stat_table(FILE *f, const struct asc_table *t, enum asc_report_detail d,
                       bool color)
{
    heading(f, t->title, color);
    if (t->label[0])
        fprintf(f, "  (%s)\n", t->label);
    if (!t->n_rows) {
        fputs("  no data\n", f);
        return;
    }
    if (!strcmp(t->chart, "timeline") && d != ASC_REPORT_VERBOSE) {
        sparkline(f, t);
        return;
    }
    size_t nshow = d == ASC_REPORT_VERBOSE ? t->n_rows : ASC_MIN(t->n_rows, (size_t)10);
    int w[ASC_TAB_COLS];
    size_t nc = fit_cols(t, nshow, w), used = 2, share = SIZE_MAX;
    for (size_t c = 0; c < nc; c++) {
        used += (size_t)w[c] + 1;
        if (share == SIZE_MAX && t->cols[c].type == ASC_COL_SHARE)
            share = c;
    }
    table_line(f, t, NULL, nc, w);
    fputc('\n', f);
    int bw = (int)(REPORT_WIDTH - 2 - used);
    bw = bw > 20 ? 20 : bw;
    for (size_t r = 0; r < nshow; r++) {
        const union asc_cell *row = &t->cells[r * ASC_TAB_COLS];
        table_line(f, t, row, nc, w);
        if (share != SIZE_MAX && bw > 0) {
            fputs(color ? " \033[36m" : " ", f);
            bar(f, row[share].d, bw);
            fputs(color ? "\033[0m" : "", f);
        }
        fputc('\n', f);
    }
    if (nc < t->n_cols)
        fprintf(f, "  (%zu more columns in --json / --csv)\n", t->n_cols - nc);
    if (nshow < t->n_rows)
        fprintf(f, "  ... %zu more rows (--verbose)\n", t->n_rows - nshow);
}

/* What the detectors' bounded tables had to drop: shown only when nonzero. */
static void detector_losses(FILE *f, const struct asc_run_summary *s, bool color)
{
    bool shown = false;
    for (size_t i = 0; i < s->n_det; i++)
        for (size_t j = 0; j < s->det[i].n; j++) {
            if (!s->det[i].st[j].is_drop || !s->det[i].st[j].value)
                continue;
            if (!shown)
                heading(f, "Detector tables full (raise the caps with --set)", color);
            shown = true;
            fprintf(f, "  %-12s %-28s %12" PRIu64 "\n", s->det[i].name, s->det[i].st[j].name,
                    s->det[i].st[j].value);
        }
}

void asc_report_text(FILE *f, const struct asc_run_summary *s, const struct asc_stats *st,
                     enum asc_report_detail detail, bool color)
{
    heading(f, "ascribe " ASC_VERSION " - report", color);
    overview(f, s);
    incidents(f, s, color);
    if (detail == ASC_REPORT_QUIET)
        return;
    const struct asc_table *t = st ? asc_stats_tables(st) : NULL;
    for (int i = 0; t && i < ASC_TAB__COUNT; i++)
        stat_table(f, &t[i], detail, color);
    protocols(f, s, color);
    talkers(f, s, color);
    decoding(f, s, color);
    flow_inputs(f, s, color);
    detector_losses(f, s, color);
}
