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

#include "flow/flow_table.h"

static bool has_ports(uint8_t proto)
{
    return proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58;
}

void asc_community_id(const struct asc_flow_key *k, uint16_t seed, char *out, size_t outlen)
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
        int c = memcmp(sa.b, da.b, alen);
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
    struct sha1_ctx ctx;
    uint8_t dig[SHA1_DIGEST_SIZE];
    sha1_init(&ctx);
    sha1_update(&ctx, n, buf);
    sha1_digest(&ctx, sizeof(dig), dig);
    char b64[BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE) + 1];
    base64_encode_raw(b64, sizeof(dig), dig);
    b64[BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE)] = '\0';
    char full[sizeof(b64) + 2] = {'1', ':'};
    memcpy(full + 2, b64, sizeof(b64));
    if (outlen == 0)
        return;
    size_t m = ASC_MIN(outlen - 1, sizeof(full) - 1);
    memcpy(out, full, m);
    out[m] = '\0';
}
