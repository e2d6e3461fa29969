/*
 * testdata.h - locating the shared test data from unit tests.
 *
 * Data lives under $ASCRIBE_DATA (default ../shared/data, relative to the
 * repository root where tests/run starts the binaries). td_path() returns
 * the joined path when it exists; otherwise it prints "# SKIP" and returns
 * NULL, or, under CI=true, records a failure (missing data is a failure
 * there, not a skip).
 */
#ifndef ASC_TESTDATA_H
#define ASC_TESTDATA_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

static const char *td_root(void)
{
    const char *d = getenv("ASCRIBE_DATA");
    return d && *d ? d : "../shared/data";
}

/* Joined path in a static buffer (one per call site is enough: copy it). */
static const char *td_path(const char *sub, char *buf, size_t len)
{
    struct stat st;
    snprintf(buf, len, "%s/%s", td_root(), sub);
    if (stat(buf, &st) == 0)
        return buf;
    const char *ci = getenv("CI");
    if (ci && strcmp(ci, "true") == 0) {
        th_failed_checks++;
        fprintf(stderr, "  FAIL in %s: test data %s missing (CI=true)\n", th_current, buf);
    } else {
        printf("# SKIP %s: test data %s missing (set ASCRIBE_DATA)\n", th_current, buf);
    }
    return NULL;
}

#endif
