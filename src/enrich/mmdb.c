/*
 * mmdb.c - the MaxMind DB backend of the enrichment stage (libmaxminddb):
 * GeoLite2/GeoIP2/DB-IP Country and City, ASN, ISP, Anonymous-IP and
 * Enterprise files.
 *
 * Fields read, each at the top level of the record or under "traits":
 *   country        country.iso_code, else registered_country.iso_code
 *   ASN, AS name   autonomous_system_number / autonomous_system_organization
 *   flags          is_anycast -> ANYCAST; is_anonymous_proxy, is_public_proxy,
 *                  is_anonymous_vpn, is_residential_proxy -> ANON_PROXY;
 *                  is_satellite_provider -> SATELLITE; is_hosting_provider
 *                  -> HOSTING; is_tor_exit_node -> TOR
 * Metadata: database_type, build_epoch, the English description, and the
 * vendor guessed from those ("MaxMind", "DB-IP", "IPinfo").
 *
 * Robustness: a file libmaxminddb opens may still hold a corrupt search
 * tree or corrupt records (the bad-data corpus has several). At open every
 * tree node is read and every distinct data record decoded (files over
 * ASC_MMDB_VERIFY_MAX: the tree and the first 65536 records), so such a
 * file is refused with its name instead of answering emptily later. A
 * lookup that still fails is counted and its message kept (errors()).
 *
 * Thread safety: libmaxminddb lookups are read-only on the mapping. The
 * table of AS names (strings in an .mmdb are not NUL-terminated, so each
 * is copied once and kept until close) is under a mutex.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "enrich/enrich_int.h"

struct mmdb_state {
    MMDB_s db;
    bool opened, asn_only;
    bool has_asn;                 /* some record checked at open carries an ASN */
    uint64_t networks;            /* data records in the tree; 0 when not all were read */
    char *path, *vendor, *description;
    pthread_mutex_t mu;           /* names table and first_error */
    const char **key;             /* name table: string start in the mapping */
    char **name;
    size_t cap, used;
    atomic_uint_fast64_t n_errors;
    char first_error[200];
};

/* ---------------------------------------------------------------- names */

static size_t name_slot(const struct mmdb_state *s, const char *k)
{
    size_t i = (size_t)(((uintptr_t)k >> 1) * 0x9e3779b97f4a7c15ull >> 20) & (s->cap - 1);
    while (s->key[i] && s->key[i] != k)
        i = (i + 1) & (s->cap - 1);
    return i;
}

static void names_grow(struct mmdb_state *s)
{
    const char **ok = s->key;
    char **on = s->name;
    size_t ocap = s->cap;
    s->cap = ocap ? ocap * 2 : 1024;
    s->key = asc_xcalloc(s->cap, sizeof(*s->key));
    s->name = asc_xcalloc(s->cap, sizeof(*s->name));
    for (size_t i = 0; i < ocap; i++) {
        if (ok[i]) {
            size_t j = name_slot(s, ok[i]);
            s->key[j] = ok[i];
            s->name[j] = on[i];
        }
    }
    free(ok);
    free(on);
}

static const char *intern(struct mmdb_state *s, const char *str, uint32_t len)
{
    pthread_mutex_lock(&s->mu);
    if ((s->used + 1) * 2 > s->cap)
        names_grow(s);
    size_t i = name_slot(s, str);
    if (!s->key[i]) {
        s->key[i] = str;
        s->name[i] = asc_xmalloc((size_t)len + 1);
        memcpy(s->name[i], str, len);
        s->name[i][len] = 0;
        s->used++;
    }
    const char *r = s->name[i];
    pthread_mutex_unlock(&s->mu);
    return r;
}

static void note_error(struct mmdb_state *s, const char *what, int status)
{
    if (atomic_fetch_add(&s->n_errors, 1) == 0) {
        pthread_mutex_lock(&s->mu);
        snprintf(s->first_error, sizeof(s->first_error), "%s: %s: %s", s->path, what,
                 MMDB_strerror(status));
        pthread_mutex_unlock(&s->mu);
    }
}

/* ---------------------------------------------------------------- lookup */

/* Value at path under entry; false when absent. A decode error is counted. */
static bool get(struct mmdb_state *s, MMDB_entry_s *e, MMDB_entry_data_s *d, const char *const *path)
{
    int st = MMDB_aget_value(e, d, path);
    if (st == MMDB_SUCCESS)
        return d->has_data;
    if (st != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR && st != MMDB_INVALID_LOOKUP_PATH_ERROR)
        note_error(s, "reading a record", st);
    return false;
}

static bool get_bool(struct mmdb_state *s, MMDB_entry_s *e, const char *const *path)
{
    MMDB_entry_data_s d;
    return get(s, e, &d, path) && d.type == MMDB_DATA_TYPE_BOOLEAN && d.boolean;
}

static void read_cc(struct mmdb_state *s, MMDB_entry_s *e, struct asc_geo_part *out)
{
    static const char *const p1[] = {"country", "iso_code", NULL};
    static const char *const p2[] = {"registered_country", "iso_code", NULL};
    MMDB_entry_data_s d;
    if ((get(s, e, &d, p1) || get(s, e, &d, p2)) && d.type == MMDB_DATA_TYPE_UTF8_STRING &&
        d.data_size == 2) {
        out->cc[0] = d.utf8_string[0];
        out->cc[1] = d.utf8_string[1];
        out->cc[2] = 0;
    }
}

static void read_asn(struct mmdb_state *s, MMDB_entry_s *e, const char *pre,
                     struct asc_geo_part *out)
{
    const char *pn[] = {pre, "autonomous_system_number", NULL};
    const char *po[] = {pre, "autonomous_system_organization", NULL};
    const char *const *n = pre ? pn : pn + 1, *const *o = pre ? po : po + 1;
    MMDB_entry_data_s d;
    if (!out->asn && get(s, e, &d, n)) {
        if (d.type == MMDB_DATA_TYPE_UINT32)
            out->asn = d.uint32;
        else if (d.type == MMDB_DATA_TYPE_UINT16)
            out->asn = d.uint16;
    }
    if (!out->as_name && get(s, e, &d, o) && d.type == MMDB_DATA_TYPE_UTF8_STRING &&
        d.data_size > 0)
        out->as_name = intern(s, d.utf8_string, d.data_size);
}

static uint32_t read_flags(struct mmdb_state *s, MMDB_entry_s *e, const char *pre)
{
    static const struct {
        const char *key;
        uint32_t flag;
    } map[] = {
        {"is_anycast", ASC_NF_ANYCAST},
        {"is_anonymous_proxy", ASC_NF_ANON_PROXY},
        {"is_public_proxy", ASC_NF_ANON_PROXY},
        {"is_anonymous_vpn", ASC_NF_ANON_PROXY},
        {"is_residential_proxy", ASC_NF_ANON_PROXY},
        {"is_satellite_provider", ASC_NF_SATELLITE},
        {"is_hosting_provider", ASC_NF_HOSTING},
        {"is_tor_exit_node", ASC_NF_TOR},
    };
    uint32_t f = 0;
    for (size_t i = 0; i < ASC_ARRAY_LEN(map); i++) {
        const char *p[] = {pre, map[i].key, NULL};
        if (!(f & map[i].flag) && get_bool(s, e, pre ? p : p + 1))
            f |= map[i].flag;
    }
    return f;
}

static unsigned mmdb_lookup(void *state, const struct asc_addr *a, struct asc_geo_part *out)
{
    struct mmdb_state *s = state;
    struct sockaddr_in sin = {0};
    struct sockaddr_in6 sin6 = {0};
    const struct sockaddr *sa;
    memset(out, 0, sizeof(*out));
    if (a->family == ASC_AF_INET) {
        sin.sin_family = AF_INET;
        memcpy(&sin.sin_addr, a->b, 4);
        sa = (const struct sockaddr *)&sin;
    } else {
        if (s->db.metadata.ip_version == 4)
            return 0;
        sin6.sin6_family = AF_INET6;
        memcpy(&sin6.sin6_addr, a->b, 16);
        sa = (const struct sockaddr *)&sin6;
    }
    int st = MMDB_SUCCESS;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&s->db, sa, &st);
    if (st != MMDB_SUCCESS) {
        note_error(s, "lookup", st);
        return 0;
    }
    if (!r.found_entry)
        return 0;
    unsigned got = 0;
    read_asn(s, &r.entry, NULL, out);
    read_asn(s, &r.entry, "traits", out);
    if (out->asn)
        got |= ASC_GEO_ASN;
    if (out->as_name)
        got |= ASC_GEO_NAME;
    if (s->asn_only)
        return got;
    read_cc(s, &r.entry, out);
    if (out->cc[0])
        got |= ASC_GEO_CC;
    out->flags = read_flags(s, &r.entry, NULL) | read_flags(s, &r.entry, "traits");
    if (out->flags)
        got |= ASC_GEO_FLAGS;
    return got;
}

static uint64_t mmdb_errors(void *state, char *msg, size_t len)
{
    struct mmdb_state *s = state;
    uint64_t n = atomic_load(&s->n_errors);
    if (n && msg && len) {
        pthread_mutex_lock(&s->mu);
        snprintf(msg, len, "%s", s->first_error);
        pthread_mutex_unlock(&s->mu);
    }
    return n;
}

/* ---------------------------------------------------------------- walk */

struct walk_ctx {
    struct mmdb_state *s;
    void (*cb)(void *ctx, const struct asc_addr *net, unsigned plen, const struct asc_geo_part *g);
    void *ctx;
    uint32_t v4_node;             /* node of ::/96 in an IPv6 tree (IPv4 lives there) */
    int rc;
};

static void walk_record(struct walk_ctx *w, uint8_t bits[16], unsigned depth, uint64_t rec,
                        uint8_t type, MMDB_entry_s *entry);

static void walk_node(struct walk_ctx *w, uint32_t node, uint8_t bits[16], unsigned depth)
{
    MMDB_search_node_s n;
    if (w->rc || depth > 128)
        return;
    if (MMDB_read_node(&w->s->db, node, &n) != MMDB_SUCCESS) {
        w->rc = ASC_EFORMAT;
        return;
    }
    walk_record(w, bits, depth + 1, n.left_record, n.left_record_type, &n.left_record_entry);
    bits[depth / 8] |= (uint8_t)(0x80 >> (depth % 8));
    walk_record(w, bits, depth + 1, n.right_record, n.right_record_type, &n.right_record_entry);
    bits[depth / 8] &= (uint8_t) ~(0x80 >> (depth % 8));
}

static void walk_record(struct walk_ctx *w, uint8_t bits[16], unsigned depth, uint64_t rec,
                        uint8_t type, MMDB_entry_s *entry)
{
    bool v6 = w->s->db.metadata.ip_version == 6;
    if (type == MMDB_RECORD_TYPE_SEARCH_NODE) {
        /* IPv4 is reached at ::/96; the aliases (::ffff:0:0/96, 2002::/16)
         * point into the same subtree and would count it twice. */
        if (v6 && rec == w->v4_node && depth != 96)
            return;
        walk_node(w, (uint32_t)rec, bits, depth);
        return;
    }
    if (type != MMDB_RECORD_TYPE_DATA)
        return;
    struct asc_addr net = {0};
    unsigned plen = depth;
    bool in_v4 = v6 && depth >= 96 && !memcmp(bits, (const uint8_t[12]){0}, 12);
    if (!v6 || in_v4) {
        net.family = ASC_AF_INET;
        memcpy(net.b, v6 ? bits + 12 : bits, 4);
        plen = v6 ? depth - 96 : depth;
    } else {
        net.family = ASC_AF_INET6;
        memcpy(net.b, bits, 16);
    }
    MMDB_lookup_result_s r = {.found_entry = true, .entry = *entry};
    struct asc_geo_part g = {0};
    read_asn(w->s, &r.entry, NULL, &g);
    read_asn(w->s, &r.entry, "traits", &g);
    if (!w->s->asn_only) {
        read_cc(w->s, &r.entry, &g);
        g.flags = read_flags(w->s, &r.entry, NULL) | read_flags(w->s, &r.entry, "traits");
    }
    w->cb(w->ctx, &net, plen, &g);
}

static int mmdb_walk(void *state,
                     void (*cb)(void *ctx, const struct asc_addr *net, unsigned plen,
                                const struct asc_geo_part *g),
                     void *ctx)
{
    struct mmdb_state *s = state;
    struct walk_ctx w = {.s = s, .cb = cb, .ctx = ctx, .v4_node = UINT32_MAX};
    if (s->db.metadata.ip_version == 6) {
        /* follow 96 zero bits from the root to find the IPv4 subtree */
        uint32_t node = 0;
        MMDB_search_node_s n;
        for (int i = 0; i < 96 && node < s->db.metadata.node_count; i++) {
            if (MMDB_read_node(&s->db, node, &n) != MMDB_SUCCESS)
                return ASC_EFORMAT;
            node = (uint32_t)n.left_record;
        }
        w.v4_node = node;
    }
    uint8_t bits[16] = {0};
    walk_node(&w, 0, bits, 0);
    return w.rc;
}

/* ---------------------------------------------------------------- open */

/* Whether a record holds anything lookup() reads; notes an ASN. */
static bool probe_record(struct mmdb_state *s, MMDB_entry_s *e)
{
    struct asc_geo_part g = {0};
    read_asn(s, e, NULL, &g);
    read_asn(s, e, "traits", &g);
    if (g.asn)
        s->has_asn = true;
    read_cc(s, e, &g);
    g.flags = read_flags(s, e, NULL) | read_flags(s, e, "traits");
    return g.asn || g.as_name || g.cc[0] || g.flags;
}

/* Reads every tree node and decodes each distinct data record once (up to
 * max_records). A set of seen data offsets avoids decoding shared records
 * again. */
static int verify(struct mmdb_state *s, size_t max_records, struct asc_err *err)
{
    uint32_t nodes = s->db.metadata.node_count;
    size_t cap = 1024, used = 0, decoded = 0, data_records = 0;
    bool useful = false;
    uint64_t *seen = asc_xcalloc(cap, sizeof(*seen));
    int rc = 0;
    for (uint32_t i = 0; i < nodes && !rc; i++) {
        MMDB_search_node_s n;
        int st = MMDB_read_node(&s->db, i, &n);
        if (st != MMDB_SUCCESS || n.left_record_type == MMDB_RECORD_TYPE_INVALID ||
            n.right_record_type == MMDB_RECORD_TYPE_INVALID) {
            rc = asc_err_set(err, ASC_EFORMAT, "%s: corrupt MaxMind DB search tree at node %u%s%s",
                             s->path, i, st ? ": " : "", st ? MMDB_strerror(st) : "");
            break;
        }
        for (int side = 0; side < 2 && !rc && decoded < max_records; side++) {
            uint8_t type = side ? n.right_record_type : n.left_record_type;
            MMDB_entry_s e = side ? n.right_record_entry : n.left_record_entry;
            if (type != MMDB_RECORD_TYPE_DATA)
                continue;
            data_records++;
            uint64_t key = (uint64_t)e.offset + 1;
            size_t j = (size_t)(key * 0x9e3779b97f4a7c15ull >> 17) & (cap - 1);
            while (seen[j] && seen[j] != key)
                j = (j + 1) & (cap - 1);
            if (seen[j])
                continue;
            seen[j] = key;
            if (++used * 2 > cap) {
                uint64_t *old = seen;
                size_t ocap = cap;
                cap *= 2;
                seen = asc_xcalloc(cap, sizeof(*seen));
                for (size_t k = 0; k < ocap; k++) {
                    if (!old[k])
                        continue;
                    size_t m = (size_t)(old[k] * 0x9e3779b97f4a7c15ull >> 17) & (cap - 1);
                    while (seen[m])
                        m = (m + 1) & (cap - 1);
                    seen[m] = old[k];
                }
                free(old);
            }
            MMDB_entry_data_list_s *list = NULL;
            st = MMDB_get_entry_data_list(&e, &list);
            MMDB_free_entry_data_list(list);
            decoded++;
            if (st == MMDB_SUCCESS && !(s->has_asn && useful))
                useful |= probe_record(s, &e);
            if (st != MMDB_SUCCESS)
                rc = asc_err_set(err, ASC_EFORMAT,
                                 "%s: corrupt MaxMind DB data record at offset %u: %s", s->path,
                                 e.offset, MMDB_strerror(st));
        }
    }
    free(seen);
    if (max_records == SIZE_MAX)
        s->networks = data_records;
    if (!rc && !data_records)
        rc = asc_err_set(err, ASC_EFORMAT,
                         "%s: MaxMind DB without a single data record (every lookup would "
                         "come back empty)", s->path);
    if (!rc && !useful)
        rc = asc_err_set(err, ASC_EFORMAT,
                         "%s: no record holds a country, an AS number or a network flag "
                         "(database_type \"%s\"; not a country, city, ASN or anonymous-IP "
                         "database)", s->path, s->db.metadata.database_type ? s->db.metadata.database_type : "");
    if (!rc && s->db.metadata.build_epoch > UINT64_C(253402300799))
        rc = asc_err_set(err, ASC_EFORMAT, "%s: MaxMind DB build_epoch %llu is past year 9999",
                         s->path, (unsigned long long)s->db.metadata.build_epoch);
    return rc;
}

static void set_meta(struct mmdb_state *s)
{
    const MMDB_metadata_s *m = &s->db.metadata;
    const char *type = m->database_type ? m->database_type : "";
    const char *en = NULL;
    for (size_t i = 0; i < m->description.count; i++) {
        const MMDB_description_s *d = m->description.descriptions[i];
        if (d && d->language && d->description && !strcmp(d->language, "en"))
            en = d->description;
    }
    size_t n = strlen(type) + (en ? strlen(en) + 4 : 0) + 1;
    s->description = asc_xmalloc(n);
    snprintf(s->description, n, "%s%s%s%s", type, en ? " (" : "", en ? en : "", en ? ")" : "");
    const char *v = NULL;
    const char *hay[] = {type, en ? en : ""};
    for (size_t i = 0; i < 2 && !v; i++) {
        if (strstr(hay[i], "GeoIP") || strstr(hay[i], "GeoLite") || strstr(hay[i], "MaxMind"))
            v = "MaxMind";
        else if (strstr(hay[i], "DBIP") || strstr(hay[i], "DB-IP") || strstr(hay[i], "dbip"))
            v = "DB-IP";
        else if (strstr(hay[i], "ipinfo") || strstr(hay[i], "IPinfo"))
            v = "IPinfo";
    }
    s->vendor = v ? asc_xstrdup(v) : NULL;
}

static void mmdb_close(void *state)
{
    struct mmdb_state *s = state;
    if (!s)
        return;
    if (s->opened)
        MMDB_close(&s->db);
    for (size_t i = 0; i < s->cap; i++)
        free(s->name[i]);
    free(s->key);
    free(s->name);
    free(s->path);
    free(s->vendor);
    free(s->description);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int asc_mmdb_open(const char *path, bool asn_only, struct asc_geo_backend *out,
                  struct asc_err *err)
{
    struct mmdb_state *s = asc_xcalloc(1, sizeof(*s));
    struct stat st;
    int rc = 0;
    pthread_mutex_init(&s->mu, NULL);
    s->path = asc_xstrdup(path);
    s->asn_only = asn_only;
    if (stat(path, &st) != 0) {
        rc = asc_err_set(err, errno == ENOENT ? ASC_ENOENT : ASC_EIO, "%s: %s", path,
                         strerror(errno));
        goto fail;
    }
    if (st.st_size == 0) {
        rc = asc_err_set(err, ASC_EFORMAT, "%s: empty file (not a MaxMind DB)", path);
        goto fail;
    }
    int mst = MMDB_open(path, MMDB_MODE_MMAP, &s->db);
    if (mst != MMDB_SUCCESS) {
        rc = asc_err_set(err, mst == MMDB_FILE_OPEN_ERROR ? ASC_EIO : ASC_EFORMAT,
                         "%s: not a valid MaxMind DB: %s", path, MMDB_strerror(mst));
        goto fail;
    }
    s->opened = true;
    if (s->db.metadata.ip_version != 4 && s->db.metadata.ip_version != 6) {
        rc = asc_err_set(err, ASC_EFORMAT, "%s: MaxMind DB with ip_version %u", path,
                         s->db.metadata.ip_version);
        goto fail;
    }
    if ((rc = verify(s, (uint64_t)st.st_size <= ASC_MMDB_VERIFY_MAX ? SIZE_MAX : 65536, err)))
        goto fail;
    if (asn_only && !s->has_asn) {
        rc = asc_err_set(err, ASC_EFORMAT, "%s: given as an ASN database, but its records "
                         "hold no autonomous_system_number", path);
        goto fail;
    }
    set_meta(s);
    memset(out, 0, sizeof(*out));
    out->state = s;
    out->info.name = s->db.metadata.database_type ? s->db.metadata.database_type : "mmdb";
    out->info.kind = "mmdb";
    out->info.entries = s->networks;
    out->info.path = s->path;
    out->info.vendor = s->vendor;
    out->info.description = s->description;
    out->info.built = s->db.metadata.build_epoch > (uint64_t)INT64_MAX
                          ? 0
                          : (int64_t)s->db.metadata.build_epoch;
    out->provides = s->has_asn ? ASC_GEO_ASN | ASC_GEO_NAME : 0;
    if (!asn_only)
        out->provides |= ASC_GEO_CC | ASC_GEO_FLAGS;
    out->lookup = mmdb_lookup;
    out->walk = mmdb_walk;
    out->close = mmdb_close;
    out->errors = mmdb_errors;
    return 0;
fail:
    mmdb_close(s);
    return rc;
}
