/*
 * pcap_src.h - capture file reader (pcap and pcapng through libpcap) and
 * the k-way merge of several files in timestamp order.
 *
 * First stage of the pipeline for packet input. Frames are borrowed views
 * into the reader's buffer (libpcap's, the pcapng reader's, or a read-only
 * map of a classic pcap file), valid until the next call on the same reader.
 * A damaged file is not fatal to the run: the reader returns the frames it
 * could read, then an error naming the file and the byte offset.
 */
#ifndef ASC_PCAP_SRC_H
#define ASC_PCAP_SRC_H

#include <stdio.h>

#include "core/common.h"

struct asc_frame {
    asc_time ts;
    uint32_t caplen, wirelen;
    const uint8_t *data;   /* borrowed */
    int linktype;          /* DLT_* */
};

struct asc_pcap_src;

/* Open a file, or standard input for "-". Returns 0 or a negative code with
 * err naming the file. *out is freed with asc_pcap_close(). */
int asc_pcap_open(const char *path, struct asc_pcap_src **out, struct asc_err *err);
/* Open from a caller's stream (e.g. fmemopen for fuzzing). Takes ownership
 * of f (closed by asc_pcap_close). `name` is used in messages. */
int asc_pcap_open_stream(FILE *f, const char *name, struct asc_pcap_src **out,
                         struct asc_err *err);
/* 1: a frame in *fr; 0: clean end of file; negative: damaged input (err has
 * the file name, message and byte offset). After an error, returns 0. */
int asc_pcap_next(struct asc_pcap_src *s, struct asc_frame *fr, struct asc_err *err);
/* Up to n more frames that need no new read (classic pcap read
 * in place, the rest of the window read already), so that they and every
 * frame returned since the last asc_pcap_next stay valid together until
 * the next call on the reader. Returns how many; 0 when none is at hand
 * (the next asc_pcap_next reads on, and reports any damage). */
size_t asc_pcap_more(struct asc_pcap_src *s, struct asc_frame *fr, size_t n);
/* Bytes consumed so far and total size (0 if unknown, e.g. stdin). */
uint64_t asc_pcap_offset(const struct asc_pcap_src *s);
uint64_t asc_pcap_size(const struct asc_pcap_src *s);
const char *asc_pcap_name(const struct asc_pcap_src *s);
void asc_pcap_close(struct asc_pcap_src *s);

/* Merge of several readers in timestamp order (ties: earlier file first). */
struct asc_merge;
int asc_merge_open(const char *const *paths, size_t n, struct asc_merge **out,
                   struct asc_err *err);
/* 1: frame; 0: all inputs done. Damaged inputs are reported through the
 * callback (may be NULL) and the merge goes on with the others. */
typedef void (*asc_merge_err_fn)(void *ctx, const struct asc_err *err);
int asc_merge_next(struct asc_merge *m, struct asc_frame *fr, asc_merge_err_fn on_err, void *ctx);
/* Up to n frames at once, fr[0..k) in merge order, all valid together
 * until the next call: k >= 1, or 0 when all inputs are done. With one
 * input, asc_merge_next then asc_pcap_more; with several, one frame. */
size_t asc_merge_next_batch(struct asc_merge *m, struct asc_frame *fr, size_t n,
                            asc_merge_err_fn on_err, void *ctx);
uint64_t asc_merge_offset(const struct asc_merge *m);   /* summed over inputs */
uint64_t asc_merge_size(const struct asc_merge *m);
unsigned asc_merge_damaged(const struct asc_merge *m);  /* inputs that ended in error */
void asc_merge_close(struct asc_merge *m);

#endif
