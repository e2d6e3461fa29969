/*
 * html_fig.c - the inline SVG figures of the HTML report (html.h): share
 * bars split by evidence grade, the world tile-grid map, the controller x
 * bot heat map and the incident timeline.
 *
 * Part of the HTML sink; drawn from the parsed analyze document only. Every
 * mark that stands for a number carries it in data-value (the JSON value,
 * shortest round-trip text) so a test can read the figure back. Coordinates
 * are printed with fixed decimals, so the bytes depend on the data alone.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sink/html_int.h"

static void open_fig(FILE *f, const char *id, const char *cls, int w, int h, const char *what)
{
    fputs("<figure id=\"", f);
    hx_esc(f, id);
    fprintf(f,
            "\" class=\"%s\">\n<svg width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
            cls, w, h, w, h);
    hx_esc(f, what);
    fputs("\">\n", f);
}

static void value_attr(FILE *f, const json_t *v)
{
    char b[64];
    hx_value_text(v, b, sizeof(b));
    fprintf(f, " data-value=\"%s\"", b);
}

/* The visible label of a key cell: country code, AS number, text. */
static void key_label(FILE *f, const json_t *v, const char *type, size_t max_cp)
{
    if (json_is_string(v) && !(strcmp(type, "cc") == 0 && !json_string_value(v)[0]))
        hx_esc_cut(f, json_string_value(v), max_cp);
    else
        hx_put_value(f, v, type);
}

/* White-to-dark colour ramp; q in 0..1. */
static void ramp(char *buf, size_t len, double q, int r1, int g1, int b1)
{
    if (q < 0)
        q = 0;
    if (q > 1)
        q = 1;
    int r = (int)lround(240 + (r1 - 240) * q), g = (int)lround(244 + (g1 - 244) * q);
    int b = (int)lround(248 + (b1 - 248) * q);
    snprintf(buf, len, "#%02x%02x%02x", r, g, b);
}

/* ---- share bars per evidence grade ------------------------------------ */

static void bars_legend(FILE *f, const json_t *t, int y)
{
    const json_t *cols = json_object_get(t, "columns");
    double x = 180;
    for (size_t c = 0; c < json_array_size(cols); c++) {
        const char *g = hx_str(json_array_get(cols, c), "grade");
        if (!*g)
            continue;
        fprintf(f, "<rect x=\"%.0f\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", x, y,
                hx_grade_color(g));
        fprintf(f, "<text x=\"%.0f\" y=\"%d\" font-size=\"12\">", x + 16, y + 10);
        hx_esc_cut(f, g, 16);
        fputs("</text>\n", f);
        x += 24 + 8.0 * (double)ASC_MIN(strlen(g), 16);
    }
}

void hx_fig_bars(FILE *f, const char *id, const json_t *t)
{
    const json_t *rows = json_object_get(t, "rows");
    size_t n = ASC_MIN(json_array_size(rows), (size_t)HX_MAX_BARS);
    if (n == 0) {
        hx_nodata(f, id, "no rows");
        return;
    }
    int vcol = hx_col_type(t, "share", 0);
    if (vcol < 0)
        vcol = hx_col_type(t, "int", 1);
    const char *ktype = hx_col_attr(t, 0, "type"), *vtype = hx_col_attr(t, vcol, "type");
    int name_col = hx_col_find(t, "as_name");
    double vmax = 0;
    for (size_t r = 0; r < n; r++)
        vmax = fmax(vmax, hx_num(hx_cell(json_array_get(rows, r), vcol)));
    if (vmax <= 0)
        vmax = 1;
    const json_t *cols = json_object_get(t, "columns");
    const int W = 960, bar_x = 260, bar_w = 560, row_h = 22, top = 30;
    int h = top + (int)n * row_h + 10;
    open_fig(f, id, "bars", W, h, hx_str(t, "title"));
    bars_legend(f, t, 6);
    for (size_t r = 0; r < n; r++) {
        const json_t *row = json_array_get(rows, r);
        double v = hx_num(hx_cell(row, vcol)), len = v / vmax * bar_w;
        int y = top + (int)r * row_h;
        fprintf(f, "<g class=\"bar\" data-row=\"%zu\"", r);
        value_attr(f, hx_cell(row, vcol));
        fprintf(f, "><text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">", bar_x - 8,
                y + 14);
        key_label(f, hx_cell(row, 0), ktype, 12);
        if (name_col > 0) {
            fputs(" ", f);
            hx_esc_cut(f, json_string_value(hx_cell(row, name_col)), 18);
        }
        fputs("</text>\n", f);
        double gsum = 0, x = bar_x;
        for (size_t c = 0; c < json_array_size(cols); c++)
            if (*hx_str(json_array_get(cols, c), "grade"))
                gsum += hx_num(hx_cell(row, (int)c));
        for (size_t c = 0; gsum > 0 && c < json_array_size(cols); c++) {
            const char *g = hx_str(json_array_get(cols, c), "grade");
            double gv = hx_num(hx_cell(row, (int)c));
            if (!*g || gv <= 0)
                continue;
            double w = gv / gsum * len;
            fprintf(f,
                    "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"16\" fill=\"%s\" "
                    "data-grade=\"",
                    x, y + 2, w, hx_grade_color(g));
            hx_esc(f, g);
            fputs("\"", f);
            value_attr(f, hx_cell(row, (int)c));
            fputs("><title>", f);
            hx_esc(f, g);
            fputs(": ", f);
            hx_put_value(f, hx_cell(row, (int)c), "int");
            fputs("</title></rect>", f);
            x += w;
        }
        if (gsum <= 0)
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.2f\" height=\"16\" fill=\"%s\"/>", bar_x,
                    y + 2, len, hx_grade_color(NULL));
        fprintf(f, "<text x=\"%.2f\" y=\"%d\" font-size=\"12\">", bar_x + len + 6, y + 14);
        hx_put_value(f, hx_cell(row, vcol), vtype);
        fputs("</text></g>\n", f);
    }
    fputs("</svg>\n", f);
    size_t total = json_array_size(rows);
    fprintf(f, "<figcaption class=\"note\">Top %zu of %zu by the table's order; bar length ", n,
            total);
    hx_esc(f, hx_col_attr(t, vcol, "label"));
    fputs(", split by the sources' evidence grade.</figcaption>\n</figure>\n", f);
}

/* ---- world tile-grid map ----------------------------------------------- */

void hx_fig_map(FILE *f, const char *id, const json_t *t)
{
    const json_t *rows = json_object_get(t, "rows");
    int ccol = hx_col_type(t, "cc", 0), vcol = hx_col_type(t, "share", 0);
    if (vcol < 0)
        vcol = hx_col_type(t, "int", 0);
    if (json_array_size(rows) == 0 || ccol < 0 || vcol < 0) {
        hx_nodata(f, id, "no source countries");
        return;
    }
    double vmax = 0;
    for (size_t r = 0; r < json_array_size(rows); r++)
        vmax = fmax(vmax, hx_num(hx_cell(json_array_get(rows, r), vcol)));
    if (vmax <= 0)
        vmax = 1;
    const int S = 30, X0 = 10, Y0 = 10, W = 26 * S + 20, H = 16 * S + 50;
    const char *vtype = hx_col_attr(t, vcol, "type");
    open_fig(f, id, "map", W, H, "source countries");
    size_t nt = asc_html_grid_count();
    for (size_t i = 0; i < nt; i++) {
        int row, col;
        const char *cc = asc_html_grid_code(i, &row, &col);
        const json_t *hit = NULL;
        for (size_t r = 0; r < json_array_size(rows) && !hit; r++) {
            const char *rc = json_string_value(hx_cell(json_array_get(rows, r), ccol));
            if (rc && !strcmp(rc, cc))
                hit = json_array_get(rows, r);
        }
        double q = hit ? sqrt(hx_num(hx_cell(hit, vcol)) / vmax) : 0;
        char fill[16];
        if (hit)
            ramp(fill, sizeof(fill), 0.15 + 0.85 * q, 8, 64, 129);
        else
            snprintf(fill, sizeof(fill), "#e9e9e9");
        fprintf(f, "<g class=\"tile\" data-cc=\"%s\"", cc);
        if (hit)
            value_attr(f, hx_cell(hit, vcol));
        fprintf(f, "><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>",
                X0 + col * S, Y0 + row * S, S - 2, S - 2, fill);
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\" fill=\"%s\">%s",
                X0 + col * S + (S - 2) / 2, Y0 + row * S + 18, q > 0.55 ? "#fff" : "#333", cc);
        if (hit) {
            fprintf(f, "<title>%s: ", cc);
            hx_put_value(f, hx_cell(hit, vcol), vtype);
            fputs("</title>", f);
        }
        fputs("</text></g>\n", f);
    }
    /* Scale: five steps from the smallest visible shade to the maximum. */
    int ly = Y0 + 16 * S + 8;
    for (int s = 0; s < 5; s++) {
        char fill[16];
        ramp(fill, sizeof(fill), 0.15 + 0.85 * sqrt((s + 1) / 5.0), 8, 64, 129);
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"30\" height=\"12\" fill=\"%s\"/>",
                X0 + 90 + s * 30, ly, fill);
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\">scale: 0</text>", X0, ly + 10);
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\">", X0 + 250, ly + 10);
    if (!strcmp(vtype, "share"))
        fprintf(f, "%.2f%%", vmax * 100.0);
    else
        fprintf(f, "%.0f", vmax);
    fputs(" (darkest)</text>\n</svg>\n<figcaption class=\"note\">One square per country; "
          "shade by ",
          f);
    hx_esc(f, hx_col_attr(t, vcol, "label"));
    fputs(" (square root scale).", f);
    /* Codes with no square: unknown and territories. */
    bool first = true;
    for (size_t r = 0; r < json_array_size(rows); r++) {
        const json_t *row = json_array_get(rows, r);
        const char *cc = json_string_value(hx_cell(row, ccol));
        int gr, gc;
        if (cc && asc_html_grid_pos(cc, &gr, &gc) == 0)
            continue;
        fputs(first ? " Not on the map: " : ", ", f);
        first = false;
        fputs("<span class=\"offmap\" data-cc=\"", f);
        hx_esc(f, cc ? cc : "");
        fputs("\"", f);
        value_attr(f, hx_cell(row, vcol));
        fputs(">", f);
        fputs(cc && *cc ? "" : "unknown", f);
        hx_esc(f, cc);
        fputs(" ", f);
        hx_put_value(f, hx_cell(row, vcol), vtype);
        fputs("</span>", f);
    }
    fputs("</figcaption>\n</figure>\n", f);
}

/* ---- controller x bot heat map ----------------------------------------- */

struct mkey {
    const char *key;
    double total;
};

static int mkey_cmp(const void *a, const void *b)
{
    const struct mkey *x = a, *y = b;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* Distinct keys of column col with their totals, largest first, at most
 * HX_MAX_MATRIX kept. Returns the count. */
static size_t matrix_keys(const json_t *rows, int col, int vcol, struct mkey *out)
{
    size_t cap = 1024, n = 0;
    struct mkey *k = asc_xcalloc(cap, sizeof(*k));
    for (size_t r = 0; r < json_array_size(rows) && r < 100000; r++) {
        const json_t *row = json_array_get(rows, r);
        const char *s = json_string_value(hx_cell(row, col));
        s = s ? s : "";
        size_t i = 0;
        while (i < n && strcmp(k[i].key, s))
            i++;
        if (i == n) {
            if (n == cap)
                continue; /* beyond 1024 distinct keys: too small to show anyway */
            k[n++].key = s;
        }
        k[i].total += hx_num(hx_cell(row, vcol));
    }
    qsort(k, n, sizeof(*k), mkey_cmp);
    n = ASC_MIN(n, (size_t)HX_MAX_MATRIX);
    memcpy(out, k, n * sizeof(*k));
    free(k);
    return n;
}

static int mkey_index(const struct mkey *k, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(k[i].key, s))
            return (int)i;
    return -1;
}

static void matrix_label(FILE *f, const char *s)
{
    if (*s)
        hx_esc_cut(f, s, 8);
    else
        fputs("unknown", f);
}

void hx_fig_matrix(FILE *f, const char *id, const json_t *t)
{
    const json_t *rows = json_object_get(t, "rows");
    int rcol = 0, ccol = 1, vcol = hx_col_find(t, "hosts");
    if (vcol < 0)
        vcol = hx_col_type(t, "int", 2);
    if (json_array_size(rows) == 0 || vcol < 0) {
        hx_nodata(f, id, "no controllers");
        return;
    }
    struct mkey rk[HX_MAX_MATRIX], ck[HX_MAX_MATRIX];
    size_t nr = matrix_keys(rows, rcol, vcol, rk), nc = matrix_keys(rows, ccol, vcol, ck);
    double vmax = 0;
    for (size_t r = 0; r < json_array_size(rows); r++)
        vmax = fmax(vmax, hx_num(hx_cell(json_array_get(rows, r), vcol)));
    if (vmax <= 0)
        vmax = 1;
    const int CW = 44, CH = 24, X0 = 150, Y0 = 50;
    int W = X0 + (int)nc * CW + 20, H = Y0 + (int)nr * CH + 20;
    open_fig(f, id, "matrix", W < 400 ? 400 : W, H, hx_str(t, "title"));
    fprintf(f, "<text x=\"%d\" y=\"16\" font-size=\"12\" font-weight=\"bold\">", X0);
    hx_esc(f, hx_col_attr(t, ccol, "label"));
    fprintf(f, " (columns)</text><text x=\"4\" y=\"%d\" font-size=\"12\" font-weight=\"bold\">",
            Y0 - 8);
    hx_esc(f, hx_col_attr(t, rcol, "label"));
    fputs(" (rows)</text>\n", f);
    for (size_t c = 0; c < nc; c++) {
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">",
                X0 + (int)c * CW + CW / 2, Y0 - 8);
        matrix_label(f, ck[c].key);
        fputs("</text>", f);
    }
    for (size_t r = 0; r < nr; r++) {
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">", X0 - 8,
                Y0 + (int)r * CH + 16);
        matrix_label(f, rk[r].key);
        fputs("</text>\n", f);
    }
    for (size_t r = 0; r < json_array_size(rows) && r < 100000; r++) {
        const json_t *row = json_array_get(rows, r);
        const char *a = json_string_value(hx_cell(row, rcol)),
                   *b = json_string_value(hx_cell(row, ccol));
        int i = mkey_index(rk, nr, a ? a : ""), j = mkey_index(ck, nc, b ? b : "");
        if (i < 0 || j < 0)
            continue;
        double q = sqrt(hx_num(hx_cell(row, vcol)) / vmax);
        char fill[16];
        ramp(fill, sizeof(fill), 0.12 + 0.88 * q, 165, 15, 21);
        fputs("<g class=\"cell\" data-row-key=\"", f);
        hx_esc(f, a ? a : "");
        fputs("\" data-col-key=\"", f);
        hx_esc(f, b ? b : "");
        fputs("\"", f);
        value_attr(f, hx_cell(row, vcol));
        fprintf(f, "><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", X0 + j * CW,
                Y0 + i * CH, CW - 2, CH - 2, fill);
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" fill=\"%s\">",
                X0 + j * CW + CW / 2 - 1, Y0 + i * CH + 16, q > 0.55 ? "#fff" : "#222");
        hx_put_value(f, hx_cell(row, vcol), "int");
        fputs("</text></g>\n", f);
    }
    fputs("</svg>\n<figcaption class=\"note\">Cell: ", f);
    hx_esc(f, hx_col_attr(t, vcol, "label"));
    fprintf(f, "; the %d largest rows and columns by total (all pairs are in the table).",
            HX_MAX_MATRIX);
    fputs("</figcaption>\n</figure>\n", f);
}
