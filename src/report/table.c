/*
 * table.c - the generic report table (stats.h): building rows, sorting,
 * and writing a table as JSON (the "statistics" array of analyze --json)
 * and as CSV (--csv DIR, one file per table, RFC 4180 quoting).
 *
 * Numbers are printed from fixed formats (shares 4 decimals, floats %.10g,
 * times 9 decimals from integers), so output is byte-identical for the
 * same input and databases.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "report/report_int.h"

const char *asc_col_type_name(unsigned t)
{
    static const char *const n[] = {"string", "cc", "asn", "addr", "int", "float", "share",
                                    "time"};
    return t < ASC_ARRAY_LEN(n) ? n[t] : "string";
}

void tab_init(struct asc_table *t, const char *id, const char *title, const char *label,
              const char *chart, const char *unit, unsigned grades)
{
    memset(t, 0, sizeof(*t));
    t->id = id;
    t->title = title;
    t->label = label;
    t->chart = chart;
    t->unit = unit;
    t->grades = grades;
}

void tab_col(struct asc_table *t, const char *key, const char *label, enum asc_col_type type)
{
    if (t->n_cols >= ASC_TAB_COLS)
        return;
    t->cols[t->n_cols++] = (struct asc_col){.key = key, .label = label, .type = (uint8_t)type,
                                            .grade = -1};
}

void tab_grade_cols(struct asc_table *t, unsigned grades)
{
    for (unsigned g = 0; g < ASC_GRADE__COUNT; g++) {
        if (!(grades & (1u << g)) || t->n_cols >= ASC_TAB_COLS)
            continue;
        tab_col(t, asc_grade_name(g), asc_grade_name(g), ASC_COL_INT);
        t->cols[t->n_cols - 1].grade = (int8_t)g;
    }
}

void tab_th(struct asc_table *t, const char *name, double v)
{
    if (t->n_th < ASC_ARRAY_LEN(t->th))
        t->th[t->n_th++] = (struct asc_th){name, v};
}

void tab_note(struct asc_table *t, const char *fmt, ...)
{
    size_t len = strlen(t->notes);
    if (len + 2 >= sizeof(t->notes))
        return;
    if (len)
        t->notes[len++] = ' ';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->notes + len, sizeof(t->notes) - len, fmt, ap);
    va_end(ap);
}

union asc_cell *tab_row(struct asc_table *t)
{
    if (t->n_rows == t->cap_rows) {
        t->cap_rows = t->cap_rows ? t->cap_rows * 2 : 32;
        t->cells = asc_xrealloc(t->cells, t->cap_rows * ASC_TAB_COLS, sizeof(*t->cells));
    }
    union asc_cell *r = &t->cells[t->n_rows++ * ASC_TAB_COLS];
    memset(r, 0, ASC_TAB_COLS * sizeof(*r));
    return r;
}

char *tab_str(const char *s)
{
    return asc_xstrdup(s ? s : "");
}

char *tab_addr(const struct asc_addr *a)
{
    char b[ASC_ADDR_STRLEN];
    return asc_xstrdup(a->family ? asc_addr_str(a, b, sizeof(b)) : "");
}

static bool is_str(uint8_t type)
{
    return type == ASC_COL_STRING || type == ASC_COL_CC || type == ASC_COL_ADDR;
}

void tab_free(struct asc_table *t)
{
    for (size_t r = 0; r < t->n_rows; r++)
        for (size_t c = 0; c < t->n_cols; c++)
            if (is_str(t->cols[c].type))
                free(t->cells[r * ASC_TAB_COLS + c].s);
    free(t->cells);
    t->cells = NULL;
    t->n_rows = t->cap_rows = 0;
}

static int cmp_cell(const struct asc_col *c, const union asc_cell *a, const union asc_cell *b)
{
    switch (c->type) {
    case ASC_COL_ADDR: {
        struct asc_addr x = {0}, y = {0};
        int px = a->s[0] ? asc_addr_parse(a->s, &x) : -1;
        int py = b->s[0] ? asc_addr_parse(b->s, &y) : -1;
        if (px || py)
            return ((px != 0) - (py != 0)) ? (px != 0) - (py != 0) : strcmp(a->s, b->s);
        return asc_addr_cmp(&x, &y);
    }
    case ASC_COL_STRING:
    case ASC_COL_CC: return strcmp(a->s, b->s);
    case ASC_COL_FLOAT:
    case ASC_COL_SHARE: return a->d < b->d ? -1 : a->d > b->d;
    case ASC_COL_TIME: return a->t < b->t ? -1 : a->t > b->t;
    default: return a->u < b->u ? -1 : a->u > b->u;
    }
}

static int cmp_rows(const struct asc_table *t, const int *spec, size_t n,
                    const union asc_cell *a, const union asc_cell *b)
{
    for (size_t i = 0; i < n; i++) {
        int col = spec[i] > 0 ? spec[i] - 1 : -spec[i] - 1;
        int c = cmp_cell(&t->cols[col], &a[col], &b[col]);
        if (c)
            return spec[i] > 0 ? c : -c;
    }
    return 0;
}

/* Stable merge sort of whole rows. */
void tab_sort(struct asc_table *t, const int *spec, size_t n)
{
    size_t nr = t->n_rows, w = ASC_TAB_COLS;
    if (nr < 2)
        return;
    union asc_cell *tmp = asc_xcalloc(nr * w, sizeof(*tmp));
    union asc_cell *src = t->cells, *dst = tmp;
    for (size_t run = 1; run < nr; run *= 2) {
        for (size_t lo = 0; lo < nr; lo += 2 * run) {
            size_t mid = ASC_MIN(lo + run, nr), hi = ASC_MIN(lo + 2 * run, nr);
            size_t i = lo, j = mid, k = lo;
            while (i < mid || j < hi) {
                bool left = j >= hi ||
                            (i < mid && cmp_rows(t, spec, n, &src[i * w], &src[j * w]) <= 0);
                memcpy(&dst[k++ * w], &src[(left ? i++ : j++) * w], w * sizeof(*dst));
            }
        }
        union asc_cell *x = src;
        src = dst;
        dst = x;
    }
    if (src != t->cells)
        memcpy(t->cells, src, nr * w * sizeof(*src));
    free(tmp);
}

static void fmt_time(asc_time t, char *buf, size_t len)
{
    const char *sign = t < 0 ? "-" : "";
    uint64_t v = t < 0 ? (uint64_t)(-(t + 1)) + 1 : (uint64_t)t;
    snprintf(buf, len, "%s%llu.%09llu", sign, (unsigned long long)(v / 1000000000u),
             (unsigned long long)(v % 1000000000u));
}

static void fmt_float(double v, char *buf, size_t len)
{
    if (v != v || v > 1e300 || v < -1e300)
        v = 0;
    snprintf(buf, len, "%.10g", v);
}

const char *asc_cell_fmt(const struct asc_col *c, const union asc_cell *v, char *buf,
                         size_t len)
{
    switch (c->type) {
    case ASC_COL_STRING:
    case ASC_COL_CC:
    case ASC_COL_ADDR: return v->s ? v->s : "";
    case ASC_COL_FLOAT: fmt_float(v->d, buf, len); break;
    case ASC_COL_SHARE: snprintf(buf, len, "%.4f", v->d != v->d ? 0 : v->d); break;
    case ASC_COL_TIME: fmt_time(v->t, buf, len); break;
    default: snprintf(buf, len, "%llu", (unsigned long long)v->u); break;
    }
    return buf;
}

static void put_method(const struct asc_stats *st, const struct asc_table *t,
                       struct asc_jsonw *w)
{
    char b[64];
    asc_jw_obj_open(w, "method");
    asc_jw_str(w, "vantage", "passive capture at one point");
    asc_jw_arr_open(w, "inputs");
    for (size_t i = 0; i < st->cf.n_inputs; i++)
        asc_jw_str(w, NULL, st->cf.inputs[i]);
    asc_jw_arr_close(w);
    asc_jw_obj_open(w, "window");
    asc_jw_time(w, "start", st->first);
    asc_jw_time(w, "end", st->last);
    asc_jw_obj_close(w);
    asc_jw_str(w, "unit", t->unit);
    asc_jw_arr_open(w, "grades");
    for (unsigned g = 0; g < ASC_GRADE__COUNT; g++)
        if (t->grades & (1u << g))
            asc_jw_str(w, NULL, asc_grade_name(g));
    asc_jw_arr_close(w);
    asc_jw_arr_open(w, "databases");
    size_t nb = st->cf.enr ? asc_enrich_n_backends(st->cf.enr) : 0;
    for (size_t i = 0; i < nb; i++) {
        const struct asc_db_info *d = asc_enrich_backend(st->cf.enr, i);
        asc_jw_obj_open(w, NULL);
        asc_jw_str(w, "name", d->kind ? d->kind : "");
        asc_jw_str(w, "vendor", d->vendor ? d->vendor : "");
        b[0] = 0;
        if (d->built > 0) {
            time_t s = (time_t)d->built;
            struct tm tm;
            gmtime_r(&s, &tm);
            strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm);
        }
        asc_jw_str(w, "built", b);
        asc_jw_obj_close(w);
    }
    asc_jw_arr_close(w);
    asc_jw_obj_open(w, "thresholds");
    for (size_t i = 0; i < t->n_th; i++) {
        fmt_float(t->th[i].v, b, sizeof(b));
        asc_jw_member_raw(w, t->th[i].name, b, strlen(b));
    }
    asc_jw_obj_close(w);
    asc_jw_str(w, "notes", t->notes);
    asc_jw_obj_close(w);
}

static void put_table(const struct asc_stats *st, const struct asc_table *t,
                      struct asc_jsonw *w)
{
    char b[64];
    asc_jw_obj_open(w, NULL);
    asc_jw_str(w, "id", t->id);
    asc_jw_str(w, "title", t->title);
    asc_jw_str(w, "label", t->label);
    put_method(st, t, w);
    asc_jw_str(w, "chart", t->chart);
    asc_jw_arr_open(w, "columns");
    for (size_t c = 0; c < t->n_cols; c++) {
        asc_jw_obj_open(w, NULL);
        asc_jw_str(w, "key", t->cols[c].key);
        asc_jw_str(w, "label", t->cols[c].label);
        asc_jw_str(w, "type", asc_col_type_name(t->cols[c].type));
        if (t->cols[c].grade >= 0)
            asc_jw_str(w, "grade", asc_grade_name((unsigned)t->cols[c].grade));
        asc_jw_obj_close(w);
    }
    asc_jw_arr_close(w);
    asc_jw_arr_open(w, "rows");
    for (size_t r = 0; r < t->n_rows; r++) {
        asc_jw_arr_open(w, NULL);
        for (size_t c = 0; c < t->n_cols; c++) {
            const struct asc_col *col = &t->cols[c];
            const union asc_cell *v = &t->cells[r * ASC_TAB_COLS + c];
            if (is_str(col->type)) {
                asc_jw_str(w, NULL, v->s ? v->s : "");
            } else {
                const char *s = asc_cell_fmt(col, v, b, sizeof(b));
                asc_jw_member_raw(w, NULL, s, strlen(s));
            }
        }
        asc_jw_arr_close(w);
    }
    asc_jw_arr_close(w);
    asc_jw_obj_close(w);
}

void asc_stats_json(const struct asc_stats *st, struct asc_jsonw *w)
{
    asc_jw_arr_open(w, NULL);
    for (int i = 0; st->finished && i < ASC_TAB__COUNT; i++)
        put_table(st, &st->tab[i], w);
    asc_jw_arr_close(w);
}

static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int csv_table(const struct asc_table *t, const char *dir, struct asc_err *err)
{
    char path[4096], b[64];
    snprintf(path, sizeof(path), "%s/%s.csv", dir, t->id);
    FILE *f = fopen(path, "w");
    if (!f)
        return asc_err_set(err, ASC_EIO, "%s: cannot open for writing: %s", path,
                           strerror(errno));
    for (size_t c = 0; c < t->n_cols; c++) {
        if (c)
            fputc(',', f);
        csv_field(f, t->cols[c].key);
    }
    fputs("\r\n", f);
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            if (c)
                fputc(',', f);
            csv_field(f, asc_cell_fmt(&t->cols[c], &t->cells[r * ASC_TAB_COLS + c], b,
                                      sizeof(b)));
        }
        fputs("\r\n", f);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return asc_err_set(err, ASC_EIO, "%s: write error", path);
    return 0;
}

int asc_stats_csv(const struct asc_stats *st, const char *dir, struct asc_err *err)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return asc_err_set(err, ASC_EIO, "%s: cannot create directory: %s", dir,
                           strerror(errno));
    for (int i = 0; st->finished && i < ASC_TAB__COUNT; i++)
        if (csv_table(&st->tab[i], dir, err) != 0)
            return ASC_EIO;
    return 0;
}
