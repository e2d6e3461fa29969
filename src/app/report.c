/*
 * report.c - the terminal report of `ascribe analyze`: incidents, traffic summary,
 * protocol mix, top talkers, decode outcomes. Fits 100 columns; colour only
 * when asked (on a terminal). Incidents come first, most severe first.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
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

void asc_report_text(FILE *f, const struct asc_run_summary *s, bool color)
{
    heading(f, "ascribe " ASC_VERSION " - report", color);
    overview(f, s);
    incidents(f, s, color);
    protocols(f, s, color);
    talkers(f, s, color);
    decoding(f, s, color);
    flow_inputs(f, s, color);
    detector_losses(f, s, color);
}
