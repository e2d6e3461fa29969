/*
 * community_id.c - Community ID v1 flow hashing.
 *
 * Spec: https://github.com/corelight/community-id-spec. Used by the sinks
 * so that every flow and every piece of evidence can be joined with Zeek,
 * Suricata and other tools' records. SHA-1 and base64 come from nettle.
 *
 * Input to the hash: seed (16 bit, big-endian), source address, destination
 * address, protocol, one zero byte, source port, destination port (16 bit
 * big-endian each; omitted for protocols without ports). The endpoints are
 * ordered so the smaller (address, port) comes first, except for one-way
 * ICMP messages, which keep their direction.
 */
#include <nettle/base64.h>
#include <nettle/sha1.h>
#include <string.h>

#include "core/cursor.h"
#include "flow/flow_table.h"

static bool has_ports(uint8_t proto)
{
    return proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58;
}

/* memcmp's order of two addresses of alen (4 or 16) bytes, from
 * big-endian word loads: memcmp with a run-time length is a libc call. */
static int addr_order(const uint8_t *a, const uint8_t *b, size_t alen)
{
    for (size_t i = 0; i < alen; i += 4) {
        uint32_t x = asc_load_be32(a + i), y = asc_load_be32(b + i);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

size_t asc_community_id(const struct asc_flow_key *k, uint16_t seed, char *out, size_t outlen)
{
    struct asc_addr sa = k->orig, da = k->resp;
    uint16_t sp = k->orig_port, dp = k->resp_port;
    bool one_way = false;
    if (k->proto == 1 || k->proto == 58) {
        /* Flow keys already hold (type, counterpart) for ICMP; recover the
         * one-way property from the type. */
        uint16_t a, b;
        asc_icmp_ports(k->proto == 58, (uint8_t)sp, (uint8_t)dp, &a, &b, &one_way);
    }
    size_t alen = sa.family == ASC_AF_INET6 ? 16 : 4;
    if (!one_way) {
        int c = addr_order(sa.b, da.b, alen);
        if (c > 0 || (c == 0 && has_ports(k->proto) && sp > dp)) {
            struct asc_addr t = sa;
            sa = da;
            da = t;
            uint16_t tp = sp;
            sp = dp;
            dp = tp;
        }
    }
    uint8_t buf[2 + 32 + 2 + 4];
    size_t n = 0;
    buf[n++] = (uint8_t)(seed >> 8);
    buf[n++] = (uint8_t)seed;
    memcpy(buf + n, sa.b, alen);
    n += alen;
    memcpy(buf + n, da.b, alen);
    n += alen;
    buf[n++] = k->proto;
    buf[n++] = 0;
    if (has_ports(k->proto)) {
        buf[n++] = (uint8_t)(sp >> 8);
        buf[n++] = (uint8_t)sp;
        buf[n++] = (uint8_t)(dp >> 8);
        buf[n++] = (uint8_t)dp;
    }
    /* At most 40 bytes: one SHA-1 block after padding (FIPS 180-4 5.1.1:
     * 0x80, zeros, the bit length in the last 8 bytes), so one call of
     * nettle's compression function does what init/update/digest would. */
    uint8_t blk[64] = {0};
    memcpy(blk, buf, n);
    blk[n] = 0x80;
    blk[62] = (uint8_t)(n * 8 >> 8);
    blk[63] = (uint8_t)(n * 8);
    uint32_t st[5] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u, 0xc3d2e1f0u};
    nettle_sha1_compress(st, blk);
    uint8_t dig[SHA1_DIGEST_SIZE];
    for (int i = 0; i < 5; i++) {
        dig[4 * i] = (uint8_t)(st[i] >> 24);
        dig[4 * i + 1] = (uint8_t)(st[i] >> 16);
        dig[4 * i + 2] = (uint8_t)(st[i] >> 8);
        dig[4 * i + 3] = (uint8_t)st[i];
    }
    char full[2 + BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE) + 1] = {'1', ':'};
    base64_encode_raw(full + 2, sizeof(dig), dig);
    full[sizeof(full) - 1] = '\0';
    if (outlen >= sizeof(full)) {
        memcpy(out, full, sizeof(full));
        return sizeof(full) - 1;
    }
    if (outlen == 0)
        return 0;
    size_t m = ASC_MIN(outlen - 1, sizeof(full) - 1);
    memcpy(out, full, m);
    out[m] = '\0';
    return m;
}
