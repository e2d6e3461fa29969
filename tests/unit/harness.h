/*
 * harness.h - the in-tree unit test harness.
 *
 * Each tests/unit/test_*.c defines test functions, lists them with
 * TEST_LIST, and calls TEST_MAIN(). CHECK() records a failure and goes on;
 * the binary prints "N passed, N failed" and exits non-zero on failure.
 */
#ifndef ASC_HARNESS_H
#define ASC_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int th_failed_checks;
static const char *th_current;

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            th_failed_checks++;                                                            \
            fprintf(stderr, "  FAIL %s:%d in %s: %s\n", __FILE__, __LINE__, th_current,    \
                    #cond);                                                                \
        }                                                                                  \
    } while (0)

#define CHECK_EQ_U(a, b)                                                                   \
    do {                                                                                   \
        unsigned long long th_a = (unsigned long long)(a), th_b = (unsigned long long)(b);  \
        if (th_a != th_b) {                                                                \
            th_failed_checks++;                                                            \
            fprintf(stderr, "  FAIL %s:%d in %s: %s == %s (%llu != %llu)\n", __FILE__,     \
                    __LINE__, th_current, #a, #b, th_a, th_b);                             \
        }                                                                                  \
    } while (0)

#define CHECK_STR(a, b)                                                                    \
    do {                                                                                   \
        const char *th_a = (a), *th_b = (b);                                               \
        if (!th_a || !th_b || strcmp(th_a, th_b) != 0) {                                   \
            th_failed_checks++;                                                            \
            fprintf(stderr, "  FAIL %s:%d in %s: %s == \"%s\" (got \"%s\")\n", __FILE__,   \
                    __LINE__, th_current, #a, th_b ? th_b : "(null)",                      \
                    th_a ? th_a : "(null)");                                               \
        }                                                                                  \
    } while (0)

struct th_test {
    const char *name;
    void (*fn)(void);
};

#define TEST_MAIN(...)                                                                     \
    int main(void)                                                                         \
    {                                                                                      \
        static const struct th_test tests[] = {__VA_ARGS__};                               \
        int passed = 0, failed = 0;                                                        \
        for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {                    \
            int before = th_failed_checks;                                                 \
            th_current = tests[i].name;                                                    \
            tests[i].fn();                                                                 \
            if (th_failed_checks == before) {                                              \
                passed++;                                                                  \
            } else {                                                                       \
                failed++;                                                                  \
                fprintf(stderr, "FAIL %s\n", tests[i].name);                               \
            }                                                                              \
        }                                                                                  \
        printf("%d passed, %d failed\n", passed, failed);                                  \
        return failed ? 1 : 0;                                                             \
    }
#define T(fn) {#fn, fn}

#endif
