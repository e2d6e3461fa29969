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

/* The filtered summary against a model of the algorithm topk.h documents,
 * written plainly: items found by linear search, the min-heap sifted by
 * swapping (ties stay; between equal children the left one goes), every
 * update of a key not held and not admitted absorbed by its filter cell.
 * It has no per-cell count of held keys, so a key wrongly taken for not
 * held (a count that wrapped, or was moved to the wrong cell on a
 * replacement) shows up as a difference. */
struct ref_topk {
    size_t k, n, cells;
    struct asc_topk_item items[512];
    uint32_t heap[512], pos[512];
    uint64_t filt[4096];
};

static size_t ref_cell(const struct ref_topk *r, const struct asc_addr *a)
{
    return (size_t)(asc_addr_hash(a) >> 32) & (r->cells - 1);
}

static void ref_swap(struct ref_topk *r, size_t a, size_t b)
{
    uint32_t x = r->heap[a];
    r->heap[a] = r->heap[b];
    r->heap[b] = x;
    r->pos[r->heap[a]] = (uint32_t)a;
    r->pos[r->heap[b]] = (uint32_t)b;
}

static uint64_t ref_count(const struct ref_topk *r, size_t h)
{
    return r->items[r->heap[h]].count;
}

static void ref_down(struct ref_topk *r, size_t h)
{
    for (size_t c; (c = 2 * h + 1) < r->n; h = c) {
        if (c + 1 < r->n && ref_count(r, c + 1) < ref_count(r, c))
            c++;
        if (ref_count(r, c) >= ref_count(r, h))
            break;
        ref_swap(r, h, c);
    }
}

static void ref_add(struct ref_topk *r, const struct asc_addr *a, uint64_t w, uint64_t aux)
{
    for (size_t i = 0; i < r->n; i++)
        if (!memcmp(&r->items[i].key, a, sizeof(*a))) {
            r->items[i].count += w;
            r->items[i].aux += aux;
            ref_down(r, r->pos[i]);
            return;
        }
    if (r->n < r->k) {
        size_t i = r->n++;
        r->items[i] = (struct asc_topk_item){.key = *a, .count = w, .err = 0, .aux = aux};
        r->heap[i] = r->pos[i] = (uint32_t)i;
        for (size_t h = i; h > 0 && ref_count(r, (h - 1) / 2) > ref_count(r, h); h = (h - 1) / 2)
            ref_swap(r, h, (h - 1) / 2);
        return;
    }
    struct asc_topk_item *v = &r->items[r->heap[0]];
    uint64_t *cell = &r->filt[ref_cell(r, a)];
    if (*cell + w <= v->count) {
        *cell += w;
        return;
    }
    uint64_t *vcell = &r->filt[ref_cell(r, &v->key)];
    if (*vcell < v->count)
        *vcell = v->count;
    *v = (struct asc_topk_item){.key = *a, .count = *cell + w, .err = *cell, .aux = aux};
    ref_down(r, 0);
}

/* asc_topk_list's order (topk.h): count descending, then key. */
static int topk_item_cmp(const void *a, const void *b)
{
    const struct asc_topk_item *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return asc_addr_cmp(&x->key, &y->key);
}

/* Both summaries listed must be equal item for item. */
static size_t topk_ref_diff(const struct asc_topk *t, const struct ref_topk *r)
{
    static struct asc_topk_item got[512], want[512];
    size_t n = asc_topk_list(t, got, r->k);
    memcpy(want, r->items, r->n * sizeof(*want));
    qsort(want, r->n, sizeof(*want), topk_item_cmp);
    if (n != r->n)
        return SIZE_MAX;
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += memcmp(&got[i].key, &want[i].key, sizeof(got[i].key)) ||
               got[i].count != want[i].count || got[i].err != want[i].err ||
               got[i].aux != want[i].aux;
    return bad;
}

/* `keys` keys, from `ncells` filter cells only when ncells > 0 (crowded:
 * up to hundreds of held keys per cell, past the per-cell count's 255). */
static void topk_ref_run(size_t k, size_t keys, unsigned ncells, uint64_t seed, unsigned wmax)
{
    static struct ref_topk r;
    static struct asc_addr pool[1200];
    memset(&r, 0, sizeof(r));
    r.k = k;
    r.cells = 64;
    while (r.cells < 8 * k)
        r.cells <<= 1;
    size_t n = 0;
    for (uint32_t v = 1; n < keys; v++) {
        mkaddr(&pool[n], v * 2654435761u);
        if (!ncells || ref_cell(&r, &pool[n]) % (r.cells / ncells) == 0)
            n++;
    }
    struct asc_topk *t = asc_topk_new_filtered(k);
    uint64_t x = seed;
    size_t bad = 0;
    for (unsigned i = 1; i <= 60000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        /* Half the updates to a small hot set, the rest over every key. */
        size_t key = (x >> 63) ? (size_t)(x >> 20) % (k < keys ? k : keys)
                               : (size_t)(x >> 24) % keys;
        uint64_t w = (x >> 40) % wmax; /* 0 included */
        asc_topk_add(t, &pool[key], w, i);
        ref_add(&r, &pool[key], w, i);
        /* Often: a key held twice can corrupt the index and hang the
         * summary, so stop at the first difference. */
        if ((i <= 3000 || i % 250 == 0) && topk_ref_diff(t, &r) != 0) {
            bad++;
            break;
        }
    }
    CHECK_EQ_U(bad, 0);
    asc_topk_free(t);
}

static void test_topk_filtered_reference(void)
{
    topk_ref_run(1, 50, 0, 1, 4);         /* k = 1: the one item is the heap */
    topk_ref_run(2, 300, 1, 2, 3);        /* every key in one cell */
    topk_ref_run(8, 1000, 0, 3, 20);      /* the 64 cells' minimum */
    topk_ref_run(8, 400, 2, 4, 2);        /* ties everywhere, two cells */
    topk_ref_run(9, 1000, 0, 5, 100);     /* 128 cells */
    topk_ref_run(64, 1200, 0, 6, 1000);
    topk_ref_run(300, 700, 1, 7, 3);      /* 300 held in one cell: its count stuck */
    topk_ref_run(256, 700, 1, 11, 3);     /* 256 held in one cell: a byte count wraps to 0 */
    topk_ref_run(300, 1200, 2, 8, 5);
    topk_ref_run(512, 1200, 4, 9, 50);
    topk_ref_run(512, 1200, 0, 10, 1 << 20);
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

TEST_MAIN(T(test_topk_vs_exact), T(test_topk_filtered_err), T(test_topk_crowded_cell), T(test_topk_filtered_reference), T(test_json_escape), T(test_json_numbers), T(test_addr), T(test_addr4_ntop),
          T(test_addr6_ntop))
