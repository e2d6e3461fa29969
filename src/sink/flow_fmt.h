/*
 * flow_fmt.h - helpers shared by the flow sinks: protocol and tunnel names,
 * TCP flag strings.
 */
#ifndef ASC_FLOW_FMT_H
#define ASC_FLOW_FMT_H

#include "model/flow.h"

/* "tcp", "udp", "icmp" (also for ICMPv6, as Zeek), "sctp", or the number. */
const char *asc_proto_name(uint8_t proto, char *buf, size_t len);
const char *asc_tunnel_name(uint8_t tun);
/* Flags as letters in the order F S R P A U E C (bit 0 first); "" when none. */
#define ASC_TCP_FLAG_LETTERS "FSRPAUEC"
const char *asc_tcp_flags_str(uint8_t flags, char *buf, size_t len);

#endif
