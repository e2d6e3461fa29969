/*
 * html.h - the self-contained HTML report of `ascribe analyze --html`.
 *
 * Last stage of the pipeline, after the JSON sink: the page is rendered from
 * the exact JSON text of the analyze document (docs/schema/analyze.md), parsed
 * with jansson, so every number the page shows is the JSON's number. The page
 * needs no network (inline CSS and SVG, no script, no external font) and is
 * byte-identical for the same document. What each figure shows:
 * docs/report-html.md.
 */
#ifndef ASC_HTML_H
#define ASC_HTML_H

#include <stdio.h>

#include "core/common.h"

/* Render the analyze document `json` (len bytes, borrowed) as one HTML page
 * to f. Returns 0; ASC_EFORMAT with err set when the text is not an analyze
 * document; ASC_EIO on a write error. */
int asc_html_render(const char *json, size_t len, FILE *f, struct asc_err *err);

/* The same, into the file at path (created or truncated). */
int asc_html_write(const char *json, size_t len, const char *path, struct asc_err *err);

/* World tile grid (html_grid.c): the row and column of an ISO 3166 alpha-2
 * code on the map; returns 0, or -1 when the code has no tile. */
int asc_html_grid_pos(const char *cc, int *row, int *col);
/* Number of tiles, and the code of tile i (i < count), for tests. */
size_t asc_html_grid_count(void);
const char *asc_html_grid_code(size_t i, int *row, int *col);

#endif
