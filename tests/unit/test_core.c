/*
 * test_core.c - unit tests for core helpers: the Space-Saving top-k against
 * exact counts, the JSON writer's escaping and number formats, addresses.
 */
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include "core/hll.h"
#include "core/jsonw.h"
#include "core/topk.h"
#include "harness.h"

static void mkaddr(struct asc_addr *a, uint32_t v)
{
    memset(a, 0, sizeof(*a));
    a->family = ASC_AF_INET;
    a->b[0] = (uint8_t)(v >> 24);
    a->b[1] = (uint8_t)(v >> 16);
    a->b[2] = (uint8_t)(v >> 8);
    a->b[3] = (uint8_t)v;
}

static void topk_vs_exact(bool filtered)
{
    enum { K = 64, KEYS = 5000, HEAVY = 10 };
    static uint64_t exact[KEYS];
    memset(exact, 0, sizeof(exact));
    struct asc_topk *t = filtered ? asc_topk_new_filtered(K) : asc_topk_new(K);
    uint64_t x = 12345, total = 0;
    for (int i = 0; i < 200000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        /* One update in four goes to a heavy key, the rest spread thin. */
        uint32_t key = (x >> 33) % 4 == 0 ? (uint32_t)((x >> 40) % HEAVY)
                                          : (uint32_t)(HEAVY + (x >> 20) % (KEYS - HEAVY));
        uint64_t w = 1 + (x >> 60);
        struct asc_addr a;
        mkaddr(&a, key);
        asc_topk_add(t, &a, w, 1);
        exact[key] += w;
        total += w;
    }
    CHECK_EQ_U(asc_topk_total(t), total);
    struct asc_topk_item items[K];
    size_t n = asc_topk_list(t, items, K);
    CHECK_EQ_U(n, K);
    /* Every key above total/K is listed; counts bound the truth. */
    for (uint32_t key = 0; key < KEYS; key++) {
        bool listed = false;
        for (size_t i = 0; i < n; i++) {
            struct asc_addr a;
            mkaddr(&a, key);
            if (memcmp(&items[i].key, &a, sizeof(a)) == 0) {
                listed = true;
                CHECK(items[i].count >= exact[key]);
                CHECK(items[i].count - items[i].err <= exact[key]);
            }
        }
        if (exact[key] > total / K)
            CHECK(listed);
    }
    for (size_t i = 1; i < n; i++)
        CHECK(items[i - 1].count >= items[i].count);
    for (size_t i = 0; i < n; i++)      /* the index never holds a key twice */
        for (size_t j = i + 1; j < n; j++)
            CHECK(memcmp(&items[i].key, &items[j].key, sizeof(items[i].key)) != 0);
    asc_topk_free(t);
}

static void test_topk_vs_exact(void)
{
    topk_vs_exact(false);
    topk_vs_exact(true);
}

/* The largest err over a filtered summary is never larger than over the
 * plain one fed the same updates (topk.h), on many small random streams
 * with the cells few enough to collide; counts stay upper bounds. */
static uint64_t topk_max_err(struct asc_topk *t, const uint64_t *exact, size_t k)
{
    struct asc_topk_item items[16];
    size_t n = asc_topk_list(t, items, k);
    uint64_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t key = (uint32_t)items[i].key.b[2] << 8 | items[i].key.b[3];
        CHECK(items[i].count >= exact[key]);
        CHECK(items[i].count - items[i].err <= exact[key]);
        if (items[i].err > m)
            m = items[i].err;
    }
    return m;
}

static void test_topk_filtered_err(void)
{
    uint64_t x = 777;
    for (int round = 0; round < 400; round++) {
        size_t k = 1 + (size_t)round % 12, keys = 16 + (size_t)(round * 37) % 480;
        uint64_t exact[512] = {0};
        struct asc_topk *plain = asc_topk_new(k), *filt = asc_topk_new_filtered(k);
        for (int i = 0; i < 3000; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            uint32_t key = (uint32_t)((x >> 33) % keys);
            key = (x >> 62) ? key : key % 8;   /* a few heavy keys */
            uint64_t w = 1 + (x >> 20) % 1000;
            struct asc_addr a;
            mkaddr(&a, key);
            asc_topk_add(plain, &a, w, 0);
            asc_topk_add(filt, &a, w, 0);
            exact[key] += w;
        }
        CHECK(topk_max_err(filt, exact, k) <= topk_max_err(plain, exact, k));
        asc_topk_free(plain);
        asc_topk_free(filt);
    }
}

/* Filtered, a key whose filter cell no held item maps to skips the index
 * (topk.c): 256 held keys in one cell, one more than the per-cell count
 * holds, must all still be found, each counted once and exactly. */
static void test_topk_crowded_cell(void)
{
    enum { K = 512, CELLS = 8 * K, N = 256 };
    static struct asc_addr keys[N];
    size_t n = 0;
    for (uint32_t v = 1; n < N; v++) {   /* keys of cell 7, the filter's (h >> 32) & mask */
        struct asc_addr a;
        mkaddr(&a, v);
        if (((asc_addr_hash(&a) >> 32) & (CELLS - 1)) == 7)
            keys[n++] = a;
    }
    struct asc_topk *t = asc_topk_new_filtered(K);
    for (int round = 1; round <= 3; round++)
        for (size_t i = 0; i < N; i++)
            asc_topk_add(t, &keys[i], (uint64_t)round, 0);
    static struct asc_topk_item items[K];
    size_t m = asc_topk_list(t, items, K);
    CHECK_EQ_U(m, N);   /* not held twice */
    for (size_t i = 0; i < m; i++) {
        CHECK_EQ_U(items[i].count, 6);
        CHECK_EQ_U(items[i].err, 0);
    }
    asc_topk_free(t);
}

static void test_json_escape(void)
{
    struct asc_jsonw w;
    asc_jw_init(&w);
    asc_jw_obj_open(&w, NULL);
    asc_jw_str(&w, "s", "a\"b\\c\n\x01\xc3\xa9\xff");
    asc_jw_u64(&w, "u", 18446744073709551615ULL);
    asc_jw_i64(&w, "i", -5);
    asc_jw_time(&w, "t", 1258531221486539123LL);
    asc_jw_time(&w, "z", 5);
    asc_jw_bool(&w, "b", true);
    asc_jw_arr_open(&w, "a");
    asc_jw_u64(&w, NULL, 1);
    asc_jw_u64(&w, NULL, 2);
    asc_jw_arr_close(&w);
    asc_jw_obj_close(&w);
    w.buf[w.len] = '\0';
    CHECK_STR(w.buf, "{\"s\":\"a\\\"b\\\\c\\u000a\\u0001\xc3\xa9\\u00ff\",\"u\":18446744073709551615,"
                     "\"i\":-5,\"t\":1258531221.486539123,\"z\":0.000000005,\"b\":true,\"a\":[1,2]}");
    asc_jw_fini(&w);
}

/* The hand-written number formats against snprintf: every digit count,
 * powers of ten and their neighbours, negative times, pseudo-random values;
 * the writer grows past its first buffer on the way. */
static void test_json_numbers(void)
{
    struct asc_jsonw w;
    asc_jw_init(&w);
    char want[64], got[64];
    uint64_t x = 99, p10 = 1;
    for (int i = 0; i < 4000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t v = i < 60 ? p10 + (uint64_t)(i % 3) - 1 : x >> (i % 64);
        if (i < 60 && i % 3 == 2)
            p10 *= 10;
        if (i == 60)
            v = UINT64_MAX;
        size_t n0 = w.len;
        asc_jw_raw_u64(&w, v);
        snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
        CHECK(w.len - n0 == strlen(want));
        memcpy(got, w.buf + n0, w.len - n0);
        got[w.len - n0] = '\0';
        CHECK_STR(got, want);
        int64_t t = (int64_t)(x >> 1) * (i % 2 ? -1 : 1) / (i % 7 + 1);
        if (i == 61)
            t = INT64_MIN;
        if (i == 62)
            t = -1;
        n0 = w.len;
        asc_jw_raw_time(&w, t);
        uint64_t u = t < 0 ? (uint64_t)(-(t + 1)) + 1 : (uint64_t)t;
        snprintf(want, sizeof(want), "%s%llu.%09llu", t < 0 ? "-" : "",
                 (unsigned long long)(u / 1000000000u), (unsigned long long)(u % 1000000000u));
        CHECK(w.len - n0 == strlen(want));
        memcpy(got, w.buf + n0, w.len - n0);
        got[w.len - n0] = '\0';
        CHECK_STR(got, want);
    }
    CHECK(w.len > 4096);
    asc_jw_fini(&w);
}

static void test_addr(void)
{
    struct asc_addr a, b;
    char buf[ASC_ADDR_STRLEN];
    CHECK(asc_addr_parse("2001:db8::1", &a) == 0);
    CHECK_STR(asc_addr_str(&a, buf, sizeof(buf)), "2001:db8::1");
    CHECK(asc_addr_parse("192.0.2.1", &b) == 0);
    CHECK(asc_addr_cmp(&b, &a) < 0);
    CHECK(asc_addr_parse("300.1.1.1", &a) == ASC_EINVAL);
}

/* asc_addr_str's IPv4 text equals libc's inet_ntop: every byte value in
 * every place of the address (the others varied), so every digit count
 * meets every neighbour. */
static void test_addr4_ntop(void)
{
    uint32_t x = 12345;
    for (int place = 0; place < 4; place++)
        for (unsigned v = 0; v < 256; v++) {
            struct asc_addr a = {.family = ASC_AF_INET};
            for (int k = 0; k < 4; k++) {
                x = x * 1103515245u + 12345u;
                a.b[k] = (uint8_t)(x >> 16);
            }
            a.b[place] = (uint8_t)v;
            char got[ASC_ADDR_STRLEN], want[INET_ADDRSTRLEN];
            asc_addr_str(&a, got, sizeof(got));
            inet_ntop(AF_INET, a.b, want, sizeof(want));
            CHECK_STR(got, want);
        }
}

/* asc_addr_str's IPv6 text equals libc's inet_ntop on structured and
 * random addresses: zero runs of every length and place, ties between
 * runs, the IPv4-compatible and -mapped forms, groups of 1-4 digits. */
static void test_addr6_ntop(void)
{
    static const uint16_t vals[] = {0, 1, 0xf, 0x10, 0xff, 0x100, 0xfff, 0x1000, 0xffff, 0xabc};
    uint64_t r = 0x9e3779b97f4a7c15ull;
    unsigned bad = 0, n = 0;
    for (unsigned it = 0; it < 400000; it++) {
        struct asc_addr a = {.family = ASC_AF_INET6};
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        for (int g = 0; g < 8; g++) {
            /* Mostly zeros and edge values so that runs and forms are common. */
            unsigned pick = (unsigned)(r >> (g * 7)) & 127;
            uint16_t v = pick < 64 ? 0 : pick < 104 ? vals[pick % 10] : (uint16_t)(r >> (g * 5));
            if (it < 256 * 8)   /* every 8-group zero pattern, then each with one value */
                v = ((it & 255) >> g & 1) ? vals[(it >> 8) + 1] : 0;
            a.b[2 * g] = (uint8_t)(v >> 8);
            a.b[2 * g + 1] = (uint8_t)v;
        }
        if (it % 97 == 0) {   /* IPv4-mapped and -compatible, also with v4 zeros */
            memset(a.b, 0, 10);
            a.b[10] = a.b[11] = (it & 1) ? 0xff : 0;
        }
        char want[INET6_ADDRSTRLEN], got[ASC_ADDR_STRLEN];
        inet_ntop(AF_INET6, a.b, want, sizeof(want));
        asc_addr_str(&a, got, sizeof(got));
        n++;
        if (strcmp(want, got) != 0 && bad++ < 5)
            fprintf(stderr, "  want %s got %s\n", want, got);
    }
    CHECK_EQ_U(bad, 0);
    CHECK_EQ_U(n, 400000);
}

TEST_MAIN(T(test_topk_vs_exact), T(test_topk_filtered_err), T(test_topk_crowded_cell), T(test_json_escape), T(test_json_numbers), T(test_addr), T(test_addr4_ntop),
          T(test_addr6_ntop))
