/*
 * mapguard.c - SIGBUS guard for mapped capture windows (see mapguard.h).
 *
 * The handler only reads the slot table and calls mmap(2), which is a
 * plain system call on Linux; the table is written by the reader's thread
 * between accesses, through volatile stores, so the handler (which runs on
 * that thread, at an access) always sees a consistent entry.
 */
#include "source/mapguard.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SLOTS 64

struct guard {
    volatile uintptr_t lo, hi;   /* hi == 0: free */
    volatile sig_atomic_t hit;
};

static struct guard slots[SLOTS];
static bool installed;
static uintptr_t pagesize;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    uintptr_t a = (uintptr_t)si->si_addr;
    for (int i = 0; i < SLOTS; i++) {
        struct guard *g = &slots[i];
        if (g->hi && a >= g->lo && a < g->hi) {
            uintptr_t from = a & ~(pagesize - 1);
            void *p = mmap((void *)from, g->hi - from, PROT_READ,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
            if (p != MAP_FAILED) {
                g->hit = 1;
                return;          /* the access is retried on zero pages */
            }
        }
    }
    /* Not ours (or the remap failed): the default action on return. */
    signal(sig, SIG_DFL);
}

static bool install(void)
{
    if (installed)
        return true;
    long ps = sysconf(_SC_PAGESIZE);
    if (ps <= 0)
        return false;
    pagesize = (uintptr_t)ps;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, NULL) != 0)
        return false;
    installed = true;
    return true;
}

int asc_mapguard_add(const void *p, size_t len)
{
    if (!len || !install())
        return -1;
    for (int i = 0; i < SLOTS; i++) {
        if (!slots[i].hi) {
            slots[i].hit = 0;
            slots[i].lo = (uintptr_t)p;
            slots[i].hi = (uintptr_t)p + len;
            return i;
        }
    }
    return -1;
}

void asc_mapguard_del(int slot)
{
    if (slot < 0 || slot >= SLOTS)
        return;
    slots[slot].hi = 0;
    slots[slot].lo = 0;
    slots[slot].hit = 0;
}

bool asc_mapguard_hit(int slot)
{
    return slot >= 0 && slot < SLOTS && slots[slot].hit;
}
