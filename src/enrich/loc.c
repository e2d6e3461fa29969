/*
 * loc.c - the libloc backend of the enrichment stage (IPFire location
 * database, Debian's libloc1 + libloc-database).
 *
 * Answers country, ASN, AS name (from the database's AS table) and the
 * network flags anycast, anonymous proxy, satellite provider and "drop"
 * (hostile). Records vendor, description, license and build time.
 *
 * Robustness: libloc 0.9.16 trusts the section offsets in the header and
 * crashes on a truncated file, so the header is read and every section
 * checked against the file size here before libloc sees the file.
 *
 * Thread safety: libloc's context reference count is a plain int that
 * every lookup increments and decrements (each result network and AS
 * object holds a reference), so concurrent lookups on one database race.
 * One mutex per backend serialises lookups; the enricher's cache keeps
 * repeated addresses away from it (bench/README.md has the numbers).
 * AS names are copied into a table owned by the backend, so the pointers
 * handed out stay valid until close, unlike libloc's per-lookup objects.
 *
 * Fast path (loc_flat.c): libloc's tree walk costs about 3 us a lookup.
 * Once a run has made more than `flat_after` lookups here (default
 * ASC_LOC_FLAT_AFTER, the copy's cost in lookups: docs/enrich.md), the
 * lookup that crosses the threshold copies every
 * network of the database into the project's LPM (about 0.5-1 s for the
 * 1.3M networks of Debian's database), publishes it with a release store,
 * and from then on lookups are one lock-free LPM probe with the same
 * answers. Small runs never pay for the copy.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
#include <libloc/as.h>

#include "enrich/enrich_int.h"
#include "enrich/loc_flat.h"

/* ---------------------------------------------------------------- header */

/* The on-disk header of a version 1 database (libloc's format.h, private
 * part): magic, then big-endian fields. Offsets are from the file start. */
#define LOC_MAGIC "LOCDBXX"
#define LOC_HDR_OFF 8
#define LOC_HDR_FIELDS 64 /* created_at .. signature2_length */
#define LOC_HDR_SIZE 4192 /* with both signatures and padding */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool asc_loc_sniff(const char *path)
{
    char m[7];
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    bool yes = fread(m, 1, sizeof(m), f) == sizeof(m) && !memcmp(m, LOC_MAGIC, 7);
    fclose(f);
    return yes;
}

/* Checks magic, version and that every section and header string lies
 * inside the file. libloc does not, and reads past the end of a short
 * mapping. */
static int check_header(FILE *f, const char *path, uint64_t *networks, struct asc_err *err)
{
    struct stat st;
    uint8_t h[LOC_HDR_OFF + LOC_HDR_FIELDS];
    if (fstat(fileno(f), &st) != 0)
        return asc_err_set(err, ASC_EIO, "%s: %s", path, strerror(errno));
    size_t got = fread(h, 1, sizeof(h), f);
    if (got < 8 || memcmp(h, LOC_MAGIC, 7) != 0)
        return asc_err_set(err, ASC_EFORMAT,
                           "%s: not a libloc database (%s; expected the magic \"LOCDBXX\")",
                           path, st.st_size == 0 ? "empty file" : "wrong magic");
    if (h[7] != 1)
        return asc_err_set(err, ASC_ENOTSUP, "%s: libloc database version %u (only 1 is read)",
                           path, h[7]);
    uint64_t size = (uint64_t)st.st_size;
    if (got < sizeof(h) || size < LOC_HDR_OFF + LOC_HDR_SIZE)
        return asc_err_set(err, ASC_ETRUNC, "%s: libloc database truncated in its header (%llu bytes)",
                           path, (unsigned long long)size);
    static const char *const sec[] = {"AS", "network data", "network tree", "country", "string pool"};
    const uint8_t *p = h + LOC_HDR_OFF + 20; /* as_offset */
    for (size_t i = 0; i < ASC_ARRAY_LEN(sec); i++) {
        uint64_t off = be32(p + 8 * i), len = be32(p + 8 * i + 4);
        if (off + len > size)
            return asc_err_set(err, ASC_ETRUNC,
                               "%s: libloc database truncated: the %s section ends at byte %llu, "
                               "the file has %llu bytes",
                               path, sec[i], (unsigned long long)(off + len),
                               (unsigned long long)size);
    }
    /* network data: one 12-byte struct loc_database_network_v1 per network */
    *networks = be32(p + 8 + 4) / 12;
    uint32_t pool_len = be32(p + 8 * 4 + 4);
    for (int i = 0; i < 3; i++) { /* vendor, description, license */
        if (be32(h + LOC_HDR_OFF + 8 + 4 * i) >= pool_len && pool_len > 0)
            return asc_err_set(err, ASC_EFORMAT, "%s: libloc header string outside the pool",
                               path);
    }
    rewind(f);
    return 0;
}

/* ---------------------------------------------------------------- state */

struct loc_state {
    pthread_mutex_t mu;
    struct loc_ctx *ctx;
    struct loc_database *db;
    FILE *f;
    char *path, *vendor, *description;
    /* AS names by number, open addressing (0 = empty slot); under mu. */
    uint32_t *asn;
    char **name;
    size_t cap, used;
    /* the fast path: NULL until built; written once under mu */
    _Atomic(struct asc_loc_flat *) flat;
    uint64_t slow;            /* lookups through libloc; under mu */
    uint64_t flat_after;      /* build once slow exceeds it; UINT64_MAX never */
    bool flat_failed;         /* the build failed: stay on libloc */
};

static void quiet_log(struct loc_ctx *ctx, int prio, const char *file, int line, const char *fn,
                      const char *fmt, va_list ap)
{
    (void)ctx, (void)prio, (void)file, (void)line, (void)fn, (void)fmt, (void)ap;
}

static size_t asn_slot(const struct loc_state *s, uint32_t asn)
{
    size_t i = (asn * 2654435761u) & (s->cap - 1);
    while (s->asn[i] && s->asn[i] != asn)
        i = (i + 1) & (s->cap - 1);
    return i;
}

static void names_grow(struct loc_state *s)
{
    uint32_t *oa = s->asn;
    char **on = s->name;
    size_t ocap = s->cap;
    s->cap = ocap ? ocap * 2 : 1024;
    s->asn = asc_xcalloc(s->cap, sizeof(*s->asn));
    s->name = asc_xcalloc(s->cap, sizeof(*s->name));
    for (size_t i = 0; i < ocap; i++) {
        if (oa[i]) {
            size_t j = asn_slot(s, oa[i]);
            s->asn[j] = oa[i];
            s->name[j] = on[i];
        }
    }
    free(oa);
    free(on);
}

/* The AS name, copied once into the table; NULL when the AS table has no
 * name for it. Called with mu held. */
static const char *as_name(struct loc_state *s, uint32_t asn)
{
    if ((s->used + 1) * 2 > s->cap)
        names_grow(s);
    size_t i = asn_slot(s, asn);
    if (s->asn[i])
        return s->name[i];
    struct loc_as *as = NULL;
    const char *n = NULL;
    if (loc_database_get_as(s->db, &as, asn) == 0 && as)
        n = loc_as_get_name(as);
    s->asn[i] = asn;
    s->name[i] = n && *n ? asc_xstrdup(n) : NULL;
    s->used++;
    if (as)
        loc_as_unref(as);
    return s->name[i];
}

static void to_in6(const struct asc_addr *a, struct in6_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (a->family == ASC_AF_INET) {
        out->s6_addr[10] = out->s6_addr[11] = 0xff;
        memcpy(out->s6_addr + 12, a->b, 4);
    } else {
        memcpy(out->s6_addr, a->b, 16);
    }
}

static uint32_t net_flags(struct loc_network *n)
{
    static const uint32_t bits[] = {LOC_NETWORK_FLAG_ANYCAST, LOC_NETWORK_FLAG_ANONYMOUS_PROXY,
                                    LOC_NETWORK_FLAG_SATELLITE_PROVIDER, LOC_NETWORK_FLAG_DROP};
    uint32_t lf = 0;
    for (size_t i = 0; i < ASC_ARRAY_LEN(bits); i++)
        if (loc_network_has_flag(n, bits[i]))
            lf |= bits[i];
    return asc_loc_flags(lf);
}

static void copy_cc(char dst[3], const char *cc)
{
    dst[0] = 0;
    if (cc && cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z' && !cc[2]) {
        dst[0] = cc[0];
        dst[1] = cc[1];
        dst[2] = 0;
    }
}

/* Fills out from one network; s->mu held (for the AS name table). */
static unsigned fill_part(struct loc_state *s, struct loc_network *n, struct asc_geo_part *out,
                          bool want_name)
{
    unsigned got = 0;
    memset(out, 0, sizeof(*out));
    copy_cc(out->cc, loc_network_get_country_code(n));
    if (out->cc[0])
        got |= ASC_GEO_CC;
    out->asn = loc_network_get_asn(n);
    if (out->asn) {
        got |= ASC_GEO_ASN;
        out->as_name = want_name ? as_name(s, out->asn) : NULL;
        if (out->as_name)
            got |= ASC_GEO_NAME;
    }
    out->flags = net_flags(n);
    if (out->flags)
        got |= ASC_GEO_FLAGS;
    return got;
}

/* libloc's own lookup; s->mu held. */
static unsigned tree_lookup(struct loc_state *s, const struct asc_addr *a,
                            struct asc_geo_part *out)
{
    struct in6_addr in6;
    struct loc_network *n = NULL;
    unsigned got = 0;
    to_in6(a, &in6);
    if (loc_database_lookup(s->db, &in6, &n) == 0 && n)
        got = fill_part(s, n, out, true);
    if (n)
        loc_network_unref(n);
    if (!got)
        memset(out, 0, sizeof(*out));
    return got;
}

/* Builds the fast path; s->mu held. */
static int flatten_locked(struct loc_state *s, struct asc_err *err)
{
    if (atomic_load_explicit(&s->flat, memory_order_relaxed))
        return 0;
    struct asc_loc_flat *f = NULL;
    struct asc_err e1 = {0};
    int rc = asc_loc_flat_build(fileno(s->f), s->path, &f, &e1);
    if (rc) {
        s->flat_failed = true;
        asc_log(ASC_LOG_WARN, "enrich", "%s; staying on libloc's lookups", e1.msg);
        return err ? asc_err_set(err, rc, "%s", e1.msg) : rc;
    }
    struct asc_loc_flat_stats st;
    asc_loc_flat_stats(f, &st);
    asc_log(ASC_LOG_INFO, "enrich",
            "%s: %zu IPv4 + %zu IPv6 networks copied into the LPM (%zu ranges, %.1f MiB) "
            "in %.2f s after %llu libloc lookups",
            s->path, st.networks4, st.networks6, st.ranges, (double)st.bytes / 1048576.0,
            st.seconds, (unsigned long long)s->slow);
    atomic_store_explicit(&s->flat, f, memory_order_release);
    return 0;
}

static unsigned loc_lookup(void *state, const struct asc_addr *a, struct asc_geo_part *out)
{
    struct loc_state *s = state;
    struct asc_loc_flat *f = atomic_load_explicit(&s->flat, memory_order_acquire);
    if (f)
        return asc_loc_flat_lookup(f, a, out);
    pthread_mutex_lock(&s->mu);
    f = atomic_load_explicit(&s->flat, memory_order_relaxed);
    if (!f && !s->flat_failed && ++s->slow > s->flat_after && flatten_locked(s, NULL) == 0)
        f = atomic_load_explicit(&s->flat, memory_order_relaxed);
    unsigned got = f ? asc_loc_flat_lookup(f, a, out) : tree_lookup(s, a, out);
    pthread_mutex_unlock(&s->mu);
    return got;
}

unsigned asc_loc_tree_lookup(const struct asc_geo_backend *b, const struct asc_addr *a,
                             struct asc_geo_part *out)
{
    struct loc_state *s = b->state;
    pthread_mutex_lock(&s->mu);
    unsigned got = tree_lookup(s, a, out);
    pthread_mutex_unlock(&s->mu);
    return got;
}

int asc_loc_flatten(const struct asc_geo_backend *b, struct asc_err *err)
{
    struct loc_state *s = b->state;
    pthread_mutex_lock(&s->mu);
    int rc = flatten_locked(s, err);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

const struct asc_loc_flat *asc_loc_flat_of(const struct asc_geo_backend *b)
{
    struct loc_state *s = b->state;
    return atomic_load_explicit(&s->flat, memory_order_acquire);
}

void asc_loc_set_flat_after(struct asc_geo_backend *b, uint64_t n)
{
    struct loc_state *s = b->state;
    s->flat_after = n;
}

/* Every network of the database, flattened (no overlaps), so per-AS and
 * per-country sums count each address once. */
static int loc_walk(void *state,
                    void (*cb)(void *ctx, const struct asc_addr *net, unsigned plen,
                               const struct asc_geo_part *g),
                    void *ctx)
{
    struct loc_state *s = state;
    struct loc_database_enumerator *en = NULL;
    int rc = 0;
    pthread_mutex_lock(&s->mu);
    /* libloc's enumerator takes minutes over a full database; the
     * flattened table gives the same networks in about a second. */
    if (!s->flat_failed && flatten_locked(s, NULL) == 0) {
        rc = asc_loc_flat_walk(atomic_load_explicit(&s->flat, memory_order_relaxed), cb, ctx);
        goto out;
    }
    if (loc_database_enumerator_new(&en, s->db, LOC_DB_ENUMERATE_NETWORKS,
                                    LOC_DB_ENUMERATOR_FLAGS_FLATTEN) != 0) {
        rc = ASC_ENOMEM;
        goto out;
    }
    for (;;) {
        struct loc_network *n = NULL;
        if (loc_database_enumerator_next_network(en, &n) != 0) {
            rc = ASC_EFORMAT;
            break;
        }
        if (!n)
            break;
        const struct in6_addr *first = loc_network_get_first_address(n);
        struct asc_addr net = {0};
        unsigned plen = loc_network_prefix(n);
        if (loc_network_address_family(n) == AF_INET) {
            net.family = ASC_AF_INET;
            memcpy(net.b, first->s6_addr + 12, 4);
            plen = plen >= 96 ? plen - 96 : plen;
        } else {
            net.family = ASC_AF_INET6;
            memcpy(net.b, first->s6_addr, 16);
        }
        struct asc_geo_part g;
        fill_part(s, n, &g, false);
        cb(ctx, &net, plen, &g);
        loc_network_unref(n);
    }
out:
    if (en)
        loc_database_enumerator_unref(en);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static void loc_close(void *state)
{
    struct loc_state *s = state;
    if (!s)
        return;
    if (s->db)
        loc_database_unref(s->db);
    if (s->ctx)
        loc_unref(s->ctx);
    if (s->f)
        fclose(s->f);
    asc_loc_flat_free(atomic_load_explicit(&s->flat, memory_order_relaxed));
    for (size_t i = 0; i < s->cap; i++)
        free(s->name[i]);
    free(s->asn);
    free(s->name);
    free(s->path);
    free(s->vendor);
    free(s->description);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* A copy with runs of white space (the description has newlines) made one
 * space and the ends trimmed; NULL for NULL or blank. */
static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    char *d = asc_xmalloc(strlen(s) + 1), *o = d;
    for (; *s; s++) {
        bool sp = *s == ' ' || *s == '\n' || *s == '\r' || *s == '\t';
        if (!sp)
            *o++ = *s;
        else if (o > d && o[-1] != ' ')
            *o++ = ' ';
    }
    while (o > d && o[-1] == ' ')
        o--;
    *o = 0;
    if (!*d) {
        free(d);
        return NULL;
    }
    return d;
}

int asc_loc_open(const char *path, struct asc_geo_backend *out, struct asc_err *err)
{
    if (!path)
        path = ASC_LOC_DEFAULT_PATH;
    struct loc_state *s = asc_xcalloc(1, sizeof(*s));
    int rc = 0;
    pthread_mutex_init(&s->mu, NULL);
    s->flat_after = ASC_LOC_FLAT_AFTER;
    s->path = asc_xstrdup(path);
    s->f = fopen(path, "rb");
    if (!s->f) {
        rc = asc_err_set(err, errno == ENOENT ? ASC_ENOENT : ASC_EIO, "%s: %s", path,
                         strerror(errno));
        goto fail;
    }
    uint64_t networks = 0;
    if ((rc = check_header(s->f, path, &networks, err)) != 0)
        goto fail;
    if (loc_new(&s->ctx) != 0) {
        rc = asc_err_set(err, ASC_ENOMEM, "%s: cannot create a libloc context", path);
        goto fail;
    }
    loc_set_log_fn(s->ctx, quiet_log);
    if (loc_database_new(s->ctx, &s->db, s->f) != 0 || !s->db) {
        s->db = NULL;
        rc = asc_err_set(err, ASC_EFORMAT, "%s: libloc cannot read this database", path);
        goto fail;
    }
    s->vendor = dup_or_null(loc_database_get_vendor(s->db));
    s->description = dup_or_null(loc_database_get_description(s->db));
    memset(out, 0, sizeof(*out));
    out->state = s;
    out->info.name = "libloc";
    out->info.kind = "libloc";
    out->info.entries = networks;
    out->info.path = s->path;
    out->info.vendor = s->vendor;
    out->info.description = s->description;
    out->info.built = (int64_t)loc_database_created_at(s->db);
    out->provides = ASC_GEO_CC | ASC_GEO_ASN | ASC_GEO_NAME | ASC_GEO_FLAGS;
    out->lookup = loc_lookup;
    out->walk = loc_walk;
    out->close = loc_close;
    return 0;
fail:
    loc_close(s);
    return rc;
}
