/*
 * html_int.h - helpers shared by the files of the HTML report (html.c: the
 * page, its tables and text; html_fig.c: the inline SVG figures). Not a
 * public interface: see html.h.
 *
 * Every string that reaches the page goes through hx_esc(), in text and in
 * attributes alike. Every number is formatted from the parsed JSON value:
 * data-value attributes carry the shortest text that reads back to the same
 * double (so a test can compare them with the JSON exactly), the visible text
 * a rounded form for people.
 */
#ifndef ASC_HTML_INT_H
#define ASC_HTML_INT_H

#include <jansson.h>
#include <stdio.h>

#include "sink/html.h"

/* Rows rendered per table and bars/cells per figure (the JSON keeps all). */
#define HX_MAX_ROWS 500
#define HX_MAX_BARS 15
#define HX_MAX_MATRIX 20
#define HX_MAX_LANES 16

/* Escape & < > " ' for HTML text and attribute values. */
void hx_esc(FILE *f, const char *s);
/* Like hx_esc, at most max_cp code points, then an ellipsis. */
void hx_esc_cut(FILE *f, const char *s, size_t max_cp);

/* Value access with defaults: "" / 0 / NULL when missing or of another type. */
const char *hx_str(const json_t *obj, const char *key);
double hx_num(const json_t *v);
bool hx_is_num(const json_t *v);

/* Formatting into buf (len >= 64). */
void hx_fmt_real(double v, char *buf, size_t len);  /* shortest round trip */
void hx_fmt_group(double v, char *buf, size_t len); /* integer, 1,234,567 */
void hx_fmt_time(double t, char *buf, size_t len);  /* 2011-03-18 12:12:47.096 */
/* data-value text of a JSON scalar: integer digits, shortest real, string. */
void hx_value_text(const json_t *v, char *buf, size_t len);
/* Visible text of a cell value of column type `type` (escaped). */
void hx_put_value(FILE *f, const json_t *v, const char *type);

/* Fill colour of an evidence grade (a neutral blue for anything else). */
const char *hx_grade_color(const char *grade);

/* Column helpers on a statistics table object. */
int hx_col_find(const json_t *table, const char *key);            /* -1 if none */
int hx_col_type(const json_t *table, const char *type, int from); /* first of type at >= from */
const char *hx_col_attr(const json_t *table, int col, const char *attr);
const json_t *hx_cell(const json_t *row, int col); /* NULL if missing */

/* Figures (html_fig.c). `id` is the element id of the figure. */
void hx_fig_bars(FILE *f, const char *id, const json_t *table);
void hx_fig_map(FILE *f, const char *id, const json_t *table);
void hx_fig_matrix(FILE *f, const char *id, const json_t *table);
/* Rate over time from the timeline table (may be NULL) with the incidents
 * marked as bars, lane i for incident order[i], labelled #i+1. */
void hx_fig_timeline(FILE *f, const char *id, const json_t *table, const json_t *incidents,
                     const json_t *run, const size_t *order, size_t n_order);
/* The "no data" stand-in for an empty figure. */
void hx_nodata(FILE *f, const char *id, const char *what);

#endif
