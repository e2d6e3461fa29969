/*
 * udp_src.h - UDP listening sockets for the live flow collector
 * (`ascribe collect`): large receive buffer, SO_REUSEPORT, and the
 * kernel's count of datagrams dropped for lack of buffer (SO_RXQ_OVFL).
 *
 * Source stage, flow-record side: datagrams read here go to asc_fi_datagram
 * (flowin.h) with the sender's address as the exporter.
 */
#ifndef ASC_UDP_SRC_H
#define ASC_UDP_SRC_H

#include "core/common.h"

/* Opens a socket bound to "ADDR:PORT" ("[v6]:PORT", ":PORT" or "PORT" for
 * any IPv4 address). Returns the descriptor, or -1 with err set. */
int asc_udp_open(const char *spec, int rcvbuf, struct asc_err *err);
/* Receives one datagram without blocking. Returns its length, 0 if none is
 * waiting, or -1 on error. *from gets the sender; *dropped the kernel's
 * running drop count when it reports one (left alone otherwise). */
long asc_udp_recv(int fd, uint8_t *buf, size_t cap, struct asc_addr *from, uint32_t *dropped);
/* The kernel's running drop count of the socket now (SO_MEMINFO), whether
 * or not a datagram arrived since; false if the kernel cannot tell. */
bool asc_udp_drops(int fd, uint32_t *dropped);

#endif
