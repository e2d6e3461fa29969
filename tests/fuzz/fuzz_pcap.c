/*
 * fuzz_pcap.c - libFuzzer target: the bytes as a capture file (pcap or
 * pcapng) read through asc_pcap_open_stream, every frame then decoded.
 *
 * Each frame is copied into a heap block of exactly caplen bytes before
 * decoding, so AddressSanitizer sees a decoder read past the captured bytes
 * (the reader's own buffers are larger than one frame). Reader invariants
 * are checked with __builtin_trap().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "source/pcap_src.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_copy(const struct asc_frame *fr)
{
    uint8_t *copy = malloc(fr->caplen ? fr->caplen : 1);
    struct asc_pkt pkt;
    if (!copy)
        return;
    memcpy(copy, fr->data, fr->caplen);
    asc_decode(&pkt, fr->linktype, copy, fr->caplen, fr->wirelen, fr->ts);
    if (pkt.status >= ASC_DEC__COUNT || pkt.reason >= ASC_DR__COUNT || pkt.n_ipl > ASC_MAX_IPL)
        __builtin_trap();
    for (unsigned i = 0; i < pkt.n_ipl; i++)
        if (pkt.ipl[i].l3_off >= fr->caplen || pkt.ipl[i].l4_off > fr->caplen)
            __builtin_trap();
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct asc_pcap_src *s = NULL;
    struct asc_err err = {0};
    struct asc_frame fr;
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)(uintptr_t)data, size, "rb");
    if (!f)
        return 0;
    if (asc_pcap_open_stream(f, "fuzz", &s, &err) < 0)
        return 0;
    uint64_t prev = 0;
    int rc;
    while ((rc = asc_pcap_next(s, &fr, &err)) == 1) {
        if (fr.caplen > size || asc_pcap_offset(s) > size || asc_pcap_offset(s) < prev)
            __builtin_trap();
        prev = asc_pcap_offset(s);
        decode_copy(&fr);
    }
    if (rc < 0 && (err.offset > size || asc_pcap_next(s, &fr, &err) != 0))
        __builtin_trap();
    asc_pcap_close(s);
    return 0;
}
