/*
 * test_registry_geo.c - registry backends (src/enrich/registry.h) and the IANA
 * special-purpose table (src/enrich/special.h).
 *
 * Real files under $ASCRIBE_DATA/geo: counts checked against what each file
 * states about itself (RIR summary lines, pfx2as "Prefixes" headers, line
 * counts), known lookups from the data's SOURCES.md (8.8.8.8 -> AS15169,
 * TU Delft 130.161.0.0/16 -> AS1128, iptoasn 1.1.1.1 -> AS7497 CN), dates;
 * then broken inputs: malformed lines, empty, unknown format, truncated gzip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "enrich/registry.h"
#include "enrich/special.h"
#include "harness.h"
#include "testdata.h"

static char tmpdir[] = "/tmp/asc-regeo-XXXXXX";

static unsigned look(const struct asc_geo_backend *b, const char *s, struct asc_geo_part *g)
{
    struct asc_addr a;
    memset(g, 0, sizeof(*g));
    if (asc_addr_parse(s, &a) != 0)
        abort();
    return b->lookup(b->state, &a, g);
}

static int open_geo(const char *rel, struct asc_geo_backend *b)
{
    char buf[1024];
    struct asc_err err = {0};
    const char *p = td_path(rel, buf, sizeof(buf));
    if (!p)
        return -1;
    int rc = asc_registry_open(p, b, &err);
    if (rc)
        fprintf(stderr, "  %s: %s\n", p, err.msg);
    CHECK(rc == 0);
    return rc;
}

static void test_rir(void)
{
    const char *files[] = {"geo/rir-delegated/delegated-afrinic-extended-latest",
                           "geo/rir-delegated/delegated-lacnic-extended-latest"};
    for (int i = 0; i < 2; i++) {
        struct asc_geo_backend b;
        struct asc_geo_part g;
        if (open_geo(files[i], &b))
            continue;
        const struct asc_registry_stats *s = asc_registry_stats(&b);
        CHECK_STR(b.info.kind, "rir");
        CHECK(b.info.built > 1704000000 && b.info.built < 1704500000); /* 2024-01-04/05 */
        CHECK_EQ_U(s->n_v4_records, s->sum_ipv4);
        CHECK_EQ_U(s->n_v6_records, s->sum_ipv6);
        CHECK_EQ_U(s->n_records, s->hdr_records);
        CHECK_EQ_U(s->n_bad, 0);
        CHECK(s->n_prefixes > 1000);
        if (i == 0) {
            CHECK_STR(b.info.vendor, "AFRINIC");
            CHECK(look(&b, "41.0.0.1", &g) == ASC_GEO_CC && strcmp(g.cc, "ZA") == 0);
        } else {
            CHECK_STR(s->version, "2.3");
            CHECK(look(&b, "24.152.0.1", &g) == ASC_GEO_CC && strcmp(g.cc, "BR") == 0);
        }
        CHECK(look(&b, "8.8.8.8", &g) == 0);
        b.close(b.state);
    }
}

static void test_pfx2as(void)
{
    struct asc_geo_backend b;
    struct asc_geo_part g;
    if (open_geo("geo/pyasn-pfx2as/ipasn_20140513.dat.gz", &b))
        return;
    const struct asc_registry_stats *s = asc_registry_stats(&b);
    CHECK_STR(b.info.kind, "pfx2as");
    CHECK_EQ_U(s->n_records, s->hdr_prefixes);
    CHECK_EQ_U(s->n_bad, 0);
    CHECK(b.info.built == 1399939200); /* rib.20140513 */
    CHECK(look(&b, "8.8.8.8", &g) & ASC_GEO_ASN);
    CHECK_EQ_U(g.asn, 15169);
    CHECK(g.as_name && strstr(g.as_name, "GOOGLE"));
    const char *delft[] = {"130.161.0.1", "131.180.255.1", "145.94.1.1"};
    for (int i = 0; i < 3; i++) {
        look(&b, delft[i], &g);
        CHECK_EQ_U(g.asn, 1128);
    }
    b.close(b.state);
    if (open_geo("geo/pyasn-pfx2as/ipasn6_20151101.dat.gz", &b))
        return;
    s = asc_registry_stats(&b);
    CHECK_EQ_U(s->n_records, s->hdr_prefixes); /* Prefixes-v4 + Prefixes-v6 */
    CHECK(look(&b, "2001:4860:4860::8888", &g) & ASC_GEO_ASN);
    CHECK_EQ_U(g.asn, 15169);
    b.close(b.state);
}

static void count_walk(void *ctx, const struct asc_addr *net, unsigned plen,
                       const struct asc_geo_part *g)
{
    (void)net, (void)plen;
    uint64_t *n = ctx;
    n[0]++;
    n[1] += g->cc[0] != 0;
}

static void test_country_lists(void)
{
    struct asc_geo_backend b;
    struct asc_geo_part g;
    if (open_geo("geo/ipverse-country-ip-blocks", &b))
        return;
    const struct asc_registry_stats *s = asc_registry_stats(&b);
    CHECK_STR(b.info.kind, "country-lists");
    CHECK(s->n_files > 400);
    CHECK_EQ_U(s->n_bad, 0);
    CHECK(look(&b, "130.161.1.1", &g) == ASC_GEO_CC && strcmp(g.cc, "NL") == 0);
    CHECK(look(&b, "41.0.0.1", &g) == ASC_GEO_CC && strcmp(g.cc, "ZA") == 0);
    CHECK(look(&b, "10.0.0.1", &g) == 0);
    uint64_t n[2] = {0, 0};
    b.walk(b.state, count_walk, n);
    CHECK_EQ_U(n[0], s->n_records); /* aggregated lists: no duplicate prefix */
    CHECK_EQ_U(n[1], n[0]);
    b.close(b.state);
    if (open_geo("geo/ipverse-country-ip-blocks/country/de/ipv6-aggregated.txt", &b))
        return;
    CHECK(look(&b, "2a14:ea80::1", &g) == ASC_GEO_CC && strcmp(g.cc, "DE") == 0);
    b.close(b.state);
}

static void test_iptoasn(void)
{
    struct asc_geo_backend b;
    struct asc_geo_part g;
    if (open_geo("geo/iptoasn-sample/ip2asn-v4.sample.tsv", &b))
        return;
    CHECK_STR(b.info.kind, "iptoasn");
    CHECK_EQ_U(asc_registry_stats(&b)->n_bad, 0);
    CHECK(look(&b, "1.1.1.1", &g) == (ASC_GEO_CC | ASC_GEO_ASN | ASC_GEO_NAME));
    CHECK_EQ_U(g.asn, 7497);
    CHECK_STR(g.cc, "CN");
    look(&b, "1.1.1.2", &g);
    CHECK_EQ_U(g.asn, 13335);
    CHECK(g.as_name && strstr(g.as_name, "Cloudflare"));
    b.close(b.state);
}

static const char *write_tmp(const char *name, const char *text, int gz)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    if (gz) {
        gzFile f = gzopen(path, "wb");
        gzputs(f, text);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "w");
        fputs(text, f);
        fclose(f);
    }
    return path;
}

static void test_broken(void)
{
    struct asc_geo_backend b;
    struct asc_err err = {0};
    const char *p = write_tmp("rir.txt", "2|ripencc|20240101|3|19930901|20240101|+0100\n"
                                         "ripencc|*|ipv4|*|2|summary\n"
                                         "ripencc|NL|ipv4|193.0.0.0|2048|19930901|allocated\n"
                                         "ripencc|NL|ipv4|193.0.8.0|abc|19930901|allocated\n"
                                         "ripencc|NL|ipv9|::|1|19930901|allocated\n"
                                         "ripencc|DE|ipv6|2001:db8::|129|19930901|allocated\n"
                                         "ripencc|ZZ|ipv4|194.0.0.0|256||available\n",
                              0);
    CHECK(asc_registry_open(p, &b, &err) == 0);
    const struct asc_registry_stats *s = asc_registry_stats(&b);
    CHECK_EQ_U(s->n_bad, 3);
    CHECK_EQ_U(s->first_bad_line, 4);
    CHECK_EQ_U(s->n_skipped, 1);
    CHECK_STR(b.info.vendor, "RIPE NCC");
    b.close(b.state);
    p = write_tmp("empty.txt", "", 0);
    CHECK(asc_registry_open(p, &b, &err) == ASC_EFORMAT && strstr(err.msg, "no records"));
    CHECK(b.state == NULL);
    p = write_tmp("garbage.txt", "hello world\n\x01\x02\x03\n", 0);
    CHECK(asc_registry_open(p, &b, &err) == ASC_EFORMAT);
    CHECK(asc_registry_open("/nonexistent/file", &b, &err) == ASC_ENOENT);
    /* truncated gzip: what precedes the cut loads, the backend says so */
    char big[20000] = "";
    for (int i = 0; i < 600; i++)
        snprintf(big + strlen(big), sizeof(big) - strlen(big), "10.%d.%d.0/24\t%d\n", i / 256,
                 i % 256, 64512 + i);
    p = write_tmp("t.dat.gz", big, 1);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "truncate -s 1500 '%s'", p);
    CHECK(system(cmd) == 0);
    int rc = asc_registry_open(p, &b, &err);
    CHECK(rc == 0);
    if (rc == 0) {
        CHECK(asc_registry_stats(&b)->truncated);
        CHECK(asc_registry_stats(&b)->n_records > 0 && asc_registry_stats(&b)->n_records < 600);
        b.close(b.state);
    }
}

static void test_special(void)
{
    static const struct {
        const char *a;
        uint32_t flags;
    } cases[] = {
        {"10.1.2.3", ASC_NF_PRIVATE | ASC_NF_BOGON},
        {"100.64.0.1", ASC_NF_PRIVATE | ASC_NF_BOGON},
        {"192.168.255.255", ASC_NF_PRIVATE | ASC_NF_BOGON},
        {"127.0.0.1", ASC_NF_RESERVED | ASC_NF_BOGON},
        {"0.0.0.0", ASC_NF_RESERVED | ASC_NF_BOGON},
        {"192.0.2.55", ASC_NF_RESERVED | ASC_NF_BOGON},
        {"198.19.255.255", ASC_NF_RESERVED | ASC_NF_BOGON},
        {"224.0.0.1", ASC_NF_RESERVED | ASC_NF_BOGON},
        {"255.255.255.255", ASC_NF_RESERVED | ASC_NF_BOGON},
        {"192.0.0.9", 0},
        {"192.0.0.11", ASC_NF_RESERVED | ASC_NF_BOGON},
        {"192.175.48.1", 0},
        {"8.8.8.8", 0},
        {"172.32.0.1", 0},
        {"fd00::1", ASC_NF_PRIVATE | ASC_NF_BOGON},
        {"fe80::1", ASC_NF_RESERVED | ASC_NF_BOGON},
        {"::1", ASC_NF_RESERVED | ASC_NF_BOGON},
        {"::", ASC_NF_RESERVED | ASC_NF_BOGON},
        {"2001:db8::1", ASC_NF_RESERVED | ASC_NF_BOGON},
        {"3fff::1", ASC_NF_RESERVED | ASC_NF_BOGON},
        {"64:ff9b::1.2.3.4", 0},
        {"2001::1", 0},
        {"2001:1::1", 0},
        {"2001:2::1", ASC_NF_RESERVED | ASC_NF_BOGON},
        {"2002::1", 0},
        {"ff02::1", ASC_NF_RESERVED | ASC_NF_BOGON},
        {"4000::1", ASC_NF_RESERVED | ASC_NF_BOGON},
        {"2a00:1450::1", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct asc_addr a;
        CHECK(asc_addr_parse(cases[i].a, &a) == 0);
        if (asc_special_flags(&a) != cases[i].flags)
            fprintf(stderr, "  %s: flags %x, want %x\n", cases[i].a, asc_special_flags(&a),
                    cases[i].flags);
        CHECK_EQ_U(asc_special_flags(&a), cases[i].flags);
    }
    struct asc_addr a;
    asc_addr_parse("192.0.2.1", &a);
    CHECK_STR(asc_special_name(&a), "Documentation (TEST-NET-1)");
    asc_addr_parse("8.8.8.8", &a);
    CHECK(asc_special_name(&a) == NULL);
}

static void setup(void)
{
    CHECK(mkdtemp(tmpdir) != NULL);
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    CHECK(system(cmd) == 0);
}

TEST_MAIN(T(setup), T(test_rir), T(test_pfx2as), T(test_country_lists), T(test_iptoasn),
          T(test_broken), T(test_special), T(teardown))
