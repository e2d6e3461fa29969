/*
 * cmd_lookup.c - the `lookup` command: everything the enrichment stage
 * knows about each address given (country, ASN, AS name, network flags,
 * intel list memberships) and which database said what. Text or --json;
 * output depends only on the addresses and the databases (no clock).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "core/jsonw.h"
#include "enrich/enrich.h"
#include "enrich/intel.h"

enum { OPT_JSON = 2000 };

static void lookup_usage(FILE *f)
{
    fprintf(f, "usage: ascribe lookup [OPTIONS] ADDR...\n"
          "\n"
          "Print what the databases know about each IPv4/IPv6 address: country, AS\n"
          "number and name, network flags and intel list memberships, each with the\n"
          "database that said it ([N] refers to the numbered database list).\n"
          "\n"
          "databases, consulted in this order (the first that knows a field wins;\n"
          "flags are merged from all):\n"
          "%s"
          "\n"
          "output:\n"
          "  --json                  one JSON document: databases and results\n"
          "  -h, --help              this help\n"
          "\n"
          "Private, reserved and bogon addresses are flagged from the IANA\n"
          "special-purpose registries; a public address no database maps to an AS is\n"
          "flagged 'unrouted' (only when some database gives AS numbers).\n"
          "\n"
          "exit status: 0 ok, 1 a bad address, a bad option or a database that cannot\n"
          "be read (the message names the file).\n",
          asc_enrich_opts_help);
}

struct lookup_opts {
    struct asc_enrich_opts db;
    bool json;
};

/* Returns -1 to continue, else the exit status. */
static int parse_opts(struct lookup_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        ASC_ENRICH_LONGOPTS,
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (asc_parse_enrich_opt(c, optarg, &o->db))
            continue;
        switch (c) {
        case OPT_JSON: o->json = true; break;
        case 'h': lookup_usage(stdout); return ASC_EXIT_OK;
        default: lookup_usage(stderr); return ASC_EXIT_FATAL;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "ascribe lookup: no address given\n");
        return ASC_EXIT_FATAL;
    }
    o->db.cf.cache_entries = SIZE_MAX; /* each address once: a cache only costs */
    return -1;
}

static void fmt_time(int64_t t, char *buf, size_t len)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, len, "unknown");
}

/* ---------------------------------------------------------------- text */

static void text_databases(const struct asc_enricher *e)
{
    size_t n = asc_enrich_n_backends(e);
    printf("databases:%s\n", n ? "" : " none");
    for (size_t i = 0; i < n; i++) {
        const struct asc_db_info *d = asc_enrich_backend(e, i);
        char built[32];
        fmt_time(d->built, built, sizeof(built));
        printf("  [%zu] %s %s\n      vendor %s, built %s%s%s\n", i, d->kind, d->path,
               d->vendor ? d->vendor : "unknown", built, d->description ? ", " : "",
               d->description ? d->description : "");
    }
    const struct asc_intel *in = asc_enrich_intel(e);
    for (size_t i = 0; in && i < asc_intel_n_lists(in); i++) {
        const struct asc_intel_list *l = asc_intel_list(in, i);
        printf("  list %zu: %s (%s, %s) %s\n", i, l->name, l->category,
               l->date && *l->date ? l->date : "undated", l->path);
    }
}

static void src_tag(uint8_t src, char *buf, size_t len)
{
    if (src == ASC_SRC_NONE)
        buf[0] = 0;
    else
        snprintf(buf, len, "[%u]", src);
}

static void text_flags(uint32_t flags, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    for (uint32_t bit = 1; bit && o < len; bit <<= 1) {
        const char *n = (flags & bit) ? asc_enrich_flag_name(bit) : NULL;
        if (n)
            o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "," : "", n);
    }
    if (!buf[0])
        snprintf(buf, len, "-");
}

static void text_result(const struct asc_enricher *e, const char *addr, const struct asc_geo *g)
{
    char tag[8], asn[16], flags[160];
    printf("%s\n", addr);
    src_tag(g->src_cc, tag, sizeof(tag));
    printf("  %-9s %-40s %s\n", "country", g->cc[0] ? g->cc : "-", tag);
    src_tag(g->src_asn, tag, sizeof(tag));
    snprintf(asn, sizeof(asn), "AS%u", g->asn);
    printf("  %-9s %-40s %s\n", "asn", g->asn ? asn : "-", tag);
    src_tag(g->src_name, tag, sizeof(tag));
    printf("  %-9s %-40s %s\n", "as_name", g->as_name ? g->as_name : "-", tag);
    src_tag(g->src_flags, tag, sizeof(tag));
    text_flags(g->flags, flags, sizeof(flags));
    printf("  %-9s %-40s %s\n", "flags", flags, tag);
    printf("  %-9s ", "lists");
    const struct asc_intel *in = asc_enrich_intel(e);
    bool any = false;
    for (size_t i = 0; i < 64; i++) {
        if (!(g->lists >> i & 1))
            continue;
        const struct asc_intel_list *l = in ? asc_intel_list(in, i) : NULL;
        printf("%s%s(%s)", any ? ", " : "", l ? l->name : "?", l ? l->category : "?");
        any = true;
    }
    printf("%s\n", any ? "" : "-");
}

/* ---------------------------------------------------------------- json */

static void json_src(struct asc_jsonw *w, const char *key, uint8_t src)
{
    if (src == ASC_SRC_NONE)
        asc_jw_str(w, key, NULL);
    else
        asc_jw_u64(w, key, src);
}

static void json_databases(struct asc_jsonw *w, const struct asc_enricher *e)
{
    asc_jw_arr_open(w, "databases");
    for (size_t i = 0; i < asc_enrich_n_backends(e); i++) {
        const struct asc_db_info *d = asc_enrich_backend(e, i);
        char built[32];
        fmt_time(d->built, built, sizeof(built));
        asc_jw_obj_open(w, NULL);
        asc_jw_u64(w, "index", i);
        asc_jw_str(w, "kind", d->kind);
        asc_jw_str(w, "path", d->path);
        asc_jw_str(w, "vendor", d->vendor);
        asc_jw_str(w, "description", d->description);
        asc_jw_str(w, "built", d->built > 0 ? built : NULL);
        asc_jw_obj_close(w);
    }
    asc_jw_arr_close(w);
    asc_jw_arr_open(w, "lists");
    const struct asc_intel *in = asc_enrich_intel(e);
    for (size_t i = 0; in && i < asc_intel_n_lists(in); i++) {
        const struct asc_intel_list *l = asc_intel_list(in, i);
        asc_jw_obj_open(w, NULL);
        asc_jw_u64(w, "index", i);
        asc_jw_str(w, "name", l->name);
        asc_jw_str(w, "category", l->category);
        asc_jw_str(w, "date", l->date && *l->date ? l->date : NULL);
        asc_jw_str(w, "path", l->path);
        asc_jw_obj_close(w);
    }
    asc_jw_arr_close(w);
}

static void json_result(struct asc_jsonw *w, const char *addr, const struct asc_geo *g)
{
    asc_jw_obj_open(w, NULL);
    asc_jw_str(w, "addr", addr);
    asc_jw_str(w, "country", g->cc[0] ? g->cc : NULL);
    json_src(w, "country_db", g->src_cc);
    if (g->asn)
        asc_jw_u64(w, "asn", g->asn);
    else
        asc_jw_str(w, "asn", NULL);
    json_src(w, "asn_db", g->src_asn);
    asc_jw_str(w, "as_name", g->as_name);
    json_src(w, "as_name_db", g->src_name);
    asc_jw_arr_open(w, "flags");
    for (uint32_t bit = 1; bit; bit <<= 1) {
        const char *n = (g->flags & bit) ? asc_enrich_flag_name(bit) : NULL;
        if (n)
            asc_jw_str(w, NULL, n);
    }
    asc_jw_arr_close(w);
    json_src(w, "flags_db", g->src_flags);
    asc_jw_arr_open(w, "lists");
    for (unsigned i = 0; i < 64; i++)
        if (g->lists >> i & 1)
            asc_jw_u64(w, NULL, i);
    asc_jw_arr_close(w);
    asc_jw_obj_close(w);
}

/* ---------------------------------------------------------------- main */

static int run_lookups(struct asc_enricher *e, bool json, int n, char **addrs,
                       const struct asc_addr *parsed)
{
    struct asc_jsonw w;
    if (json) {
        asc_jw_init(&w);
        asc_jw_obj_open(&w, NULL);
        json_databases(&w, e);
        asc_jw_arr_open(&w, "results");
    } else {
        text_databases(e);
    }
    for (int i = 0; i < n; i++) {
        struct asc_geo g;
        asc_enrich_lookup(e, &parsed[i], &g);
        if (json) {
            json_result(&w, addrs[i], &g);
            if (w.len > (1u << 16) && asc_jw_flush(&w, stdout) != 0)
                break;
        } else {
            text_result(e, addrs[i], &g);
        }
    }
    int rc = ASC_EXIT_OK;
    if (json) {
        asc_jw_arr_close(&w);
        asc_jw_obj_close(&w);
        asc_jw_raw_char(&w, '\n');
        if (asc_jw_flush(&w, stdout) != 0)
            rc = ASC_EXIT_FATAL;
        asc_jw_fini(&w);
    }
    struct asc_err err = {0};
    if (asc_enrich_lookup_errors(e, &err)) {
        fprintf(stderr, "ascribe lookup: %s\n", err.msg);
        rc = ASC_EXIT_FATAL;
    }
    if (fflush(stdout) != 0)
        rc = ASC_EXIT_FATAL;
    return rc;
}

int asc_cmd_lookup(int argc, char **argv)
{
    struct lookup_opts o = {0};
    int rc = parse_opts(&o, argc, argv);
    struct asc_enricher *e = NULL;
    struct asc_addr *parsed = NULL;
    if (rc >= 0)
        goto out;
    int n = argc - optind;
    parsed = asc_xcalloc((size_t)n, sizeof(*parsed));
    for (int i = 0; i < n; i++) {
        if (asc_addr_parse(argv[optind + i], &parsed[i]) != 0) {
            fprintf(stderr, "ascribe lookup: '%s' is not an IPv4 or IPv6 address\n",
                    argv[optind + i]);
            rc = ASC_EXIT_FATAL;
            goto out;
        }
    }
    struct asc_err err = {0};
    if (asc_enrich_open(&o.db.cf, &e, &err) != 0) {
        fprintf(stderr, "ascribe lookup: %s\n", err.msg[0] ? err.msg : "cannot open databases");
        rc = ASC_EXIT_FATAL;
        goto out;
    }
    rc = run_lookups(e, o.json, n, argv + optind, parsed);
out:
    asc_enrich_close(e);
    free(parsed);
    asc_enrich_opts_free(&o.db);
    return rc;
}
