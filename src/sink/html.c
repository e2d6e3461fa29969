/*
 * html.c - the self-contained HTML report (`ascribe analyze --html FILE`).
 *
 * Last stage of the pipeline, after the JSON sink: the analyze document is
 * parsed back with jansson and rendered as one page, so the page shows the
 * JSON's numbers and nothing else. Order: run header, incidents (timeline
 * figure, then the table, most severe first), then every table of
 * `statistics` in document order with its method block, its figure (chosen
 * by the table's `chart` hint) and the table itself. Inline CSS and SVG only:
 * no script, no external resource, and a Content-Security-Policy that would
 * block one anyway. The output depends only on the document (no clock), so
 * reruns are byte-identical. Figures are drawn by html_fig.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sink/html_int.h"

/* ---- escaping and formatting ---------------------------------------- */

static void esc_n(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        case '\0':
            break;
        default:
            fputc(s[i], f);
        }
    }
}

void hx_esc(FILE *f, const char *s)
{
    if (s)
        esc_n(f, s, strlen(s));
}

void hx_esc_cut(FILE *f, const char *s, size_t max_cp)
{
    if (!s)
        return;
    size_t i = 0, cp = 0;
    while (s[i] && cp < max_cp) {
        i++;
        while (((unsigned char)s[i] & 0xc0) == 0x80) /* continuation bytes */
            i++;
        cp++;
    }
    esc_n(f, s, i);
    if (s[i])
        fputs("\xe2\x80\xa6", f); /* ellipsis */
}

const char *hx_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

bool hx_is_num(const json_t *v)
{
    return json_is_integer(v) || json_is_real(v);
}

double hx_num(const json_t *v)
{
    if (json_is_integer(v))
        return (double)json_integer_value(v);
    if (json_is_real(v))
        return json_real_value(v);
    return 0;
}

void hx_fmt_real(double v, char *buf, size_t len)
{
    if (!isfinite(v)) {
        snprintf(buf, len, "0");
        return;
    }
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, len, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

void hx_fmt_group(double v, char *buf, size_t len)
{
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%.0f", isfinite(v) ? v : 0.0);
    const char *d = tmp;
    size_t o = 0;
    if (*d == '-' && o + 1 < len)
        buf[o++] = *d++;
    size_t n = strlen(d);
    for (size_t i = 0; i < n && o + 2 < len; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = d[i];
    }
    buf[o] = '\0';
}

void hx_fmt_time(double t, char *buf, size_t len)
{
    if (!isfinite(t) || t < 0 || t > 4e11)
        t = 0;
    double s = floor(t);
    int ms = (int)((t - s) * 1000.0);
    if (ms > 999)
        ms = 999;
    time_t tt = (time_t)s;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char d[40];
    strftime(d, sizeof(d), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf, len, "%s.%03d", d, ms);
}

void hx_value_text(const json_t *v, char *buf, size_t len)
{
    if (json_is_integer(v))
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        hx_fmt_real(json_real_value(v), buf, len);
    else if (json_is_true(v) || json_is_false(v))
        snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
    else
        buf[0] = '\0';
}

void hx_put_value(FILE *f, const json_t *v, const char *type)
{
    char b[64];
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!strcmp(type, "cc") && !s[0])
            fputs("unknown", f);
        else
            hx_esc(f, s);
        return;
    }
    if (!hx_is_num(v)) {
        fputs(json_is_null(v) || !v ? "" : "?", f);
        return;
    }
    double d = hx_num(v);
    if (!strcmp(type, "share")) {
        fprintf(f, "%.2f%%", d * 100.0);
    } else if (!strcmp(type, "time")) {
        hx_fmt_time(d, b, sizeof(b));
        fputs(b, f);
    } else if (!strcmp(type, "asn")) {
        if (d == 0)
            fputs("unknown", f);
        else
            fprintf(f, "AS%.0f", d);
    } else if (!strcmp(type, "float") || json_is_real(v)) {
        if (fabs(d) >= 1000)
            fprintf(f, "%.1f", d);
        else
            fprintf(f, "%.4g", d);
    } else {
        hx_fmt_group(d, b, sizeof(b));
        fputs(b, f);
    }
}

const char *hx_grade_color(const char *g)
{
    static const struct {
        const char *name, *color;
    } c[] = {
        {"verified", "#1a7a3a"}, {"consistent", "#7cbf72"}, {"reflector", "#e08a1e"},
        {"spoofed", "#9a9a9a"},  {"relay", "#7b3f93"},
    };
    for (size_t i = 0; g && i < ASC_ARRAY_LEN(c); i++)
        if (!strcmp(g, c[i].name))
            return c[i].color;
    return "#3b6ea8";
}

/* ---- statistics table helpers ---------------------------------------- */

int hx_col_find(const json_t *table, const char *key)
{
    const json_t *cols = json_object_get(table, "columns");
    for (size_t i = 0; i < json_array_size(cols); i++)
        if (!strcmp(hx_str(json_array_get(cols, i), "key"), key))
            return (int)i;
    return -1;
}

int hx_col_type(const json_t *table, const char *type, int from)
{
    const json_t *cols = json_object_get(table, "columns");
    for (size_t i = from < 0 ? 0 : (size_t)from; i < json_array_size(cols); i++)
        if (!strcmp(hx_str(json_array_get(cols, i), "type"), type))
            return (int)i;
    return -1;
}

const char *hx_col_attr(const json_t *table, int col, const char *attr)
{
    if (col < 0)
        return "";
    return hx_str(json_array_get(json_object_get(table, "columns"), (size_t)col), attr);
}

const json_t *hx_cell(const json_t *row, int col)
{
    return col < 0 ? NULL : json_array_get(row, (size_t)col);
}

void hx_nodata(FILE *f, const char *id, const char *what)
{
    fputs("<p class=\"nodata\" id=\"", f);
    hx_esc(f, id);
    fputs("\">no data", f);
    if (what && *what) {
        fputs(": ", f);
        hx_esc(f, what);
    }
    fputs("</p>\n", f);
}

/* ---- page ------------------------------------------------------------- */

static const char css[] =
    "*{box-sizing:border-box}"
    "body{font-family:'DejaVu Sans','Liberation Sans',Arial,Helvetica,sans-serif;"
    "font-size:14px;line-height:1.45;color:#1d1d1d;background:#fff;margin:0}"
    "main{max-width:1200px;margin:0 auto;padding:16px 24px}"
    "h1{font-size:24px;margin:8px 0 4px}h2{font-size:19px;margin:28px 0 6px;"
    "border-bottom:1px solid #ccc;padding-bottom:3px}h3{font-size:16px;margin:22px 0 4px}"
    ".label{font-size:13px;font-weight:normal;color:#8a3b12;margin-left:10px}"
    "table{border-collapse:collapse;margin:8px 0 4px;font-size:13px}"
    "th,td{border-bottom:1px solid #e2e2e2;padding:3px 8px;text-align:left;vertical-align:top}"
    "th{background:#f2f2f2;font-weight:600}"
    "#incidents-table{width:100%}td.g{font-size:12px;width:170px}td.g span{white-space:nowrap}td.g "
    "svg{vertical-align:middle}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:"
    "nowrap}"
    "tr.inc td{border-bottom:none;padding-top:6px}tr.detail td{font-size:12px;color:#333;"
    "padding-bottom:8px}div.ev{font-size:11px;color:#555}"
    "div.ev span{font-family:'DejaVu Sans Mono',monospace;white-space:nowrap}"
    "dl.method{display:grid;grid-template-columns:max-content 1fr;gap:1px 12px;"
    "font-size:12px;color:#444;margin:4px 0 8px;background:#fafafa;padding:6px 10px;"
    "border-left:3px solid #bbb}"
    "dl.method dt{font-weight:600}dl.method dd{margin:0}"
    "dl.run{display:grid;grid-template-columns:max-content 1fr max-content 1fr;gap:1px 14px;"
    "font-size:13px}dl.run dt{font-weight:600}dl.run dd{margin:0}"
    "figure{margin:8px 0;break-inside:avoid}svg{max-width:100%;height:auto}"
    "svg text{font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif}"
    "p.nodata{color:#777;font-style:italic;border:1px dashed #ccc;padding:8px;"
    "max-width:500px}.note{font-size:12px;color:#555}"
    "nav ol{columns:2;font-size:13px}nav a{color:#1d4f91}"
    "section.stat{break-inside:auto}"
    "table.stat{font-size:11.5px}table.stat th,table.stat td{padding:2px 4px}"
    "@media print{main{max-width:none;padding:0}h2{break-after:avoid}"
    "section.stat,section#incidents{break-before:page}thead{display:table-header-group}"
    "tr,figure{break-inside:avoid}nav{display:none}table.stat{font-size:8.5px}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}"
    "@page{size:A4;margin:14mm}";

static void put_head(FILE *f, const json_t *run)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>ascribe report",
          f);
    const json_t *in = json_object_get(run, "inputs");
    for (size_t i = 0; i < json_array_size(in) && i < 3; i++) {
        fputs(i ? ", " : ": ", f);
        hx_esc(f, json_string_value(json_array_get(in, i)));
    }
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", css);
}

static void run_item(FILE *f, const json_t *run, const char *key, const char *label,
                     const char *type)
{
    const json_t *v = json_object_get(run, key);
    char b[64];
    hx_value_text(v, b, sizeof(b));
    fprintf(f, "<dt>%s</dt><dd data-key=\"%s\" data-value=\"", label, key);
    hx_esc(f, b);
    fputs("\">", f);
    hx_put_value(f, v, type);
    fputs("</dd>", f);
}

static void put_run(FILE *f, const json_t *root, const json_t *run)
{
    fputs("<header>\n<h1>ascribe report</h1>\n<p>Inputs: ", f);
    const json_t *in = json_object_get(run, "inputs");
    for (size_t i = 0; i < json_array_size(in); i++) {
        fputs(i ? ", <code>" : "<code>", f);
        hx_esc(f, json_string_value(json_array_get(in, i)));
        fputs("</code>", f);
    }
    fputs(". All times are data time (UTC), taken from the capture.</p>\n"
          "<dl class=\"run\" id=\"run\">",
          f);
    run_item(f, run, "first", "first packet", "time");
    run_item(f, run, "last", "last packet", "time");
    run_item(f, run, "duration", "duration (s)", "float");
    run_item(f, run, "frames", "frames", "int");
    run_item(f, run, "wire_bytes", "wire bytes", "int");
    run_item(f, run, "flows", "flows", "int");
    run_item(f, run, "inputs_damaged", "damaged inputs", "int");
    run_item(f, root, "schema_version", "schema version", "int");
    fputs("</dl>\n</header>\n", f);
}

static void put_nav(FILE *f, const json_t *stats)
{
    fputs("<nav><ol><li><a href=\"#incidents\">Incidents</a></li>", f);
    for (size_t i = 0; i < json_array_size(stats); i++) {
        const json_t *t = json_array_get(stats, i);
        fputs("<li><a href=\"#s-", f);
        hx_esc(f, hx_str(t, "id"));
        fputs("\">", f);
        hx_esc(f, hx_str(t, "title"));
        fputs("</a></li>", f);
    }
    fputs("</ol></nav>\n", f);
}

/* ---- incidents -------------------------------------------------------- */

struct inc_ord {
    const json_t *inc;
    size_t idx;
};

static int inc_cmp(const void *a, const void *b)
{
    const struct inc_ord *x = a, *y = b;
    double sx = hx_num(json_object_get(x->inc, "severity"));
    double sy = hx_num(json_object_get(y->inc, "severity"));
    if (sx != sy)
        return sx > sy ? -1 : 1;
    double tx = hx_num(json_object_get(x->inc, "start"));
    double ty = hx_num(json_object_get(y->inc, "start"));
    if (tx != ty)
        return tx < ty ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void num_cell(FILE *f, const json_t *obj, const char *key, const char *type)
{
    const json_t *v = json_object_get(obj, key);
    char b[64];
    hx_value_text(v, b, sizeof(b));
    fprintf(f, "<td class=\"n\" data-key=\"%s\" data-value=\"", key);
    hx_esc(f, b);
    fputs("\">", f);
    if (!strcmp(type, "sev"))
        fprintf(f, "%.1f", hx_num(v));
    else
        hx_put_value(f, v, type);
    fputs("</td>", f);
}

static void str_cell(FILE *f, const char *key, const char *val, const char *cls)
{
    fprintf(f, "<td%s data-key=\"%s\" data-value=\"", cls, key);
    hx_esc(f, val);
    fputs("\">", f);
    hx_esc(f, val);
    fputs("</td>", f);
}

/* Sources per grade as a small stacked bar plus the counts. */
static void grades_cell(FILE *f, const json_t *inc)
{
    static const char *const g[] = {"verified", "consistent", "reflector", "spoofed", "relay"};
    const json_t *gr = json_object_get(inc, "grades");
    double total = 0;
    for (size_t i = 0; i < ASC_ARRAY_LEN(g); i++)
        total += hx_num(json_object_get(gr, g[i]));
    fputs("<td class=\"g\" data-key=\"grades\">", f);
    if (total > 0) {
        fputs("<svg width=\"100\" height=\"10\" viewBox=\"0 0 100 10\" role=\"img\">", f);
        double x = 0;
        for (size_t i = 0; i < ASC_ARRAY_LEN(g); i++) {
            double w = hx_num(json_object_get(gr, g[i])) / total * 100.0;
            if (w <= 0)
                continue;
            fprintf(f, "<rect x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"10\" fill=\"%s\"/>", x, w,
                    hx_grade_color(g[i]));
            x += w;
        }
        fputs("</svg> ", f);
    }
    for (size_t i = 0; i < ASC_ARRAY_LEN(g); i++) {
        const json_t *v = json_object_get(gr, g[i]);
        if (hx_num(v) <= 0)
            continue;
        char b[64];
        hx_value_text(v, b, sizeof(b));
        fprintf(f, "<span data-grade=\"%s\" data-value=\"%s\">%s ", g[i], b, g[i]);
        hx_put_value(f, v, "int");
        fputs("</span> ", f);
    }
    fputs("</td>", f);
}

static void evidence(FILE *f, const json_t *inc)
{
    const char *ef = hx_str(inc, "evidence_file");
    const json_t *cids = json_object_get(inc, "community_ids");
    if (!*ef && !json_array_size(cids))
        return;
    fputs("<div class=\"ev\" data-key=\"evidence\">Evidence:", f);
    if (*ef) {
        fputs(" extract <span data-key=\"evidence_file\">", f);
        hx_esc(f, ef);
        fputs("</span>;", f);
    }
    if (json_array_size(cids))
        fputs(" Community IDs", f);
    for (size_t i = 0; i < json_array_size(cids); i++) {
        fputs(" <span data-key=\"community_id\">", f);
        hx_esc(f, json_string_value(json_array_get(cids, i)));
        fputs("</span>", f);
    }
    fputs("</div>", f);
}

static void top_sources(FILE *f, const json_t *inc)
{
    const json_t *top = json_object_get(inc, "top_sources");
    if (!json_array_size(top))
        return;
    fputs("<div data-key=\"top_sources\">Top sources:", f);
    for (size_t i = 0; i < json_array_size(top) && i < 5; i++) {
        const json_t *s = json_array_get(top, i);
        const char *cc = hx_str(s, "cc");
        fputs(i ? ", <span class=\"src\">" : " <span class=\"src\">", f);
        hx_esc(f, hx_str(s, "addr"));
        fprintf(f, " (%s", cc[0] ? "" : "unknown");
        hx_esc(f, cc);
        double asn = hx_num(json_object_get(s, "asn"));
        if (asn > 0)
            fprintf(f, ", AS%.0f", asn);
        fputs(", ", f);
        hx_esc(f, hx_str(s, "grade"));
        fputs(")</span>", f);
    }
    if (json_array_size(top) > 5)
        fprintf(f, " and %zu more", json_array_size(top) - 5);
    fputs("</div>", f);
}

/* Two rows per incident: the numbers, then summary, sources and evidence. */
static void put_incident_row(FILE *f, const json_t *inc, size_t rank, size_t idx)
{
    fprintf(f, "<tr class=\"inc\" data-row=\"%zu\" data-index=\"%zu\"><td class=\"n\">#%zu</td>",
            rank, idx, rank + 1);
    str_cell(f, "type", hx_str(inc, "type"), "");
    str_cell(f, "vector", hx_str(inc, "vector"), "");
    num_cell(f, inc, "severity", "sev");
    str_cell(f, "victim", hx_str(inc, "victim"), "");
    num_cell(f, inc, "victims", "int");
    num_cell(f, inc, "start", "time");
    num_cell(f, inc, "end", "time");
    num_cell(f, inc, "pkts", "int");
    num_cell(f, inc, "bytes", "int");
    num_cell(f, inc, "sources", "int");
    grades_cell(f, inc);
    fprintf(f,
            "</tr>\n<tr class=\"detail\" data-detail=\"%zu\"><td></td><td colspan=\"11\">"
            "<div data-key=\"summary\" data-value=\"",
            rank);
    hx_esc(f, hx_str(inc, "summary"));
    fputs("\">", f);
    hx_esc(f, hx_str(inc, "summary"));
    fputs("</div>", f);
    top_sources(f, inc);
    evidence(f, inc);
    fputs("</td></tr>\n", f);
}

static const json_t *find_chart(const json_t *stats, const char *chart)
{
    for (size_t i = 0; i < json_array_size(stats); i++) {
        const json_t *t = json_array_get(stats, i);
        if (!strcmp(hx_str(t, "chart"), chart))
            return t;
    }
    return NULL;
}

static void put_incidents(FILE *f, const json_t *incs, const json_t *run, const json_t *stats)
{
    size_t n = json_array_size(incs);
    struct inc_ord *o = asc_xcalloc(n ? n : 1, sizeof(*o));
    size_t *order = asc_xcalloc(n ? n : 1, sizeof(*order));
    for (size_t i = 0; i < n; i++) {
        o[i].inc = json_array_get(incs, i);
        o[i].idx = i;
    }
    qsort(o, n, sizeof(*o), inc_cmp);
    for (size_t i = 0; i < n; i++)
        order[i] = o[i].idx;
    fprintf(f, "<section id=\"incidents\">\n<h2>Incidents (%zu)</h2>\n", n);
    fputs("<p class=\"note\">Most severe first. A source address is not an attacker: each "
          "source carries an evidence grade (verified, consistent, reflector, spoofed, relay)."
          "</p>\n",
          f);
    const json_t *tl = find_chart(stats, "timeline");
    char figid[300];
    snprintf(figid, sizeof(figid), "fig-%s", tl ? hx_str(tl, "id") : "timeline");
    hx_fig_timeline(f, figid, tl, incs, run, order, n);
    fputs("<table id=\"incidents-table\"><thead><tr><th>#</th><th data-key=\"type\">Type</th>"
          "<th data-key=\"vector\">Vector</th><th data-key=\"severity\">Severity</th>"
          "<th data-key=\"victim\">Victim</th><th data-key=\"victims\">Victims</th>"
          "<th data-key=\"start\">Start (UTC)</th><th data-key=\"end\">End (UTC)</th>"
          "<th data-key=\"pkts\">Packets</th><th data-key=\"bytes\">Bytes</th>"
          "<th data-key=\"sources\">Sources</th><th data-key=\"grades\">Sources by grade</th>"
          "</tr></thead>\n"
          "<tbody>\n",
          f);
    for (size_t i = 0; i < n && i < HX_MAX_ROWS; i++)
        put_incident_row(f, o[i].inc, i, o[i].idx);
    if (n == 0)
        fputs("<tr class=\"nodata\"><td colspan=\"12\">no data: no incident</td></tr>\n", f);
    fputs("</tbody></table>\n", f);
    if (n > HX_MAX_ROWS)
        fprintf(f, "<p class=\"note\">First %d of %zu incidents; all are in the JSON.</p>\n",
                HX_MAX_ROWS, n);
    fputs("</section>\n", f);
    free(order);
    free(o);
}

/* ---- statistics -------------------------------------------------------- */

static void put_method(FILE *f, const char *id, const json_t *m)
{
    char a[64], b[64];
    fputs("<dl class=\"method\" id=\"m-", f);
    hx_esc(f, id);
    fputs("\"><dt>vantage</dt><dd>", f);
    hx_esc(f, hx_str(m, "vantage"));
    fputs("</dd><dt>inputs</dt><dd>", f);
    const json_t *in = json_object_get(m, "inputs");
    for (size_t i = 0; i < json_array_size(in); i++) {
        fputs(i ? ", " : "", f);
        hx_esc(f, json_string_value(json_array_get(in, i)));
    }
    const json_t *w = json_object_get(m, "window");
    hx_fmt_time(hx_num(json_object_get(w, "start")), a, sizeof(a));
    hx_fmt_time(hx_num(json_object_get(w, "end")), b, sizeof(b));
    fprintf(f, "</dd><dt>window</dt><dd>%s to %s UTC</dd><dt>unit</dt><dd>", a, b);
    hx_esc(f, hx_str(m, "unit"));
    fputs("</dd><dt>grades</dt><dd>", f);
    const json_t *g = json_object_get(m, "grades");
    for (size_t i = 0; i < json_array_size(g); i++) {
        fputs(i ? ", " : "", f);
        hx_esc(f, json_string_value(json_array_get(g, i)));
    }
    fputs("</dd><dt>databases</dt><dd>", f);
    const json_t *db = json_object_get(m, "databases");
    for (size_t i = 0; i < json_array_size(db); i++) {
        const json_t *d = json_array_get(db, i);
        fputs(i ? "; " : "", f);
        hx_esc(f, hx_str(d, "name"));
        fputs(" (", f);
        hx_esc(f, hx_str(d, "vendor"));
        fputs("), built ", f);
        hx_esc(f, hx_str(d, "built"));
    }
    if (!json_array_size(db))
        fputs("none", f);
    fputs("</dd><dt>thresholds</dt><dd>", f);
    const char *k;
    json_t *v;
    bool first = true;
    json_object_foreach((json_t *)json_object_get(m, "thresholds"), k, v)
    {
        hx_value_text(v, a, sizeof(a));
        fputs(first ? "" : ", ", f);
        hx_esc(f, k);
        fputs(" = ", f);
        hx_esc(f, a);
        first = false;
    }
    if (first)
        fputs("none", f);
    fputs("</dd>", f);
    if (*hx_str(m, "notes")) {
        fputs("<dt>notes</dt><dd>", f);
        hx_esc(f, hx_str(m, "notes"));
        fputs("</dd>", f);
    }
    fputs("</dl>\n", f);
}

static void put_table(FILE *f, const char *id, const json_t *t)
{
    const json_t *cols = json_object_get(t, "columns"), *rows = json_object_get(t, "rows");
    size_t nc = json_array_size(cols), nr = json_array_size(rows);
    fputs("<table class=\"stat\" id=\"t-", f);
    hx_esc(f, id);
    fputs("\"><thead><tr>", f);
    for (size_t c = 0; c < nc; c++) {
        const json_t *col = json_array_get(cols, c);
        fputs("<th data-key=\"", f);
        hx_esc(f, hx_str(col, "key"));
        fputs("\" data-type=\"", f);
        hx_esc(f, hx_str(col, "type"));
        fputs("\">", f);
        hx_esc(f, hx_str(col, "label"));
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t r = 0; r < nr && r < HX_MAX_ROWS; r++) {
        const json_t *row = json_array_get(rows, r);
        fprintf(f, "<tr data-row=\"%zu\">", r);
        for (size_t c = 0; c < nc; c++) {
            const json_t *col = json_array_get(cols, c), *v = json_array_get(row, c);
            const char *type = hx_str(col, "type");
            char b[64];
            fprintf(f, "<td%s data-key=\"",
                    hx_is_num(v) && strcmp(type, "asn") ? " class=\"n\"" : "");
            hx_esc(f, hx_str(col, "key"));
            fputs("\" data-value=\"", f);
            if (json_is_string(v)) {
                hx_esc(f, json_string_value(v));
            } else {
                hx_value_text(v, b, sizeof(b));
                fputs(b, f);
            }
            fputs("\">", f);
            hx_put_value(f, v, type);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    if (nr == 0)
        fprintf(f, "<tr class=\"nodata\"><td colspan=\"%zu\">no data</td></tr>\n", nc ? nc : 1);
    fputs("</tbody></table>\n", f);
    if (nr > HX_MAX_ROWS)
        fprintf(f, "<p class=\"note\">First %d of %zu rows; all are in the JSON and CSV.</p>\n",
                HX_MAX_ROWS, nr);
}

static void put_stat(FILE *f, const json_t *t)
{
    const char *id = hx_str(t, "id"), *chart = hx_str(t, "chart");
    char figid[300];
    snprintf(figid, sizeof(figid), "fig-%s", id);
    fputs("<section class=\"stat\" id=\"s-", f);
    hx_esc(f, id);
    fputs("\">\n<h2>", f);
    hx_esc(f, hx_str(t, "title"));
    if (*hx_str(t, "label")) {
        fputs("<span class=\"label\">", f);
        hx_esc(f, hx_str(t, "label"));
        fputs("</span>", f);
    }
    fputs("</h2>\n", f);
    put_method(f, id, json_object_get(t, "method"));
    if (!json_is_array(json_object_get(t, "columns")) ||
        !json_is_array(json_object_get(t, "rows"))) {
        hx_nodata(f, figid, "malformed table (no columns or rows)");
        fputs("</section>\n", f);
        return;
    }
    if (!strcmp(chart, "grade_bars"))
        hx_fig_bars(f, figid, t);
    else if (!strcmp(chart, "map"))
        hx_fig_map(f, figid, t);
    else if (!strcmp(chart, "matrix"))
        hx_fig_matrix(f, figid, t);
    else if (!strcmp(chart, "timeline"))
        fprintf(f, "<p class=\"note\">Figure: the <a href=\"#%s\">incident timeline</a>.</p>\n",
                figid);
    /* The source-country map goes with the attack-traffic table even when
     * its chart hint is the bars. */
    if (!strcmp(id, "attack_sources_by_country") && strcmp(chart, "map"))
        hx_fig_map(f, "fig-map", t);
    put_table(f, id, t);
    fputs("</section>\n", f);
}

int asc_html_render(const char *json, size_t len, FILE *f, struct asc_err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(json, len, 0, &jerr);
    if (!root)
        return asc_err_set(err, ASC_EFORMAT, "analyze JSON: %s (line %d)", jerr.text, jerr.line);
    const json_t *run = json_object_get(root, "run"), *incs = json_object_get(root, "incidents");
    const json_t *stats = json_object_get(root, "statistics");
    if (!json_is_object(run) || !json_is_array(incs)) {
        json_decref(root);
        return asc_err_set(err, ASC_EFORMAT, "not an analyze document (no run or incidents)");
    }
    if (!json_is_array(stats))
        stats = NULL;
    put_head(f, run);
    put_run(f, root, run);
    put_nav(f, stats);
    put_incidents(f, incs, run, stats);
    fputs("<section id=\"statistics\">\n<h2>Statistics</h2>\n", f);
    if (!stats)
        fputs("<p class=\"nodata\" id=\"no-statistics\">no data: this document has no "
              "statistics (older schema)</p>\n",
              f);
    fputs("<p class=\"note\">Each figure states its method. Shares by source IP are not "
          "attribution; the evidence grade of the sources says how far they can be "
          "trusted.</p>\n</section>\n",
          f);
    for (size_t i = 0; i < json_array_size(stats); i++)
        put_stat(f, json_array_get(stats, i));
    fputs("<footer><p class=\"note\">Rendered by ascribe from the analyze JSON document "
          "(docs/schema/analyze.md); figures: docs/report-html.md.</p></footer>\n"
          "</main>\n</body>\n</html>\n",
          f);
    json_decref(root);
    if (ferror(f))
        return asc_err_set(err, ASC_EIO, "write error on HTML output");
    return 0;
}

int asc_html_write(const char *json, size_t len, const char *path, struct asc_err *err)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!f)
        return asc_err_set(err, ASC_EIO, "%s: cannot open for writing", path);
    int rc = asc_html_render(json, len, f, err);
    if (f != stdout) {
        if (fclose(f) != 0 && rc == 0)
            rc = asc_err_set(err, ASC_EIO, "%s: write error", path);
    } else if (fflush(f) != 0 && rc == 0) {
        rc = asc_err_set(err, ASC_EIO, "write error on standard output");
    }
    return rc;
}
