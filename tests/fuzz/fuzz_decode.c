/*
 * fuzz_decode.c - libFuzzer target for the frame decoder alone.
 *
 * The first 2 bytes pick one of the link types the decoder supports; the
 * rest is one captured frame, copied into a heap block of exactly its
 * length so AddressSanitizer catches any read past the captured bytes.
 * The third byte, when present, also shrinks the wire length below or
 * grows it above the captured length, as real captures do.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {1, 113, 276, 12, 228, 229, 0, 108, 105, 127, 9, 101};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct asc_pkt pkt;
    if (size < 2)
        return 0;
    unsigned pick = ((unsigned)data[0] << 8 | data[1]) % (sizeof(linktypes) / sizeof(linktypes[0]));
    size_t len = size - 2;
    uint8_t *frame = malloc(len ? len : 1);
    if (!frame)
        return 0;
    memcpy(frame, data + 2, len);
    uint32_t caplen = (uint32_t)len;
    uint32_t wirelen = caplen + (len ? (uint32_t)(frame[0] & 0x3) * 700u : 0u);
    asc_decode(&pkt, linktypes[pick], frame, caplen, wirelen, (asc_time)len);
    if (pkt.status >= ASC_DEC__COUNT || pkt.reason >= ASC_DR__COUNT || pkt.n_ipl > ASC_MAX_IPL)
        __builtin_trap();
    for (unsigned i = 0; i < pkt.n_ipl; i++)
        if (pkt.ipl[i].l3_off >= caplen || pkt.ipl[i].l4_off > caplen)
            __builtin_trap();
    if (!asc_dec_status_name(pkt.status) || !asc_dec_reason_name(pkt.reason))
        __builtin_trap();
    free(frame);
    return 0;
}
