/*
 * test_loc_flat.c - the libloc fast path (src/enrich/loc_flat.c) against
 * libloc's own lookups on Debian's database.
 *
 * The flattened table must give libloc's answer (country, ASN, AS name,
 * flags, or nothing) for: 1M random addresses (IPv4 uniform over the whole
 * space; IPv6 uniform over 2000::/3 and inside the RIRs' /12 blocks, plus
 * v4-mapped IPv6), and both sides of every network boundary that libloc's
 * own enumerator lists (first and last address of each network, the address
 * before the first and after the last). The reference answers come from
 * libloc (loc_database_lookup through asc_loc_tree_lookup, networks from
 * loc_database_enumerator), never from the code under test.
 *
 * Also: the lazy switch (no table before the threshold, one after, same
 * answers through the enricher), and a corrupted copy of the database whose
 * tree is not a tree (the build fails, lookups stay on libloc).
 *
 * A missing database is a skip, or a failure under CI=true.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>

#include "harness.h"
#include "enrich/enrich_int.h"
#include "enrich/loc_flat.h"

#define DB ASC_LOC_DEFAULT_PATH

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static bool have_db(void)
{
    if (access(DB, R_OK) == 0)
        return true;
    const char *ci = getenv("CI");
    if (ci && !strcmp(ci, "true")) {
        th_failed_checks++;
        fprintf(stderr,
                "  FAIL in %s: %s missing (CI=true; scripts/deps installs "
                "libloc-database)\n",
                th_current, DB);
    } else {
        printf("# SKIP %s: %s missing\n", th_current, DB);
    }
    return false;
}

static struct asc_geo_backend be;
static bool be_open;
static size_t n_compared, n_answered, n_named, n_flagged, n_mismatch;

static bool open_flat(void)
{
    if (be_open)
        return true;
    if (!have_db())
        return false;
    struct asc_err err = {0};
    if (asc_loc_open(DB, &be, &err) != 0) {
        fprintf(stderr, "  open: %s\n", err.msg);
        CHECK(0);
        return false;
    }
    asc_loc_set_flat_after(&be, UINT64_MAX);
    CHECK(asc_loc_flat_of(&be) == NULL);
    int rc = asc_loc_flatten(&be, &err);
    if (rc)
        fprintf(stderr, "  flatten: %s\n", err.msg);
    CHECK_EQ_U(rc, 0);
    if (rc)
        return false;
    be_open = true;
    struct asc_loc_flat_stats st;
    asc_loc_flat_stats(asc_loc_flat_of(&be), &st);
    printf("# flat: %zu IPv4 + %zu IPv6 networks, %zu nodes, %zu ASes, %zu ranges, "
           "%.1f MiB, %.2f s\n",
           st.networks4, st.networks6, st.nodes, st.ases, st.ranges, (double)st.bytes / 1048576.0,
           st.seconds);
    /* the database header counts the networks: every one is in the table */
    CHECK_EQ_U(st.networks4 + st.networks6, be.info.entries);
    CHECK(st.networks4 > 500000 && st.networks6 > 100000);
    return true;
}

static bool same_part(unsigned g1, const struct asc_geo_part *a, unsigned g2,
                      const struct asc_geo_part *b)
{
    if (g1 != g2 || strcmp(a->cc, b->cc) || a->asn != b->asn || a->flags != b->flags)
        return false;
    if (!a->as_name || !b->as_name)
        return a->as_name == b->as_name;
    return !strcmp(a->as_name, b->as_name);
}

/* Compares libloc's answer for `a` with the table's; counts what it saw. */
static void agree(const struct asc_addr *a)
{
    struct asc_geo_part want, got;
    unsigned gw = asc_loc_tree_lookup(&be, a, &want);
    unsigned gg = asc_loc_flat_lookup(asc_loc_flat_of(&be), a, &got);
    n_compared++;
    n_answered += gw != 0;
    n_named += (gw & ASC_GEO_NAME) != 0;
    n_flagged += (gw & ASC_GEO_FLAGS) != 0;
    if (same_part(gw, &want, gg, &got))
        return;
    if (n_mismatch++ < 10) {
        char s[ASC_ADDR_STRLEN];
        fprintf(stderr, "  %s: libloc %x %s AS%u %s %#x, flat %x %s AS%u %s %#x\n",
                asc_addr_str(a, s, sizeof(s)), gw, want.cc, want.asn,
                want.as_name ? want.as_name : "-", want.flags, gg, got.cc, got.asn,
                got.as_name ? got.as_name : "-", got.flags);
    }
}

static void reset_counts(void)
{
    n_compared = n_answered = n_named = n_flagged = n_mismatch = 0;
}

static void test_random_addresses(void)
{
    if (!open_flat())
        return;
    reset_counts();
    static const uint16_t rir12[] = {0x2400, 0x2600, 0x2800, 0x2a00, 0x2c00};
    for (size_t i = 0; i < 1000000; i++) {
        struct asc_addr a = {0};
        uint64_t r1 = rnd(), r2 = rnd();
        unsigned kind = (unsigned)(i % 10);
        if (kind < 6) { /* IPv4, uniform */
            a.family = ASC_AF_INET;
            memcpy(a.b, &r1, 4);
        } else {
            a.family = ASC_AF_INET6;
            memcpy(a.b, &r1, 8);
            memcpy(a.b + 8, &r2, 8);
            if (kind < 8) { /* inside an RIR /12 */
                uint16_t top = rir12[r2 % ASC_ARRAY_LEN(rir12)];
                a.b[0] = (uint8_t)(top >> 8);
                a.b[1] = (uint8_t)((top & 0xf0) | (a.b[1] & 0x0f));
            } else if (kind == 8) { /* 2000::/3 */
                a.b[0] = (uint8_t)(0x20 | (a.b[0] & 0x1f));
            } else { /* ::ffff:a.b.c.d */
                memset(a.b, 0, 10);
                a.b[10] = a.b[11] = 0xff;
            }
        }
        agree(&a);
    }
    printf("# random: %zu addresses, %zu answered, %zu named, %zu flagged, %zu differ\n",
           n_compared, n_answered, n_named, n_flagged, n_mismatch);
    CHECK_EQ_U(n_mismatch, 0);
    /* the sample must exercise the table: most IPv4 space is routed */
    CHECK(n_answered > 400000 && n_named > 300000);
}

static void addr_of(const struct in6_addr *in6, bool v4, struct asc_addr *a)
{
    memset(a, 0, sizeof(*a));
    if (v4) {
        a->family = ASC_AF_INET;
        memcpy(a->b, in6->s6_addr + 12, 4);
    } else {
        a->family = ASC_AF_INET6;
        memcpy(a->b, in6->s6_addr, 16);
    }
}

/* a +- 1 within its family; false when it would wrap. */
static bool step(struct asc_addr *a, int dir)
{
    int n = a->family == ASC_AF_INET ? 4 : 16;
    for (int i = n - 1; i >= 0; i--) {
        uint8_t old = a->b[i];
        a->b[i] = (uint8_t)(old + dir);
        if ((dir > 0 && old != 0xff) || (dir < 0 && old != 0))
            return true;
    }
    return false;
}

static void test_network_boundaries(void)
{
    if (!open_flat())
        return;
    reset_counts();
    struct loc_ctx *ctx = NULL;
    struct loc_database *db = NULL;
    struct loc_database_enumerator *en = NULL;
    FILE *f = fopen(DB, "rb");
    CHECK(f != NULL);
    if (!f || loc_new(&ctx) != 0 || loc_database_new(ctx, &db, f) != 0 ||
        loc_database_enumerator_new(&en, db, LOC_DB_ENUMERATE_NETWORKS, 0) != 0) {
        CHECK(0);
        goto out;
    }
    size_t nets = 0, flagged = 0;
    for (;;) {
        struct loc_network *n = NULL;
        if (loc_database_enumerator_next_network(en, &n) != 0 || !n)
            break;
        bool v4 = loc_network_address_family(n) == AF_INET;
        struct asc_addr first, last, x;
        addr_of(loc_network_get_first_address(n), v4, &first);
        addr_of(loc_network_get_last_address(n), v4, &last);
        flagged += loc_network_has_flag(n, LOC_NETWORK_FLAG_ANYCAST) ||
                   loc_network_has_flag(n, LOC_NETWORK_FLAG_DROP);
        loc_network_unref(n);
        nets++;
        agree(&first);
        agree(&last);
        x = first;
        if (step(&x, -1))
            agree(&x);
        x = last;
        if (step(&x, +1))
            agree(&x);
    }
    printf("# boundaries: %zu networks (%zu anycast/drop), %zu addresses, %zu answered, "
           "%zu differ\n",
           nets, flagged, n_compared, n_answered, n_mismatch);
    CHECK_EQ_U(n_mismatch, 0);
    CHECK_EQ_U(nets, be.info.entries);
    CHECK(flagged > 0);
out:
    if (en)
        loc_database_enumerator_unref(en);
    if (db)
        loc_database_unref(db);
    if (ctx)
        loc_unref(ctx);
    if (f)
        fclose(f);
}

/* Through the enricher: the table appears after the threshold, and the
 * answers before and after it are libloc's. */
static void test_lazy_switch(void)
{
    if (!have_db())
        return;
    struct asc_db_arg arg = {ASC_DB_LIBLOC, DB};
    struct asc_enrich_conf cf = {.dbs = &arg,
                                 .n_dbs = 1,
                                 .no_default = true,
                                 .cache_entries = SIZE_MAX,
                                 .libloc_flat_after = 100};
    struct asc_enricher *e = NULL;
    struct asc_err err = {0};
    CHECK_EQ_U(asc_enrich_open(&cf, &e, &err), 0);
    if (!e)
        return;
    struct asc_geo_backend ref;
    CHECK_EQ_U(asc_loc_open(DB, &ref, &err), 0);
    asc_loc_set_flat_after(&ref, UINT64_MAX);
    size_t differ = 0, answered = 0;
    for (int i = 0; i < 300; i++) {
        struct asc_addr a = {.family = ASC_AF_INET};
        uint64_t r = rnd();
        memcpy(a.b, &r, 4);
        struct asc_geo g;
        struct asc_geo_part p;
        asc_enrich_lookup_uncached(e, &a, &g);
        unsigned got = asc_loc_tree_lookup(&ref, &a, &p);
        answered += got != 0;
        if (strcmp(g.cc, p.cc) || g.asn != p.asn ||
            (g.as_name ? !p.as_name || strcmp(g.as_name, p.as_name) : p.as_name != NULL) ||
            (g.flags & ~(uint32_t)(ASC_NF_PRIVATE | ASC_NF_RESERVED | ASC_NF_BOGON |
                                   ASC_NF_UNROUTED)) != p.flags)
            differ++;
    }
    CHECK_EQ_U(differ, 0);
    CHECK(answered > 100);
    CHECK(asc_loc_flat_of(&ref) == NULL);
    ref.close(ref.state);
    asc_enrich_close(e);

    /* the backend alone: no table up to the threshold, one right after */
    struct asc_geo_backend b;
    CHECK_EQ_U(asc_loc_open(DB, &b, &err), 0);
    asc_loc_set_flat_after(&b, 5);
    struct asc_addr a = {.family = ASC_AF_INET, .b = {8, 8, 8, 8}};
    struct asc_geo_part p;
    for (int i = 0; i < 5; i++)
        b.lookup(b.state, &a, &p);
    CHECK(asc_loc_flat_of(&b) == NULL);
    b.lookup(b.state, &a, &p);
    CHECK(asc_loc_flat_of(&b) != NULL);
    b.close(b.state);
}

/* A copy of the database with one tree node pointing back at the root:
 * the build refuses it and lookups stay on libloc. */
static void test_corrupt_tree(void)
{
    if (!have_db())
        return;
    char tmp[] = "/tmp/ascribe-locflat-XXXXXX";
    int fd = mkstemp(tmp);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    FILE *in = fopen(DB, "rb"), *out = fdopen(fd, "w+b");
    char buf[65536];
    size_t n;
    while (in && (n = fread(buf, 1, sizeof(buf), in)) > 0)
        CHECK_EQ_U(fwrite(buf, 1, n, out), n);
    if (in)
        fclose(in);
    /* header: network_tree_offset at 8 + 8 + 12 + 16 = 44 */
    uint8_t h[4];
    fseek(out, 44, SEEK_SET);
    CHECK_EQ_U(fread(h, 1, 4, out), 4);
    uint32_t tree = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    /* node 1 (a child of the root on every path through it): zero -> 1 */
    uint8_t self[4] = {0, 0, 0, 1};
    fseek(out, (long)tree + 12, SEEK_SET);
    CHECK_EQ_U(fwrite(self, 1, 4, out), 4);
    fflush(out);
    struct asc_loc_flat *f = NULL;
    struct asc_err err = {0};
    int rc = asc_loc_flat_build(fileno(out), tmp, &f, &err);
    CHECK(rc == ASC_EFORMAT);
    CHECK(f == NULL);
    CHECK(strstr(err.msg, "inconsistent") != NULL);
    /* an out-of-range child */
    uint8_t big[4] = {0xff, 0xff, 0xff, 0xf0};
    fseek(out, (long)tree + 12, SEEK_SET);
    CHECK_EQ_U(fwrite(big, 1, 4, out), 4);
    fflush(out);
    rc = asc_loc_flat_build(fileno(out), tmp, &f, &err);
    CHECK(rc == ASC_EFORMAT && f == NULL);
    fclose(out);
    unlink(tmp);
}

TEST_MAIN(T(test_random_addresses), T(test_network_boundaries), T(test_lazy_switch),
          T(test_corrupt_tree))
