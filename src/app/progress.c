/*
 * progress.c - a one-line progress indicator on stderr for long runs:
 * bytes done, rate, ETA. Shown only when stderr is a terminal; it reads the
 * wall clock for display only, never for analysis.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"

struct asc_progress {
    uint64_t total;
    double start, last_draw;
    bool drawn;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct asc_progress *asc_progress_new(uint64_t total_bytes)
{
    if (!isatty(STDERR_FILENO))
        return NULL;
    struct asc_progress *p = asc_xcalloc(1, sizeof(*p));
    p->total = total_bytes;
    p->start = p->last_draw = now_s();
    return p;
}

void asc_progress_update(struct asc_progress *p, uint64_t done, uint64_t frames)
{
    if (!p)
        return;
    double t = now_s();
    if (t - p->last_draw < 0.25)
        return;
    p->last_draw = t;
    double el = t - p->start, rate = el > 0 ? (double)done / el : 0;
    if (p->total) {
        double eta = rate > 0 ? (double)(p->total - (done < p->total ? done : p->total)) / rate : 0;
        fprintf(stderr, "\r  %.1f / %.1f MB (%3.0f%%)  %.1f MB/s  %llu frames  ETA %d:%02d ",
                (double)done / 1e6, (double)p->total / 1e6, 100.0 * (double)done / (double)p->total,
                rate / 1e6, (unsigned long long)frames, (int)eta / 60, (int)eta % 60);
    } else {
        fprintf(stderr, "\r  %.1f MB  %.1f MB/s  %llu frames ", (double)done / 1e6, rate / 1e6,
                (unsigned long long)frames);
    }
    p->drawn = true;
}

void asc_progress_done(struct asc_progress *p)
{
    if (!p)
        return;
    if (p->drawn)
        fputs("\r\033[K", stderr);
    free(p);
}
