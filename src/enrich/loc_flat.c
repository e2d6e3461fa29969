/*
 * loc_flat.c - the fast path of the libloc backend: every network of a
 * libloc database copied into the project's LPM (lpm.h), so that a lookup
 * costs one LPM probe instead of libloc's tree walk under a lock.
 *
 * Enrichment stage, inside the libloc backend (loc.c decides when to build
 * it: after ASC_LOC_FLAT_AFTER lookups by default, docs/enrich.md). The
 * database file is read directly (the version 1 layout of libloc's
 * format.h: a binary tree of 12-byte nodes {zero, one, network} and 12-byte
 * network records {country code, asn, flags}, all big-endian). Each node
 * that carries a network at depth d is the prefix d of the path leading to
 * it; libloc's lookup returns the deepest such node on the address's path,
 * which is exactly the longest-prefix match the LPM computes. IPv4 networks
 * live under ::ffff:0:0/96 in the tree and go into the LPM's IPv4 table.
 *
 * A network record whose country code libloc rejects makes libloc's lookup
 * fail for the addresses it covers; it is kept here as an empty entry so
 * those addresses answer nothing, as they do through libloc. A structural
 * inconsistency (a child or network index out of range, a path deeper than
 * 128 bits, more visits than nodes) fails the build and the backend stays
 * on libloc's own lookups.
 *
 * AS names are not copied per network: the AS section becomes a small
 * read-only hash table from AS number to a name in a copy of the string
 * pool, looked up by ASN when a lookup needs the name. After the build
 * everything here is read-only, so lookups need no lock.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include <libloc/country.h>

#include "enrich/loc_flat.h"
#include "enrich/lpm.h"

#define HDR_OFF 8    /* after magic and version */
#define NODE_SIZE 12 /* struct loc_database_network_node_v1 */
#define NET_SIZE 12  /* struct loc_database_network_v1 */
#define AS_SIZE 8    /* struct loc_database_as_v1 */
#define NO_NETWORK 0xffffffffu

/* LPM value: asn | cc[0] << 32 | cc[1] << 40 | libloc flags << 48. 0 is a
 * network that answers nothing (no field, or a country libloc rejects). */
#define V_CC0 32
#define V_CC1 40
#define V_FLAGS 48

/* AS names: open addressing by AS number. */
struct as_slot {
    uint32_t num;
    uint32_t ref; /* pool offset + 1; 0 = empty slot */
};

struct asc_loc_flat {
    struct asc_lpm *lpm;
    char *pool; /* copy of the string pool, NUL-terminated */
    uint32_t pool_len;
    struct as_slot *as;
    size_t as_mask;
    struct asc_loc_flat_stats st;
};

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- AS names */

static size_t as_slot(const struct asc_loc_flat *f, uint32_t asn)
{
    size_t i = (size_t)(asn * 2654435761u) & f->as_mask;
    while (f->as[i].ref && f->as[i].num != asn)
        i = (i + 1) & f->as_mask;
    return i;
}

/* The AS table and the string pool. The first entry of a number wins. */
static int load_names(struct asc_loc_flat *f, const uint8_t *as, uint32_t as_len,
                      const uint8_t *pool, uint32_t pool_len)
{
    size_t n = as_len / AS_SIZE, cap = 64;
    while (cap < n * 2)
        cap <<= 1;
    f->as_mask = cap - 1;
    f->as = asc_xcalloc(cap, sizeof(*f->as));
    f->pool = asc_xmalloc((size_t)pool_len + 1);
    memcpy(f->pool, pool, pool_len);
    f->pool[pool_len] = 0;
    f->pool_len = pool_len;
    for (size_t i = 0; i < n; i++) {
        uint32_t asn = rd32(as + i * AS_SIZE), off = rd32(as + i * AS_SIZE + 4);
        size_t j = as_slot(f, asn);
        if (f->as[j].ref || off >= pool_len)
            continue;
        f->as[j].num = asn;
        f->as[j].ref = off + 1;
    }
    f->st.ases = n;
    return 0;
}

static const char *name_of(const struct asc_loc_flat *f, uint32_t asn)
{
    size_t j = as_slot(f, asn);
    if (!f->as[j].ref)
        return NULL;
    const char *s = f->pool + f->as[j].ref - 1;
    return *s ? s : NULL;
}

/* ---------------------------------------------------------------- build */

/* The LPM value of network record `rec`; libloc's country-code check is
 * memoised per code (cc_ok: 0 unknown, 1 valid, 2 rejected). */
static uint64_t net_value(const uint8_t *rec, uint8_t *cc_ok)
{
    uint8_t c0 = rec[0], c1 = rec[1];
    uint64_t v = rd32(rec + 4) | (uint64_t)(rd16(rec + 8) & 0xff) << V_FLAGS;
    if (!c0)
        return v; /* libloc: an empty code is no country */
    uint8_t *ok = &cc_ok[(unsigned)c0 << 8 | c1];
    if (!*ok) {
        char cc[3] = {(char)c0, (char)c1, 0};
        *ok = loc_country_code_is_valid(cc) ? 1 : 2;
    }
    if (*ok == 2)
        return 0; /* libloc fails the lookup: the address answers nothing */
    if (c0 >= 'A' && c0 <= 'Z' && c1 >= 'A' && c1 <= 'Z') /* as loc.c's copy_cc */
        v |= (uint64_t)c0 << V_CC0 | (uint64_t)c1 << V_CC1;
    return v;
}

struct walk_ent {
    uint32_t node;
    uint8_t depth;
    uint8_t b[16];
};

static const uint8_t v4map[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* True when the first plen bits of b equal those of ::ffff:0:0. */
static bool covers_v4(const uint8_t *b, unsigned plen)
{
    for (unsigned bit = 0; bit < plen && bit < 96; bit++)
        if (((b[bit / 8] ^ v4map[bit / 8]) >> (7 - bit % 8)) & 1)
            return false;
    return true;
}

static int add_net(struct asc_loc_flat *f, const uint8_t *b, unsigned plen, uint64_t v)
{
    int rc = 0;
    if (plen >= 96 && covers_v4(b, 96)) {
        uint32_t a4 = rd32(b + 12);
        rc = asc_lpm_add4(f->lpm, a4, plen - 96, v);
        f->st.networks4++;
        return rc;
    }
    struct asc_addr a = {.family = ASC_AF_INET6};
    memcpy(a.b, b, 16);
    rc = asc_lpm_add(f->lpm, &a, plen, v);
    /* a shorter IPv6 network holding all of ::ffff:0:0/96 covers IPv4 too */
    if (!rc && covers_v4(b, plen))
        rc = asc_lpm_add4(f->lpm, 0, 0, v);
    f->st.networks6++;
    return rc;
}

/* Depth-first walk from the root, zero branch first (address order). */
static int walk_tree(struct asc_loc_flat *f, const uint8_t *tree, uint32_t n_nodes,
                     const uint8_t *nets, uint32_t n_nets)
{
    struct walk_ent stack[2 * 130];
    size_t sp = 0, visits = 0;
    uint8_t *cc_ok = asc_xcalloc(65536, 1);
    int rc = 0;
    if (n_nodes == 0)
        goto out;
    stack[sp++] = (struct walk_ent){0, 0, {0}};
    while (sp && !rc) {
        struct walk_ent e = stack[--sp];
        if (++visits > n_nodes) {
            rc = ASC_EFORMAT; /* not a tree */
            break;
        }
        const uint8_t *nd = tree + (size_t)e.node * NODE_SIZE;
        uint32_t net = rd32(nd + 8), child[2] = {rd32(nd), rd32(nd + 4)};
        if (net != NO_NETWORK) {
            if (net >= n_nets) {
                rc = ASC_EFORMAT;
                break;
            }
            rc = add_net(f, e.b, e.depth, net_value(nets + (size_t)net * NET_SIZE, cc_ok));
        }
        for (int bit = 1; bit >= 0 && !rc; bit--) { /* push one first: zero pops first */
            if (!child[bit])
                continue;
            if (child[bit] >= n_nodes || e.depth >= 128) {
                rc = ASC_EFORMAT;
                break;
            }
            struct walk_ent c = {child[bit], (uint8_t)(e.depth + 1), {0}};
            memcpy(c.b, e.b, 16);
            if (bit)
                c.b[e.depth / 8] |= (uint8_t)(0x80 >> (e.depth % 8));
            stack[sp++] = c;
        }
    }
out:
    free(cc_ok);
    f->st.nodes = visits;
    return rc;
}

/* Section i of the header (0 AS, 1 network data, 2 tree, 3 countries, 4 pool). */
static int section(const uint8_t *m, size_t size, int i, const uint8_t **p, uint32_t *len)
{
    const uint8_t *h = m + HDR_OFF + 20 + 8 * i;
    uint64_t off = rd32(h), l = rd32(h + 4);
    if (off + l > size)
        return ASC_ETRUNC;
    *p = m + off;
    *len = (uint32_t)l;
    return 0;
}

int asc_loc_flat_build(int fd, const char *path, struct asc_loc_flat **out, struct asc_err *err)
{
    double t0 = mono();
    struct stat st;
    *out = NULL;
    if (fstat(fd, &st) != 0)
        return asc_err_set(err, ASC_EIO, "%s: %s", path, strerror(errno));
    size_t size = (size_t)st.st_size;
    if (size < HDR_OFF + 64)
        return asc_err_set(err, ASC_ETRUNC, "%s: libloc database too short", path);
    uint8_t *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED)
        return asc_err_set(err, ASC_EIO, "%s: mmap: %s", path, strerror(errno));
    const uint8_t *as, *nets, *tree, *pool;
    uint32_t as_len, nets_len, tree_len, pool_len;
    int rc = section(m, size, 0, &as, &as_len);
    if (!rc)
        rc = section(m, size, 1, &nets, &nets_len);
    if (!rc)
        rc = section(m, size, 2, &tree, &tree_len);
    if (!rc)
        rc = section(m, size, 4, &pool, &pool_len);
    if (rc) {
        munmap(m, size);
        return asc_err_set(err, rc, "%s: libloc database truncated", path);
    }
    struct asc_loc_flat *f = asc_xcalloc(1, sizeof(*f));
    f->lpm = asc_lpm_new(ASC_LPM_LAST);
    load_names(f, as, as_len, pool, pool_len);
    rc = walk_tree(f, tree, tree_len / NODE_SIZE, nets, nets_len / NET_SIZE);
    munmap(m, size);
    if (rc) {
        asc_loc_flat_free(f);
        return asc_err_set(err, rc, "%s: libloc network tree is inconsistent (%s)", path,
                           rc == ASC_ENOMEM ? "too many networks" : "bad index or not a tree");
    }
    asc_lpm_build(f->lpm);
    asc_lpm_shrink(f->lpm);
    struct asc_lpm_stats ls;
    asc_lpm_stats(f->lpm, &ls);
    f->st.ranges = ls.n_ranges4 + ls.n_ranges6;
    f->st.bytes = ls.bytes + (size_t)pool_len + 1 + (f->as_mask + 1) * 8 + sizeof(*f);
    f->st.seconds = mono() - t0;
    *out = f;
    return 0;
}

void asc_loc_flat_free(struct asc_loc_flat *f)
{
    if (!f)
        return;
    asc_lpm_free(f->lpm);
    free(f->pool);
    free(f->as);
    free(f);
}

void asc_loc_flat_stats(const struct asc_loc_flat *f, struct asc_loc_flat_stats *out)
{
    *out = f->st;
}

/* ---------------------------------------------------------------- lookup */

/* The answer a table value v stands for. */
static unsigned decode_val(const struct asc_loc_flat *f, uint64_t v, struct asc_geo_part *out)
{
    memset(out, 0, sizeof(*out));
    if (!v)
        return 0;
    unsigned got = 0;
    if (v >> V_CC0 & 0xff) {
        out->cc[0] = (char)(v >> V_CC0);
        out->cc[1] = (char)(v >> V_CC1);
        got |= ASC_GEO_CC;
    }
    out->asn = (uint32_t)v;
    if (out->asn) {
        got |= ASC_GEO_ASN;
        out->as_name = name_of(f, out->asn);
        if (out->as_name)
            got |= ASC_GEO_NAME;
    }
    uint32_t lf = (uint32_t)(v >> V_FLAGS);
    out->flags = asc_loc_flags(lf);
    if (out->flags)
        got |= ASC_GEO_FLAGS;
    return got;
}

unsigned asc_loc_flat_lookup(const struct asc_loc_flat *f, const struct asc_addr *a,
                             struct asc_geo_part *out)
{
    uint64_t v = 0;
    bool hit;
    if (a->family == ASC_AF_INET6 && !memcmp(a->b, v4map, 12)) /* ::ffff:a.b.c.d */
        hit = asc_lpm_lookup4(f->lpm, rd32(a->b + 12), &v);
    else
        hit = asc_lpm_lookup(f->lpm, a, &v);
    if (!hit)
        v = 0;
    return decode_val(f, v, out);
}

struct walk_ctx {
    const struct asc_loc_flat *f;
    void (*cb)(void *ctx, const struct asc_addr *net, unsigned plen, const struct asc_geo_part *g);
    void *ctx;
    struct asc_geo_part g;
};

static void walk_cidr(void *ctx, const struct asc_addr *net, unsigned plen)
{
    struct walk_ctx *w = ctx;
    w->cb(w->ctx, net, plen, &w->g);
}

static int walk_range(void *ctx, const struct asc_addr *lo, const struct asc_addr *hi, uint64_t v)
{
    struct walk_ctx *w = ctx;
    if (!decode_val(w->f, v, &w->g))
        return 0;
    return asc_range_to_cidrs(lo, hi, walk_cidr, w) < 0 ? ASC_EINVAL : 0;
}

int asc_loc_flat_walk(const struct asc_loc_flat *f,
                      void (*cb)(void *ctx, const struct asc_addr *net, unsigned plen,
                                 const struct asc_geo_part *g),
                      void *ctx)
{
    struct walk_ctx w = {.f = f, .cb = cb, .ctx = ctx};
    return asc_lpm_walk_ranges(f->lpm, walk_range, &w);
}
