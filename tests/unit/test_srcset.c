/*
 * test_srcset.c - per-incident source sets (src/attrib/srcset.c) beyond
 * their exact capacity: a source counted at first sight into the
 * estimate, and later seen answered, is graded verified (bounded side
 * table), and the side table's bound holds.
 */
#include <string.h>

#include "attrib/srcset.h"
#include "harness.h"

/* 198.18.x.y would be a bogon; 100.64/10 is shared space: use 11.a.b.c. */
static struct asc_addr v4(uint32_t n)
{
    struct asc_addr a;
    memset(&a, 0, sizeof(a));
    a.family = ASC_AF_INET;
    a.b[0] = 11;
    a.b[1] = (uint8_t)(n >> 16);
    a.b[2] = (uint8_t)(n >> 8);
    a.b[3] = (uint8_t)n;
    return a;
}

static void test_verified_beyond_cap(void)
{
    struct asc_srcset *s = asc_srcset_new(4);
    for (uint32_t i = 0; i < 100; i++) {
        struct asc_addr a = v4(i);
        asc_srcset_add(s, NULL, &a, 1, 60, 0, ASC_EV_ONEWAY);
    }
    struct asc_addr late = v4(50), unseen = v4(5000), first = v4(200), early = v4(1);
    CHECK(asc_srcset_mark(s, &early, ASC_EV_ANSWERED));         /* exact entry */
    CHECK(asc_srcset_mark(s, &late, ASC_EV_ANSWERED));          /* beyond the cap */
    CHECK(asc_srcset_mark(s, &late, ASC_EV_ANSWERED));          /* twice counts once */
    CHECK(!asc_srcset_mark(s, &unseen, ASC_EV_ANSWERED));       /* never seen */
    asc_srcset_add(s, NULL, &first, 1, 60, 0, ASC_EV_ANSWERED); /* answered at first sight */
    struct asc_incident inc;
    memset(&inc, 0, sizeof(inc));
    asc_srcset_finish(s, NULL, &inc);
    CHECK(inc.n_sources_estimated);
    CHECK_EQ_U(inc.grade_count[ASC_GRADE_VERIFIED], 3);
    uint64_t total = 0;
    for (int g = 0; g < ASC_GRADE__COUNT; g++)
        total += inc.grade_count[g];
    CHECK_EQ_U(total, 101); /* moved, not added */
    asc_srcset_free(s);
}

static void test_side_table_bound(void)
{
    struct asc_srcset *s = asc_srcset_new(16);
    uint32_t n = 20000;
    for (uint32_t i = 0; i < n; i++) {
        struct asc_addr a = v4(i);
        asc_srcset_add(s, NULL, &a, 1, 60, 0, ASC_EV_ONEWAY);
    }
    uint32_t refused = 0;
    for (uint32_t i = 0; i < n; i++) {
        struct asc_addr a = v4(i);
        if (!asc_srcset_mark(s, &a, ASC_EV_ANSWERED))
            refused++;
    }
    struct asc_incident inc;
    memset(&inc, 0, sizeof(inc));
    asc_srcset_finish(s, NULL, &inc);
    /* 16 exact + 4096 in the side table; the rest stay one-way. */
    CHECK_EQ_U(inc.grade_count[ASC_GRADE_VERIFIED], 16 + 4096);
    CHECK_EQ_U(refused, n - 16 - 4096);
    asc_srcset_free(s);
}

TEST_MAIN(T(test_verified_beyond_cap), T(test_side_table_bound))
