/*
 * html_time.c - the incident timeline of the HTML report (html.h): the
 * packet rate over time from the `timeline` statistics table (all packets
 * and attack packets per second, one point per bin), with every incident
 * drawn below it as a bar from its start to its end on its own lane,
 * labelled with its rank in the incident table.
 *
 * Part of the HTML sink; drawn from the parsed analyze document only. The
 * time axis spans the run (run.first to run.last), widened to the bins and
 * incidents if they reach further. Without a timeline table (documents
 * before statistics existed) the incidents alone are drawn.
 */
#include <math.h>
#include <string.h>
#include <time.h>

#include "sink/html_int.h"

struct axis {
    double t0, t1; /* data time range, seconds */
    double x0, x1; /* pixels */
};

static double sx(const struct axis *a, double t)
{
    return a->x0 + (t - a->t0) / (a->t1 - a->t0) * (a->x1 - a->x0);
}

static const char *type_color(const char *type)
{
    static const struct {
        const char *type, *color;
    } c[] = {
        {"flood", "#b8322a"},       {"scan", "#2c73b0"},  {"bruteforce", "#8546a0"},
        {"backscatter", "#d9822b"}, {"intel", "#4d4d4d"}, {"beacon", "#13836f"},
        {"exfil", "#a0306a"},
    };
    for (size_t i = 0; i < ASC_ARRAY_LEN(c); i++)
        if (!strcmp(type, c[i].type))
            return c[i].color;
    return "#777777";
}

/* Bins of the timeline table: columns t, pkts, attack_pkts. */
struct bins {
    const json_t *rows;
    int tcol, pcol, acol;
    double width, ymax;
    size_t n;
};

static void bins_init(struct bins *b, const json_t *t)
{
    memset(b, 0, sizeof(*b));
    b->rows = json_object_get(t, "rows");
    b->n = json_array_size(b->rows);
    b->tcol = hx_col_find(t, "t");
    b->pcol = hx_col_find(t, "pkts");
    b->acol = hx_col_find(t, "attack_pkts");
    if (b->tcol < 0 || b->pcol < 0)
        b->n = 0;
    const json_t *th = json_object_get(json_object_get(t, "method"), "thresholds");
    b->width = hx_num(json_object_get(th, "bin_seconds"));
    if (b->width <= 0 && b->n >= 2)
        b->width = hx_num(hx_cell(json_array_get(b->rows, 1), b->tcol)) -
                   hx_num(hx_cell(json_array_get(b->rows, 0), b->tcol));
    if (b->width <= 0)
        b->width = 1;
    for (size_t i = 0; i < b->n; i++)
        b->ymax = fmax(b->ymax, hx_num(hx_cell(json_array_get(b->rows, i), b->pcol)) / b->width);
    if (b->ymax <= 0)
        b->ymax = 1;
}

static void put_rates(FILE *f, const struct bins *b, const struct axis *a, int y0, int h)
{
    double base = y0 + h;
    fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>\n", a->x0,
            base, a->x1, base);
    for (int k = 0; k <= 2; k++) {
        double y = base - h * k / 2.0;
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%.4g</text>",
                a->x0 - 6, y + 4, b->ymax * k / 2.0);
    }
    fprintf(f, "<text x=\"4\" y=\"%d\" font-size=\"11\">pkt/s</text>\n", y0 - 6);
    for (int pass = 0; pass < 2; pass++) {
        int col = pass ? b->acol : b->pcol;
        if (col < 0)
            continue;
        fputs(pass ? "<polygon class=\"attack\" fill=\"#d6453d\" fill-opacity=\"0.55\" points=\""
                   : "<polyline class=\"rate\" fill=\"none\" stroke=\"#2b5f9e\" "
                     "stroke-width=\"1.5\" points=\"",
              f);
        if (pass)
            fprintf(f, "%.1f,%.1f ", sx(a, hx_num(hx_cell(json_array_get(b->rows, 0), b->tcol))),
                    base);
        for (size_t i = 0; i < b->n; i++) {
            const json_t *row = json_array_get(b->rows, i);
            double t = hx_num(hx_cell(row, b->tcol)), v = hx_num(hx_cell(row, col)) / b->width;
            double y = base - v / b->ymax * h;
            fprintf(f, "%.1f,%.1f %.1f,%.1f ", sx(a, t), y, sx(a, t + b->width), y);
        }
        if (pass) {
            const json_t *last = json_array_get(b->rows, b->n - 1);
            fprintf(f, "%.1f,%.1f", sx(a, hx_num(hx_cell(last, b->tcol)) + b->width), base);
        }
        fputs("\"/>\n", f);
    }
    fprintf(f,
            "<line x1=\"%.0f\" y1=\"%d\" x2=\"%.0f\" y2=\"%d\" stroke=\"#2b5f9e\" "
            "stroke-width=\"2\"/><text x=\"%.0f\" y=\"%d\" font-size=\"11\">all packets</text>"
            "<rect x=\"%.0f\" y=\"%d\" width=\"14\" height=\"8\" fill=\"#d6453d\"/>"
            "<text x=\"%.0f\" y=\"%d\" font-size=\"11\">attack packets</text>\n",
            a->x1 - 250, y0 - 10, a->x1 - 236, y0 - 10, a->x1 - 232, y0 - 6, a->x1 - 120, y0 - 14,
            a->x1 - 102, y0 - 6);
}

static void put_lane(FILE *f, const json_t *inc, size_t rank, const struct axis *a, int y)
{
    const json_t *js = json_object_get(inc, "start"), *je = json_object_get(inc, "end");
    double x1 = sx(a, hx_num(js)), x2 = sx(a, hx_num(je)), w = fmax(2.0, x2 - x1);
    char s[64], e[64];
    hx_value_text(js, s, sizeof(s));
    hx_value_text(je, e, sizeof(e));
    fprintf(f, "<g class=\"incident\" data-incident=\"%zu\" data-start=\"%s\" data-end=\"%s\">",
            rank + 1, s, e);
    fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"11\" fill=\"%s\"><title>#%zu ",
            x1, y, w, type_color(hx_str(inc, "type")), rank + 1);
    hx_esc(f, hx_str(inc, "summary"));
    fputs("</title></rect>", f);
    bool right = x1 + w + 160 < a->x1;
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\"%s>#%zu ", right ? x1 + w + 4 : x1 - 4,
            y + 10, right ? "" : " text-anchor=\"end\"", rank + 1);
    hx_esc_cut(f, hx_str(inc, "type"), 16);
    fputs(" ", f);
    hx_esc_cut(f, hx_str(inc, "vector"), 28);
    fputs("</text></g>\n", f);
}

static void put_ticks(FILE *f, const struct axis *a, int y)
{
    double span = a->t1 - a->t0;
    fprintf(f, "<line x1=\"%.0f\" y1=\"%d\" x2=\"%.0f\" y2=\"%d\" stroke=\"#999\"/>\n", a->x0, y,
            a->x1, y);
    for (int k = 0; k <= 5; k++) {
        double t = a->t0 + span * k / 5.0;
        time_t tt = (time_t)floor(t);
        struct tm tm;
        gmtime_r(&tt, &tm);
        char b[40];
        strftime(b, sizeof(b), span <= 2 * 86400 ? "%H:%M:%S" : "%m-%d %H:%M", &tm);
        double x = sx(a, t);
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>"
                "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"%s\">%s</text>\n",
                x, y, x, y + 4, x, y + 16,
                k == 0   ? "start"
                : k == 5 ? "end"
                         : "middle",
                b);
    }
}

void hx_fig_timeline(FILE *f, const char *id, const json_t *t, const json_t *incs,
                     const json_t *run, const size_t *order, size_t n)
{
    struct bins b;
    bins_init(&b, t);
    struct axis a = {hx_num(json_object_get(run, "first")), hx_num(json_object_get(run, "last")),
                     80, 940};
    if (b.n) {
        a.t0 = fmin(a.t0, hx_num(hx_cell(json_array_get(b.rows, 0), b.tcol)));
        a.t1 = fmax(a.t1, hx_num(hx_cell(json_array_get(b.rows, b.n - 1), b.tcol)) + b.width);
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *inc = json_array_get(incs, order[i]);
        a.t0 = fmin(a.t0, hx_num(json_object_get(inc, "start")));
        a.t1 = fmax(a.t1, hx_num(json_object_get(inc, "end")));
    }
    if (!(a.t1 > a.t0))
        a.t1 = a.t0 + 1;
    if (b.n == 0 && n == 0) {
        hx_nodata(f, id, "no timeline bins and no incidents");
        return;
    }
    size_t lanes = ASC_MIN(n, (size_t)HX_MAX_LANES);
    int rate_h = b.n ? 150 : 0, y_lanes = b.n ? 40 + rate_h + 14 : 14;
    int y_axis = y_lanes + (int)lanes * 16 + 6, h = y_axis + 26;
    fputs("<figure id=\"", f);
    hx_esc(f, id);
    fprintf(f,
            "\" class=\"timeline\">\n<svg width=\"960\" "
            "height=\"%d\" viewBox=\"0 0 960 %d\" role=\"img\" aria-label=\"incident "
            "timeline\">\n",
            h, h);
    if (b.n)
        put_rates(f, &b, &a, 40, rate_h);
    for (size_t i = 0; i < lanes; i++)
        put_lane(f, json_array_get(incs, order[i]), i, &a, y_lanes + (int)i * 16);
    put_ticks(f, &a, y_axis);
    char s[64], e[64];
    hx_fmt_time(a.t0, s, sizeof(s));
    hx_fmt_time(a.t1, e, sizeof(e));
    fprintf(f, "</svg>\n<figcaption class=\"note\">Incident timeline, %s to %s UTC (data time).", s,
            e);
    if (b.n)
        fprintf(f, " Rate per %.4g s bin from the timeline table.", b.width);
    else
        fputs(" No rate data (the document has no timeline table).", f);
    if (n > lanes)
        fprintf(f, " The %zu most severe of %zu incidents are drawn.", lanes, n);
    fputs("</figcaption>\n</figure>\n", f);
}
