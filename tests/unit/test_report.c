/*
 * test_report.c - unit tests of src/report: the controller aggregation and
 * the controller x bot matrix (from constructed intel incidents, since no
 * capture has C2 contacts yet), the density shrinkage and both rankings of
 * known-bad hosting, --home/--home-net parsing, and the timeline's bounded
 * bins.
 *
 * Countries, ASes and routed space come from a small ip2asn TSV written to
 * a temporary file and opened as the only database, so every expected
 * number below follows from that file by hand.
 */
#include <math.h>
#include <unistd.h>

#include "harness.h"
#include "report/stats.h"


static char dbpath[256];

/* 1.0.0.0/22 AS100 US (4 /24s), 2.0.0.0/16 AS200 US (256), 3.0.0.0/24
 * AS300 RU (1), 20.0.0.0/16 AS400 CN (256), 21.0.0.0/16 AS500 DE (256). */
static const char tsv[] = "1.0.0.0\t1.0.3.255\t100\tUS\tSMALL-US\n"
                          "2.0.0.0\t2.0.255.255\t200\tUS\tBIG-US\n"
                          "3.0.0.0\t3.0.0.255\t300\tRU\tTINY-RU\n"
                          "20.0.0.0\t20.0.255.255\t400\tCN\tHOME-CN\n"
                          "21.0.0.0\t21.0.255.255\t500\tDE\tNET-DE\n";

static struct asc_enricher *open_db(void)
{
    snprintf(dbpath, sizeof(dbpath), "/tmp/asc_test_report_%d_ip2asn-v4.tsv", (int)getpid());
    FILE *f = fopen(dbpath, "w");
    if (!f)
        return NULL;
    fputs(tsv, f);
    fclose(f);
    struct asc_db_arg db = {ASC_DB_REGISTRY, dbpath};
    struct asc_enrich_conf cf = {.dbs = &db, .n_dbs = 1, .no_default = true};
    struct asc_enricher *e = NULL;
    struct asc_err err = {0};
    if (asc_enrich_open(&cf, &e, &err) != 0)
        fprintf(stderr, "  enrich_open: %s\n", err.msg);
    return e;
}

static struct asc_addr A(const char *s)
{
    struct asc_addr a = {0};
    asc_addr_parse(s, &a);
    return a;
}

/* One intel incident: listed address ind (cc, asn), category, hosts. */
static void emit_intel(struct asc_stats *st, const char *ind, const char *cc, uint32_t asn,
                       const char *cat, const char *const *hosts, size_t n)
{
    static struct asc_inc_intel in;
    struct asc_incident inc = {0};
    memset(&in, 0, sizeof(in));
    in.indicator = A(ind);
    in.n_lists = 1;
    in.lists[0] = (struct asc_intel_list_ref){"test", cat, "2026-01-01"};
    in.direction = ASC_INTEL_OUTBOUND;
    in.n_hosts = n;
    for (size_t i = 0; i < n; i++)
        in.hosts[i] = (struct asc_intel_host){.addr = A(hosts[i]), .pkts = 1, .bytes = 100};
    inc.type = ASC_INC_INTEL;
    inc.vector = cat;
    inc.detector = "intel";
    inc.n_top = 1;
    inc.top[0].addr = in.indicator;
    inc.top[0].grade = ASC_GRADE_VERIFIED;
    memcpy(inc.top[0].cc, cc, 3);
    inc.top[0].asn = asn;
    inc.n_sources = 1;
    inc.intel = &in;
    asc_stats_incident(st, &inc);
}

static void feed(struct asc_stats *st)
{
    static const char *const h1[] = {"20.0.0.1", "20.0.0.2", "21.0.0.1"};
    static const char *const h2[] = {"20.0.0.1", "20.0.0.3"};
    static const char *const h3[] = {"20.0.0.1"};
    static const char *const h4[] = {"20.0.0.4"};
    static const char *const h5[] = {"20.0.0.9"};
    emit_intel(st, "1.0.0.5", "US", 100, "c2", h1, 3);
    emit_intel(st, "1.0.0.6", "US", 100, "c2", h2, 2);
    emit_intel(st, "3.0.0.9", "RU", 300, "c2", h3, 1);
    emit_intel(st, "20.0.0.50", "CN", 400, "c2", h4, 1);   /* inside home CN */
    emit_intel(st, "2.0.0.7", "US", 200, "tor", h5, 1);    /* not a controller */
}

static const union asc_cell *row_of(const struct asc_table *t, size_t col, const char *key)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        const union asc_cell *row = &t->cells[r * ASC_TAB_COLS];
        if (!strcmp(row[col].s, key))
            return row;
    }
    return NULL;
}

static const union asc_cell *matrix_cell(const struct asc_table *t, const char *c,
                                         const char *b)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        const union asc_cell *row = &t->cells[r * ASC_TAB_COLS];
        if (!strcmp(row[0].s, c) && !strcmp(row[1].s, b))
            return row;
    }
    return NULL;
}

static void test_controllers_home(void)
{
    struct asc_enricher *e = open_db();
    CHECK(e != NULL);
    if (!e)
        return;
    struct asc_home home = {0};
    struct asc_err err = {0};
    CHECK(asc_home_parse_cc(&home, "CN", &err) == 0);
    struct asc_stats_conf cf = {.enr = e, .home = &home};
    struct asc_stats *st = asc_stats_new(&cf);
    feed(st);
    const struct asc_table *tab = asc_stats_finish(st, 0, 0);
    const struct asc_table *t = &tab[ASC_TAB_CONTROLLERS_CC], *m = &tab[ASC_TAB_CONTROLLER_MATRIX];
    CHECK_STR(t->id, "controllers_by_country");
    CHECK_EQ_U(t->n_rows, 2);   /* US and RU; the CN controller is inside */
    const union asc_cell *us = row_of(t, 0, "US"), *ru = row_of(t, 0, "RU");
    CHECK(us && ru && t->n_rows && us == &t->cells[0]);   /* most controllers first */
    if (us && ru) {
        CHECK_EQ_U(us[1].u, 2);          /* controllers */
        CHECK(fabs(us[2].d - 2.0 / 3) < 1e-12);
        CHECK_EQ_U(us[3].u, 3);          /* 20.0.0.1-3 inside; 21.0.0.1 (DE) is outside */
        CHECK(fabs(us[4].d - 1.0) < 1e-12);
        CHECK_EQ_U(us[5].u, 1);          /* one /24 */
        CHECK_EQ_U(us[6].u, 1);          /* one AS */
        CHECK_EQ_U(us[7].u, 2);          /* verified controllers */
        CHECK_EQ_U(ru[1].u, 1);
        CHECK_EQ_U(ru[3].u, 1);
        CHECK(fabs(ru[4].d - 1.0 / 3) < 1e-12);
    }
    CHECK_EQ_U(m->n_rows, 2);
    const union asc_cell *c1 = matrix_cell(m, "US", "CN"), *c2 = matrix_cell(m, "RU", "CN");
    CHECK(c1 && c1[2].u == 3);
    CHECK(c2 && c2[2].u == 1);
    CHECK(!matrix_cell(m, "US", "DE"));
    asc_stats_free(st);
    asc_enrich_close(e);
    unlink(dbpath);
}

static void test_controllers_nohome(void)
{
    struct asc_enricher *e = open_db();
    if (!e)
        return;
    struct asc_stats_conf cf = {.enr = e};
    struct asc_stats *st = asc_stats_new(&cf);
    feed(st);
    const struct asc_table *tab = asc_stats_finish(st, 0, 0);
    const struct asc_table *t = &tab[ASC_TAB_CONTROLLERS_CC], *m = &tab[ASC_TAB_CONTROLLER_MATRIX];
    CHECK_EQ_U(t->n_rows, 3);
    const union asc_cell *us = row_of(t, 0, "US"), *cn = row_of(t, 0, "CN");
    CHECK(us && us[1].u == 2 && us[3].u == 4);   /* every host inside, DE included */
    CHECK(cn && cn[1].u == 1 && cn[3].u == 1);
    CHECK(us && fabs(us[2].d - 0.5) < 1e-12);
    /* 5 distinct hosts in all: 20.0.0.1-4 and 21.0.0.1 */
    CHECK(us && fabs(us[4].d - 4.0 / 5) < 1e-12);
    CHECK(strstr(t->notes, "Neither --home nor --home-net") != NULL);
    const union asc_cell *d = matrix_cell(m, "US", "DE");
    CHECK(d && d[2].u == 1);
    CHECK_EQ_U(m->n_rows, 4);
    CHECK(m->n_rows && m->cells[0].s && !strcmp(m->cells[0].s, "US") &&
          m->cells[2].u == 3);   /* largest cell first */
    asc_stats_free(st);
    asc_enrich_close(e);
    unlink(dbpath);
}

static const union asc_cell *asn_row(const struct asc_table *t, uint64_t asn)
{
    for (size_t r = 0; r < t->n_rows; r++)
        if (t->cells[r * ASC_TAB_COLS].u == asn)
            return &t->cells[r * ASC_TAB_COLS];
    return NULL;
}

static void test_hosting_shrinkage(void)
{
    struct asc_enricher *e = open_db();
    if (!e)
        return;
    struct asc_stats_conf cf = {.enr = e};
    struct asc_stats *st = asc_stats_new(&cf);
    feed(st);
    const struct asc_table *tab = asc_stats_finish(st, 0, 0);
    const struct asc_table *a = &tab[ASC_TAB_BAD_ASN], *c = &tab[ASC_TAB_BAD_CC];
    /* 5 distinct listed IPv4 addresses over 4+256+1+256+256 = 773 routed /24s */
    double m = 5.0 / 773, S = 1024;
    CHECK_EQ_U(a->n_rows, 4);
    const union asc_cell *r100 = asn_row(a, 100), *r300 = asn_row(a, 300);
    CHECK(r100 && r300);
    if (r100 && r300) {
        CHECK_STR(r100[1].s, "SMALL-US");
        CHECK_EQ_U(r100[2].u, 2);
        CHECK(r100[4].d == 4);
        CHECK(fabs(r100[5].d - 0.5) < 1e-12);
        CHECK(fabs(r100[6].d - (2 + S * m) / (4 + S)) < 1e-12);
        CHECK(fabs(r300[5].d - 1.0) < 1e-12);
        CHECK(fabs(r300[6].d - (1 + S * m) / (1 + S)) < 1e-12);
        /* raw: the one-/24 AS with one listed host tops the list; shrunk: the
         * AS with two listed hosts in four /24s does */
        CHECK_EQ_U(r300[7].u, 1);
        CHECK_EQ_U(r100[7].u, 2);
        CHECK_EQ_U(r100[8].u, 1);
        CHECK_EQ_U(r300[8].u, 2);
        CHECK(a->cells[0].u == 100);   /* rows in shrunk order */
    }
    CHECK(a->n_th == 2 && fabs(a->th[1].v - m) < 1e-15 && a->th[0].v == S);
    const union asc_cell *us = row_of(c, 0, "US");
    CHECK(us && us[1].u == 3 && us[3].d == 260);   /* listed, routed /24s of US */
    CHECK(us && fabs(us[5].d - asc_shrink(3, 260, m, S)) < 1e-15);
    asc_stats_free(st);
    asc_enrich_close(e);
    unlink(dbpath);
}

static void test_shrink(void)
{
    CHECK(fabs(asc_shrink(0, 0, 0.01, 100) - 0.01) < 1e-15);   /* no data: the prior */
    CHECK(fabs(asc_shrink(1, 1, 0.001, 1000) - 2.0 / 1001) < 1e-15);
    /* a lot of data keeps its own rate */
    CHECK(fabs(asc_shrink(50000, 100000, 0.001, 1000) - 0.5) < 0.01);
    CHECK(asc_shrink(0, 0, 0, 0) == 0);
}

static void test_home_parse(void)
{
    struct asc_home h = {0};
    struct asc_err err = {0};
    CHECK(asc_home_parse_cc(&h, "CN,US", &err) == 0 && h.n_cc == 2);
    CHECK(asc_home_parse_cc(&h, "cn", &err) != 0);
    CHECK(asc_home_parse_cc(&h, "CHN", &err) != 0);
    CHECK(asc_home_parse_cc(&h, "CN,", &err) == 0);
    CHECK(asc_home_parse_net(&h, "10.0.0.0/8,2001:db8::/32", &err) == 0 && h.n_net == 2);
    CHECK(asc_home_parse_net(&h, "10.0.0.0/33", &err) != 0);
    CHECK(asc_home_parse_net(&h, "10.0.0.0/x", &err) != 0);
    CHECK(asc_home_parse_net(&h, "nope", &err) != 0);
    struct asc_addr a = A("10.1.2.3"), b = A("11.1.2.3"), c = A("2001:db8::1");
    CHECK(asc_home_inside(&h, &a, ""));
    CHECK(!asc_home_inside(&h, &b, "DE"));
    CHECK(asc_home_inside(&h, &b, "US"));
    CHECK(asc_home_inside(&h, &c, ""));
    CHECK(asc_home_inside(NULL, &b, ""));   /* nothing defined: inside */
}

static void test_timeline_bounded(void)
{
    struct asc_stats_conf cf = {0};
    struct asc_stats *st = asc_stats_new(&cf);
    asc_time t0 = INT64_C(1700000000) * ASC_NS_PER_SEC + 3;
    uint64_t n = 0;
    for (asc_time t = t0; t < t0 + 86400 * ASC_NS_PER_SEC; t += 7 * ASC_NS_PER_SEC, n++)
        asc_stats_frame(st, t, 60);
    const struct asc_table *tab = asc_stats_finish(st, t0, t0 + 86400 * ASC_NS_PER_SEC);
    const struct asc_table *t = &tab[ASC_TAB_TIMELINE];
    CHECK(t->n_rows <= ASC_STATS_MAX_BINS && t->n_rows > 50);
    uint64_t sum = 0, bytes = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        sum += t->cells[r * ASC_TAB_COLS + 1].u;
        bytes += t->cells[r * ASC_TAB_COLS + 2].u;
    }
    CHECK_EQ_U(sum, n);
    CHECK_EQ_U(bytes, n * 60);
    /* 86400 s in at most 300 bins: 500 s wide, aligned on multiples of it */
    CHECK(t->th[0].v == 500);
    CHECK(t->cells[0].t % (500 * ASC_NS_PER_SEC) == 0 && t->cells[0].t <= t0);
    asc_stats_free(st);
}

TEST_MAIN(T(test_controllers_home), T(test_controllers_nohome), T(test_hosting_shrinkage),
          T(test_shrink), T(test_home_parse), T(test_timeline_bounded))
