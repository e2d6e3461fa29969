/*
 * flow_fmt.c - naming helpers for flow output (see flow_fmt.h).
 */
#include "sink/flow_fmt.h"

#include <stdio.h>

#include "model/pkt.h"

const char *asc_proto_name(uint8_t proto, char *buf, size_t len)
{
    switch (proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1:
    case 58: return "icmp";
    case 132: return "sctp";
    default: snprintf(buf, len, "%u", proto); return buf;
    }
}

const char *asc_tunnel_name(uint8_t tun)
{
    static const char *const names[] = {"none", "ipip", "gre", "vxlan", "geneve",
                                        "gtpu", "teredo", "ayiya"};
    return tun < ASC_ARRAY_LEN(names) ? names[tun] : "other";
}

const char *asc_tcp_flags_str(uint8_t flags, char *buf, size_t len)
{
    static const char letters[] = ASC_TCP_FLAG_LETTERS;
    size_t n = 0;
    for (int i = 0; i < 8 && n + 1 < len; i++)
        if (flags & (1u << i))
            buf[n++] = letters[i];
    if (len)
        buf[n < len ? n : len - 1] = '\0';
    return buf;
}
