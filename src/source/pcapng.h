/*
 * pcapng.h - our own pcapng block reader (used by pcap_src.c for every
 * pcapng input, and by the pcapng fuzzer).
 *
 * Why not libpcap: libpcap 1.10 refuses a pcapng file whose interfaces have
 * different link types ("an interface has a type N different from the type
 * of the first interface"), and it cannot report the link type per frame.
 * This reader gives each frame its own interface's link type.
 *
 * Input comes through a read callback, so the reader works on files, pipes
 * and memory alike. Frames are borrowed views into the reader's block
 * buffer, valid until the next call. Byte offsets count from the first
 * byte handed over by the callback.
 */
#ifndef ASC_PCAPNG_H
#define ASC_PCAPNG_H

#include <stddef.h>
#include <stdint.h>

#include "core/common.h"
#include "source/pcap_src.h"

/* Largest block accepted; longer ones are treated as corruption. */
#define ASC_PCAPNG_MAX_BLOCK (256u << 20)
/* Interfaces per section; more are treated as corruption. */
#define ASC_PCAPNG_MAX_IFACES 4096u

/* Reads up to n bytes into buf; returns the count, short only at end of
 * input or on a read error. */
typedef size_t (*asc_pcapng_read_fn)(void *ctx, void *buf, size_t n);

struct asc_pcapng;

/* Reads the first Section Header Block. Fails (negative code, err->msg
 * without a file name) if the input is not pcapng or has an unsupported
 * version. rd and ctx are borrowed and must outlive the reader.
 * *out is freed with asc_pcapng_free(). */
int asc_pcapng_new(asc_pcapng_read_fn rd, void *ctx, struct asc_pcapng **out, struct asc_err *err);
/* 1: a frame in *fr; 0: clean end; negative: damaged input, with
 * err->offset the start of the bad block. After an error, returns 0. */
int asc_pcapng_next(struct asc_pcapng *r, struct asc_frame *fr, struct asc_err *err);
/* Bytes read from the callback so far. */
uint64_t asc_pcapng_offset(const struct asc_pcapng *r);
void asc_pcapng_free(struct asc_pcapng *r);

#endif
