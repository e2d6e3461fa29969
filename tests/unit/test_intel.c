/*
 * test_intel.c - intel lists (src/enrich/intel.h).
 *
 * Every list file under $ASCRIBE_DATA/intel loads with the entry count that
 * tests/unit/intel_expect.py computes independently (Python's ipaddress);
 * hits and misses on addresses and domains; the formats the data folder
 * lacks (Spamhaus DROP text and JSON, DShield, hosts, domains, Tor
 * exit-addresses) from small hand-written files; malformed lines reported
 * once with file:line and skipped; empty and truncated files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enrich/enrich.h"
#include "enrich/intel.h"
#include "harness.h"
#include "testdata.h"

static char tmpdir[] = "/tmp/asc-intel-XXXXXX";

static const char *write_tmp(const char *name, const char *text)
{
    static char path[4][256];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
    return p;
}

static uint64_t addr_bits(const struct asc_intel *in, const char *s)
{
    struct asc_addr a;
    if (asc_addr_parse(s, &a) != 0)
        abort();
    return asc_intel_match_addr(in, &a);
}

/* Runs fn with stderr captured into buf. */
static void capture_stderr(char *buf, size_t len, void (*fn)(void *), void *ctx)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/stderr.txt", tmpdir);
    fflush(stderr);
    int saved = dup(2);
    FILE *f = fopen(path, "w+");
    if (!f || saved < 0)
        abort();
    dup2(fileno(f), 2);
    fn(ctx);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(f);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void test_real_lists(void)
{
    char buf[1024], cmd[2048];
    const char *dir = td_path("intel", buf, sizeof(buf));
    if (!dir)
        return;
    snprintf(cmd, sizeof(cmd), "python3 tests/unit/intel_expect.py '%s'", dir);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    if (!p)
        return;
    struct asc_intel *in = asc_intel_new();
    char path[1024];
    unsigned long long want;
    int files = 0;
    while (fscanf(p, "%1023s %llu", path, &want) == 2) {
        struct asc_err err = {0};
        int i = asc_intel_load(in, path, &err);
        CHECK(i >= 0);
        if (i < 0)
            continue;
        const struct asc_intel_list *l = asc_intel_list(in, (size_t)i);
        unsigned long long got = l->n_addrs + l->n_nets + l->n_domains;
        if (got != want || l->n_bad)
            fprintf(stderr, "  %s: loaded %llu, expected %llu, %llu bad\n", path, got, want,
                    (unsigned long long)l->n_bad);
        CHECK_EQ_U(got, want);
        CHECK_EQ_U(l->n_bad, 0);
        CHECK(strlen(l->date) == 10);
        CHECK(strcmp(l->category, "unknown") != 0);
        files++;
    }
    CHECK(pclose(p) == 0);
    CHECK(files >= 16);
    printf("# %d intel files loaded with the expected counts\n", files);
    /* hits, misses, categories */
    CHECK(addr_bits(in, "192.9.135.73") != 0);  /* Feodo C2 (Pikabot) */
    CHECK(addr_bits(in, "8.8.8.8") == 0);       /* public resolver: listed nowhere */
    CHECK(addr_bits(in, "192.0.2.1") != 0);     /* bogon: in firehol_level1 */
    CHECK(addr_bits(in, "1.10.16.1") != 0);     /* inside spamhaus_drop 1.10.16.0/20 */
    uint64_t b = addr_bits(in, "192.9.135.73");
    for (size_t i = 0; i < asc_intel_n_lists(in); i++)
        if (b >> i & 1)
            CHECK_STR(asc_intel_list(in, i)->category, "c2");
    for (size_t i = 0; i < asc_intel_n_lists(in); i++) {
        const struct asc_intel_list *l = asc_intel_list(in, i);
        if (strstr(l->name, "feodo-ipblocklist"))
            CHECK_STR(l->date, "2024-04-04");
        if (strcmp(l->name, "tor-exit-nodes") == 0) {
            CHECK_STR(l->category, "tor");
            CHECK_STR(l->date, "2024-02-27");
        }
        if (strcmp(l->name, "spamhaus_drop") == 0)
            CHECK_STR(l->category, "drop");
    }
    asc_intel_free(in);
}

static void test_formats(void)
{
    struct asc_intel *in = asc_intel_new();
    struct asc_err err = {0};
    const char *drop = write_tmp("drop.txt", "; Spamhaus DROP List 2024/04/09 - (c) 2024 The Spamhaus Project\n"
                                             "; Last-Modified: Tue, 09 Apr 2024 07:29:05 GMT\n"
                                             "1.10.16.0/20 ; SBL256894\n"
                                             "2.56.192.0/22 ; SBL459831\n");
    int i = asc_intel_load(in, drop, &err);
    CHECK(i == 0);
    CHECK_EQ_U(asc_intel_list(in, 0)->n_nets, 2);
    CHECK_STR(asc_intel_list(in, 0)->date, "2024-04-09");
    CHECK_STR(asc_intel_list(in, 0)->category, "drop");
    const char *json = write_tmp("drop_v6.json", "{\"cidr\":\"2a06:e480::/29\",\"sblid\":\"SBL1\",\"rir\":\"ripencc\"}\n"
                                                 "{\"type\":\"metadata\",\"timestamp\":1712000000,\"size\":1}\n");
    CHECK(asc_intel_load(in, json, &err) == 1);
    CHECK_EQ_U(asc_intel_list(in, 1)->n_nets, 1);
    CHECK_EQ_U(asc_intel_list(in, 1)->n_bad, 0);
    const char *dsh = write_tmp("block.txt", "#   updated: Tue Apr  9 07:10:01 2024 UTC\n"
                                             "Start\tEnd\tNetblock\tAttacks\tName\tCountry\temail\n"
                                             "45.134.26.0\t45.134.26.255\t24\t1234\tX\tNL\ta@b\n");
    CHECK(asc_intel_load(in, dsh, &err) == 2);
    CHECK_EQ_U(asc_intel_list(in, 2)->n_nets, 1);
    CHECK_STR(asc_intel_list(in, 2)->date, "2024-04-09");
    const char *tor = write_tmp("exit-addresses", "ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\n"
                                                  "Published 2024-02-26 20:36:18\n"
                                                  "LastStatus 2024-02-27 09:00:00\n"
                                                  "ExitAddress 162.247.74.201 2024-02-27 09:07:41\n");
    CHECK(asc_intel_load(in, tor, &err) == 3);
    CHECK_EQ_U(asc_intel_list(in, 3)->n_addrs, 1);
    CHECK_STR(asc_intel_list(in, 3)->category, "unknown");
    const char *dom = write_tmp("domains.txt", "# phishing domains\nevil.com\nEVIL.example.ORG.\n*.wild.net\n"
                                               "0.0.0.0 hosts.only.com\n127.0.0.1 localhost\n");
    CHECK(asc_intel_load(in, "phish,phishing,2024-05-01=" , &err) < 0);
    char spec[512];
    snprintf(spec, sizeof(spec), "mydomains,phishing,2024-05-01=%s", dom);
    CHECK(asc_intel_load(in, spec, &err) == 4);
    const struct asc_intel_list *l = asc_intel_list(in, 4);
    CHECK_STR(l->name, "mydomains");
    CHECK_STR(l->category, "phishing");
    CHECK_STR(l->date, "2024-05-01");
    CHECK_EQ_U(l->n_domains, 4);
    CHECK_EQ_U(l->n_bad, 0);
    uint64_t bit = 1ull << 4;
    CHECK(asc_intel_match_domain(in, "evil.com") == bit);
    CHECK(asc_intel_match_domain(in, "www.EVIL.com.") == bit);
    CHECK(asc_intel_match_domain(in, "a.b.c.evil.com") == bit);
    CHECK(asc_intel_match_domain(in, "notevil.com") == 0);
    CHECK(asc_intel_match_domain(in, "evil.com.au") == 0);
    CHECK(asc_intel_match_domain(in, "com") == 0);
    CHECK(asc_intel_match_domain(in, "x.evil.example.org") == bit);
    CHECK(asc_intel_match_domain(in, "wild.net") == 0);
    CHECK(asc_intel_match_domain(in, "a.wild.net") == bit);
    CHECK(asc_intel_match_domain(in, "hosts.only.com") == bit);
    CHECK(asc_intel_match_domain(in, "sub.hosts.only.com") == 0);
    CHECK(asc_intel_match_domain(in, "") == 0);
    CHECK(asc_intel_match_domain(in, "bad..name") == 0);
    CHECK(addr_bits(in, "1.10.17.1") == 1);
    CHECK(addr_bits(in, "2a06:e480::1") == 2);
    CHECK(addr_bits(in, "45.134.26.7") == 4);
    CHECK(addr_bits(in, "162.247.74.201") == 8);
    CHECK(addr_bits(in, "162.247.74.202") == 0);
    asc_intel_free(in);
}

struct load_ctx {
    struct asc_intel *in;
    const char *path;
    int rc;
};

static void do_load(void *p)
{
    struct load_ctx *c = p;
    struct asc_err err = {0};
    c->rc = asc_intel_load(c->in, c->path, &err);
}

static void test_malformed(void)
{
    struct asc_intel *in = asc_intel_new();
    char log[4096];
    struct load_ctx c = {in, write_tmp("mixed.ipset", "# list\n10.0.0.1\nnot an ip!\n10.0.0.0/33\n"
                                                      "10.0.1.0/24\n999.1.1.1\n"),
                         0};
    capture_stderr(log, sizeof(log), do_load, &c);
    CHECK(c.rc == 0);
    const struct asc_intel_list *l = asc_intel_list(in, 0);
    CHECK_EQ_U(l->n_addrs, 1);
    CHECK_EQ_U(l->n_nets, 1);
    CHECK_EQ_U(l->n_bad, 3);
    char want[512];
    snprintf(want, sizeof(want), "%s:3: malformed line", c.path);
    CHECK(strstr(log, want) != NULL);
    CHECK(strstr(log, "3 malformed lines") != NULL);
    const char *first = strstr(log, "malformed line skipped");
    CHECK(first && !strstr(first + 1, "malformed line skipped")); /* reported once */
    /* empty file: zero entries and a warning */
    c.path = write_tmp("empty.txt", "");
    capture_stderr(log, sizeof(log), do_load, &c);
    CHECK(c.rc == 1);
    CHECK(strstr(log, "no entries") != NULL);
    /* truncated: last line without newline, cut in the middle of an address */
    c.path = write_tmp("trunc.txt", "10.9.9.9\n10.9.9.");
    capture_stderr(log, sizeof(log), do_load, &c);
    CHECK(c.rc == 2);
    CHECK_EQ_U(asc_intel_list(in, 2)->n_addrs, 1);
    CHECK_EQ_U(asc_intel_list(in, 2)->n_bad, 1);
    /* an overlong line is one malformed line */
    static char big[ASC_INTEL_MAX_LINE * 3];
    memset(big, 'a', sizeof(big) - 20);
    strcpy(big + sizeof(big) - 20, "\n10.7.7.7\n");
    c.path = write_tmp("long.txt", big);
    capture_stderr(log, sizeof(log), do_load, &c);
    CHECK(c.rc == 3);
    CHECK_EQ_U(asc_intel_list(in, 3)->n_bad, 1);
    CHECK_EQ_U(asc_intel_list(in, 3)->n_addrs, 1);
    struct asc_err err = {0};
    CHECK(asc_intel_load(in, "/nonexistent/list.txt", &err) < 0 && err.msg[0]);
    asc_intel_free(in);
}

static void test_list_cap(void)
{
    struct asc_intel *in = asc_intel_new();
    struct asc_err err = {0};
    const char *p = write_tmp("one.txt", "10.0.0.1\n");
    for (int i = 0; i < ASC_INTEL_MAX_LISTS; i++)
        CHECK(asc_intel_load(in, p, &err) == i);
    CHECK(asc_intel_load(in, p, &err) < 0);
    CHECK(asc_intel_match_addr(in, &(struct asc_addr){.family = ASC_AF_INET, .b = {10, 0, 0, 1}}) ==
          UINT64_MAX);
    asc_intel_free(in);
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

TEST_MAIN(T(setup), T(test_real_lists), T(test_formats), T(test_malformed), T(test_list_cap),
          T(teardown))
