/*
 * enrich.c - the enricher facade (enrich.h): opens the backends in
 * precedence order, merges their answers, adds the special-purpose flags
 * and intel list bits, and keeps the cache in front.
 *
 * Sits between flow records and detectors. Opening is single-threaded;
 * asc_enrich_lookup() may run on many threads at once (the backends lock
 * or are read-only, the cache is a seqlock array).
 *
 * Merge rules (docs/enrich.md, "Precedence"):
 *   country   the first backend that knows one;
 *   ASN       the first backend that knows one;
 *   AS name   the first backend that names that same ASN (a name is never
 *             paired with another database's number);
 *   flags     the union over every backend (src_flags: the first that set
 *             any), plus the IANA special-purpose flags, plus ASC_NF_TOR
 *             when an intel list of category "tor" holds the address;
 *   UNROUTED  a public address (not private/reserved/bogon) for which no
 *             backend knows an ASN, set only when some backend can give
 *             ASNs at all.
 */
#include <dirent.h>
#include <stdatomic.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "enrich/intel.h"
#include "enrich/registry.h"
#include "enrich/special.h"
#include "enrich/enrich_int.h"

#define DEFAULT_CACHE 65536
#define MAX_BACKENDS 64

struct asc_enricher {
    struct asc_geo_backend be[MAX_BACKENDS];
    size_t n_be;
    bool asn_source;          /* some backend provides ASNs */
    struct asc_intel *intel;
    uint64_t tor_lists;       /* intel lists of category "tor" */
    struct asc_geo_cache *cache;
    uint64_t libloc_flat_after;
    /* run metadata: relaxed counters, only on the uncached path */
    atomic_uint_fast64_t queries;
    atomic_uint_fast64_t answered[MAX_BACKENDS];
    atomic_uint_fast64_t list_hits[ASC_INTEL_MAX_LISTS];
};

static const char *const default_mmdb_dirs[] = {
    "/usr/share/GeoIP",
    "/var/lib/GeoIP",
    "/usr/local/share/GeoIP",
};

/* ---------------------------------------------------------------- open */

static int add_backend(struct asc_enricher *e, const struct asc_geo_backend *b,
                       struct asc_err *err)
{
    if (e->n_be >= MAX_BACKENDS) {
        b->close(b->state);
        return asc_err_set(err, ASC_EINVAL, "more than %d databases", MAX_BACKENDS);
    }
    e->be[e->n_be++] = *b;
    if (!b->provides || (b->provides & ASC_GEO_ASN))
        e->asn_source = true;
    return 0;
}

static int open_db(struct asc_enricher *e, const struct asc_db_arg *d, struct asc_err *err)
{
    struct asc_geo_backend b;
    int rc;
    switch (d->kind) {
    case ASC_DB_LIBLOC: rc = asc_loc_open(d->path, &b, err); break;
    case ASC_DB_REGISTRY: rc = asc_registry_open(d->path, &b, err); break;
    case ASC_DB_GEO:
    case ASC_DB_ASN:
        if (asc_loc_sniff(d->path))
            rc = asc_loc_open(d->path, &b, err);
        else
            rc = asc_mmdb_open(d->path, d->kind == ASC_DB_ASN, &b, err);
        break;
    default: return asc_err_set(err, ASC_EINVAL, "%s: unknown database kind", d->path);
    }
    if (!rc && !strcmp(b.info.kind, "libloc"))
        asc_loc_set_flat_after(&b, e->libloc_flat_after);
    return rc ? rc : add_backend(e, &b, err);
}

static bool discoverable(const char *name)
{
    size_t n = strlen(name);
    if (n < 6 || strcmp(name + n - 5, ".mmdb"))
        return false;
    return !strncmp(name, "GeoLite2-", 9) || !strncmp(name, "GeoIP2-", 7) ||
           !strncmp(name, "dbip-", 5) || !strncmp(name, "DBIP-", 5);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* .mmdb files of the usual names in dir, in name order. A file that fails
 * to open is skipped with a warning naming it (nobody asked for it). */
static int discover(struct asc_enricher *e, const char *dir, struct asc_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!discoverable(de->d_name))
            continue;
        if (n == cap)
            names = asc_xrealloc(names, cap = cap ? cap * 2 : 8, sizeof(*names));
        names[n++] = asc_xstrdup(de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *path = asc_xmalloc(len);
        snprintf(path, len, "%s/%s", dir, names[i]);
        bool asn = strstr(names[i], "ASN") || strstr(names[i], "asn");
        struct asc_db_arg arg = {asn ? ASC_DB_ASN : ASC_DB_GEO, path};
        struct asc_err e1 = {0};
        if (!rc && open_db(e, &arg, &e1) != 0) {
            if (e->n_be >= MAX_BACKENDS)
                rc = asc_err_set(err, e1.code, "%s", e1.msg);
            else
                asc_log(ASC_LOG_WARN, "enrich", "skipping %s", e1.msg);
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return rc;
}

static int open_defaults(struct asc_enricher *e, const struct asc_enrich_conf *cf,
                         struct asc_err *err)
{
    const char *loc = cf->libloc_path ? cf->libloc_path : ASC_LOC_DEFAULT_PATH;
    struct stat st;
    if (cf->libloc_path || stat(loc, &st) == 0) {
        struct asc_db_arg arg = {ASC_DB_LIBLOC, loc};
        int rc = open_db(e, &arg, err);
        if (rc)
            return rc;
    } else {
        asc_log(ASC_LOG_INFO, "enrich", "no libloc database at %s", loc);
    }
    const char *const *dirs = cf->mmdb_dirs ? cf->mmdb_dirs : default_mmdb_dirs;
    size_t nd = cf->mmdb_dirs ? cf->n_mmdb_dirs : ASC_ARRAY_LEN(default_mmdb_dirs);
    for (size_t i = 0; i < nd; i++) {
        int rc = discover(e, dirs[i], err);
        if (rc)
            return rc;
    }
    return 0;
}

static int open_intel(struct asc_enricher *e, const struct asc_enrich_conf *cf,
                      struct asc_err *err)
{
    e->intel = asc_intel_new();
    for (size_t i = 0; i < cf->n_intel; i++) {
        if (asc_intel_load(e->intel, cf->intel_files[i], err) < 0)
            return err && err->code ? err->code : ASC_EINVAL;
    }
    for (size_t i = 0; i < asc_intel_n_lists(e->intel) && i < 64; i++) {
        const struct asc_intel_list *l = asc_intel_list(e->intel, i);
        if (l && l->category && !strcmp(l->category, "tor"))
            e->tor_lists |= (uint64_t)1 << i;
    }
    return 0;
}

int asc_enrich_open(const struct asc_enrich_conf *cf, struct asc_enricher **out,
                    struct asc_err *err)
{
    struct asc_enricher *e = asc_xcalloc(1, sizeof(*e));
    e->libloc_flat_after = cf->libloc_flat_after ? cf->libloc_flat_after : ASC_LOC_FLAT_AFTER;
    int rc = 0;
    for (size_t i = 0; i < cf->n_dbs && !rc; i++)
        rc = open_db(e, &cf->dbs[i], err);
    if (!rc && !cf->no_default)
        rc = open_defaults(e, cf, err);
    if (!rc)
        rc = open_intel(e, cf, err);
    if (rc) {
        asc_enrich_close(e);
        *out = NULL;
        return rc;
    }
    if (cf->cache_entries != SIZE_MAX)
        e->cache = asc_geo_cache_new(cf->cache_entries ? cf->cache_entries : DEFAULT_CACHE);
    *out = e;
    return 0;
}

void asc_enrich_close(struct asc_enricher *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n_be; i++)
        if (e->be[i].close)
            e->be[i].close(e->be[i].state);
    if (e->intel)
        asc_intel_free(e->intel);
    asc_geo_cache_free(e->cache);
    free(e);
}

/* ---------------------------------------------------------------- lookup */

static void merge(struct asc_geo *out, const struct asc_geo_part *p, unsigned got, uint8_t idx)
{
    if ((got & ASC_GEO_CC) && !out->cc[0] && p->cc[0]) {
        memcpy(out->cc, p->cc, 3);
        out->src_cc = idx;
    }
    if ((got & ASC_GEO_ASN) && !out->asn && p->asn) {
        out->asn = p->asn;
        out->src_asn = idx;
    }
    if ((got & ASC_GEO_NAME) && !out->as_name && p->as_name && p->asn == out->asn) {
        out->as_name = p->as_name;
        out->src_name = idx;
    }
    if ((got & ASC_GEO_FLAGS) && p->flags) {
        if (!out->flags)
            out->src_flags = idx;
        out->flags |= p->flags;
    }
}

void asc_enrich_lookup_uncached(struct asc_enricher *e, const struct asc_addr *a,
                                struct asc_geo *out)
{
    memset(out, 0, sizeof(*out));
    out->src_cc = out->src_asn = out->src_name = out->src_flags = ASC_SRC_NONE;
    atomic_fetch_add_explicit(&e->queries, 1, memory_order_relaxed);
    for (size_t i = 0; i < e->n_be; i++) {
        struct asc_geo_part p;
        unsigned got = e->be[i].lookup(e->be[i].state, a, &p);
        if (got) {
            merge(out, &p, got, (uint8_t)i);
            atomic_fetch_add_explicit(&e->answered[i], 1, memory_order_relaxed);
        }
    }
    uint32_t special = asc_special_flags(a);
    out->flags |= special;
    if (!out->asn && e->asn_source &&
        !(special & (ASC_NF_PRIVATE | ASC_NF_RESERVED | ASC_NF_BOGON)))
        out->flags |= ASC_NF_UNROUTED;
    out->lists = e->intel ? asc_intel_match_addr(e->intel, a) : 0;
    if (out->lists & e->tor_lists)
        out->flags |= ASC_NF_TOR;
    for (uint64_t l = out->lists; l; l &= l - 1)
        atomic_fetch_add_explicit(&e->list_hits[__builtin_ctzll(l)], 1, memory_order_relaxed);
}

void asc_enrich_lookup(struct asc_enricher *e, const struct asc_addr *a, struct asc_geo *out)
{
    if (e->cache && asc_geo_cache_get(e->cache, a, out))
        return;
    asc_enrich_lookup_uncached(e, a, out);
    if (e->cache)
        asc_geo_cache_put(e->cache, a, out);
}

/* ---------------------------------------------------------------- queries */

size_t asc_enrich_n_backends(const struct asc_enricher *e)
{
    return e->n_be;
}

const struct asc_db_info *asc_enrich_backend(const struct asc_enricher *e, size_t i)
{
    return i < e->n_be ? &e->be[i].info : NULL;
}

void asc_enrich_backend_counts(const struct asc_enricher *e, size_t i, uint64_t *queries,
                               uint64_t *answered)
{
    /* the counters are only read between runs; drop the const for the atomic load */
    struct asc_enricher *m = (struct asc_enricher *)(uintptr_t)e;
    *queries = i < e->n_be ? atomic_load_explicit(&m->queries, memory_order_relaxed) : 0;
    *answered = i < e->n_be ? atomic_load_explicit(&m->answered[i], memory_order_relaxed) : 0;
}

uint64_t asc_enrich_queries(const struct asc_enricher *e)
{
    struct asc_enricher *m = (struct asc_enricher *)(uintptr_t)e;
    return atomic_load_explicit(&m->queries, memory_order_relaxed);
}

size_t asc_enrich_routed_backend(const struct asc_enricher *e)
{
    const struct asc_geo_backend *b = asc_enrich_walk_backend(e);
    return b ? (size_t)(b - e->be) : SIZE_MAX;
}

uint64_t asc_enrich_list_hits(const struct asc_enricher *e, size_t i)
{
    struct asc_enricher *m = (struct asc_enricher *)(uintptr_t)e;
    return i < ASC_INTEL_MAX_LISTS ? atomic_load_explicit(&m->list_hits[i], memory_order_relaxed)
                                   : 0;
}

const struct asc_intel *asc_enrich_intel(const struct asc_enricher *e)
{
    return e->intel;
}

uint64_t asc_enrich_lookup_errors(const struct asc_enricher *e, struct asc_err *err)
{
    uint64_t total = 0;
    for (size_t i = 0; i < e->n_be; i++) {
        if (!e->be[i].errors)
            continue;
        char msg[sizeof(err->msg)];
        uint64_t n = e->be[i].errors(e->be[i].state, msg, sizeof(msg));
        if (n && !total && err)
            asc_err_set(err, ASC_EFORMAT, "%s", msg);
        total += n;
    }
    return total;
}

const char *asc_enrich_flag_name(uint32_t flag)
{
    switch (flag) {
    case ASC_NF_ANYCAST: return "anycast";
    case ASC_NF_ANON_PROXY: return "anon_proxy";
    case ASC_NF_SATELLITE: return "satellite";
    case ASC_NF_HOSTILE: return "hostile";
    case ASC_NF_PRIVATE: return "private";
    case ASC_NF_RESERVED: return "reserved";
    case ASC_NF_BOGON: return "bogon";
    case ASC_NF_UNROUTED: return "unrouted";
    case ASC_NF_HOSTING: return "hosting";
    case ASC_NF_TOR: return "tor";
    default: return NULL;
    }
}

const struct asc_geo_backend *asc_enrich_walk_backend(const struct asc_enricher *e)
{
    for (size_t i = 0; i < e->n_be; i++)
        if (e->be[i].walk && (!e->be[i].provides || (e->be[i].provides & ASC_GEO_ASN)))
            return &e->be[i];
    return NULL;
}
