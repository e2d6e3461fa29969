#!/usr/bin/env python3
"""Known-bad contact scenario for t_detect_intel.py (Python stdlib only).

Builds a small Ethernet capture in which local hosts (10.0.0.0/8,
fd00::/8) exchange traffic with a few given "listed" addresses and with
unlisted ones, and records every packet it wrote (time, source,
destination, IP length, connection id, who opened the connection), so the
test can compute what the intel detector must report without asking
ascribe.

  gen_intel_pcap.py OUT C2 DROP TOR EXTRA EXTRA6
      writes OUT and OUT.packets.json; the five arguments are the listed
      addresses the scenario talks to (any order of families is fine)

The scenario (times in seconds from the start):
  t=1..   10.0.0.5 and 10.0.0.6 open TCP sessions to C2:443 (the C2
          answers, some data, FIN both ways); 10.0.0.5 twice
  t=5     10.0.0.8 sends a DNS query to DROP:53 and gets an answer
  t=7     DROP opens TCP to 10.0.0.9:445, which resets (inbound)
  t=10    TOR opens TCP to 10.0.0.7:22, a full session (inbound)
  t=20..  70 local hosts 10.1.0.1..70 each send one SYN to EXTRA:80,
          unanswered (more hosts than the detector keeps)
  t=30    fd00::5 talks to EXTRA6 over UDP 443 both ways
  t=0..   10.0.0.5 and 8.8.8.8 (unlisted) exchange DNS throughout
"""

import ipaddress
import json
import struct
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_pcap  # noqa: E402


def ip_frame(src, dst, proto, seg, ttl=64):
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if s.version == 4:
        total = 20 + len(seg)
        return gen_pcap.eth(gen_pcap.ipv4_hdr(src, dst, proto, total, ttl=ttl) + seg), total
    hdr = struct.pack("!IHBB16s16s", 0x60000000, len(seg), proto, ttl, s.packed, d.packed)
    return gen_pcap.eth(hdr + seg, ethertype=0x86DD), 40 + len(seg)


def l4_csum(src, dst, proto, seg):
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if s.version == 4:
        ph = s.packed + d.packed + struct.pack("!BBH", 0, proto, len(seg))
    else:
        ph = s.packed + d.packed + struct.pack("!I3xB", len(seg), proto)
    return gen_pcap.csum(ph + seg)


def tcp(src, dst, sp, dp, seq, ack, flags, payload=b""):
    fl = 0
    for ch, bit in (("F", 1), ("S", 2), ("R", 4), ("P", 8), ("A", 16)):
        if ch in flags:
            fl |= bit
    h = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, fl, 65535, 0, 0)
    c = l4_csum(src, dst, 6, h + payload)
    return h[:16] + struct.pack("!H", c) + h[18:] + payload


def udp(src, dst, sp, dp, payload):
    h = struct.pack("!HHHH", sp, dp, 8 + len(payload), 0)
    c = l4_csum(src, dst, 17, h + payload) or 0xFFFF
    return h[:6] + struct.pack("!H", c) + payload


class Cap:
    def __init__(self):
        self.frames = []    # (t_us, frame)
        self.packets = []   # what the test needs
        self.conn = 0

    def pkt(self, t_us, src, dst, proto, seg, cid, opener, ttl=64):
        frame, iplen = ip_frame(src, dst, proto, seg, ttl)
        self.frames.append((t_us, frame))
        self.packets.append({"t_us": t_us, "src": src, "dst": dst, "proto": proto,
                             "ip_len": iplen, "conn": cid, "opener": opener})

    def tcp_session(self, t, client, server, sp, dp, req=b"", resp=b"", answer="full",
                    ttl_c=64, ttl_s=50):
        """answer: "full" (handshake, data, FIN both ways), "rst" (SYN, RST),
        "none" (a lone SYN)."""
        self.conn += 1
        cid = self.conn
        t_us = int(t * 1e6)
        step = 1000

        def c(flags, payload=b"", seq=1000, ack=0):
            nonlocal t_us
            self.pkt(t_us, client, server, 6, tcp(client, server, sp, dp, seq, ack, flags,
                                                  payload), cid, client, ttl_c)
            t_us += step

        def s(flags, payload=b"", seq=5000, ack=0):
            nonlocal t_us
            self.pkt(t_us, server, client, 6, tcp(server, client, dp, sp, seq, ack, flags,
                                                  payload), cid, client, ttl_s)
            t_us += step

        c("S", seq=1000)
        if answer == "none":
            return
        if answer == "rst":
            s("RA", seq=0, ack=1001)
            return
        s("SA", seq=5000, ack=1001)
        c("A", seq=1001, ack=5001)
        c("PA", req, seq=1001, ack=5001)
        s("PA", resp, seq=5001, ack=1001 + len(req))
        c("FA", seq=1001 + len(req), ack=5001 + len(resp))
        s("FA", seq=5001 + len(resp), ack=1002 + len(req))
        c("A", seq=1002 + len(req), ack=5002 + len(resp))

    def udp_exchange(self, t, client, server, sp, dp, req, resp, ttl_s=50):
        self.conn += 1
        t_us = int(t * 1e6)
        self.pkt(t_us, client, server, 17, udp(client, server, sp, dp, req), self.conn, client)
        if resp is not None:
            self.pkt(t_us + 2000, server, client, 17, udp(server, client, dp, sp, resp),
                     self.conn, client, ttl_s)


def scenario(c2, drop, tor, extra, extra6):
    cap = Cap()
    for i in range(12):   # unlisted background DNS, every 4 s
        cap.udp_exchange(i * 4, "10.0.0.5", "8.8.8.8", 40000 + i, 53, b"q" * 30, b"a" * 90)
    cap.tcp_session(1, "10.0.0.5", c2, 50001, 443, b"GET /gate" * 20, b"x" * 700)
    cap.tcp_session(2, "10.0.0.6", c2, 50002, 443, b"POST /beacon" * 5, b"y" * 300)
    cap.tcp_session(3, "10.0.0.5", c2, 50003, 443, b"GET /task" * 3, b"z" * 1200)
    cap.udp_exchange(5, "10.0.0.8", drop, 53000, 53, b"d" * 40, b"e" * 120)
    cap.tcp_session(7, drop, "10.0.0.9", 41000, 445, answer="rst", ttl_c=47, ttl_s=128)
    cap.tcp_session(10, tor, "10.0.0.7", 42000, 22, b"SSH-2.0-x" * 4, b"SSH-2.0-y" * 8,
                    ttl_c=52, ttl_s=64)
    for h in range(1, 71):
        cap.tcp_session(20 + h * 0.1, "10.1.0.%d" % h, extra, 30000 + h, 80, answer="none")
    cap.udp_exchange(30, "fd00::5", extra6, 51000, 443, b"q" * 1200, b"r" * 3000)
    cap.frames.sort(key=lambda p: p[0])
    cap.packets.sort(key=lambda p: p["t_us"])
    return cap


def main(argv):
    if len(argv) != 7:
        sys.stderr.write(__doc__)
        return 2
    out = argv[1]
    cap = scenario(*argv[2:7])
    gen_pcap.write_pcap(out, cap.frames)
    with open(out + ".packets.json", "w") as fh:
        json.dump({"base": gen_pcap.BASE, "packets": cap.packets}, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
