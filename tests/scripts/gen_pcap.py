#!/usr/bin/env python3
"""Generate small captures for tests/scripts/t_cli.sh (Python stdlib only).

  gen_pcap.py synth OUT [--endian le|be] [--ts us|ns] [--ns-digits]
      classic pcap with a fixed synthetic trace (TCP, UDP, ICMP, IPv6,
      VLAN, IPv4 fragments); --ns-digits adds 123 ns to every timestamp
      (only meaningful with --ts ns)
  gen_pcap.py pcapng OUT [--endian le|be]
      the same trace as pcapng (SHB, IDB with if_tsresol 10^-6, EPBs)
  gen_pcap.py expect
      the flows the synthetic trace must produce, as JSON lines
  gen_pcap.py split IN OUT1 OUT2 [--interleave | --at N]
      split a classic pcap: alternate packets (--interleave, default) or
      the first N packets and the rest (--at N)
  gen_pcap.py offsets IN
      byte offset of every record header of a classic pcap, one per line
  gen_pcap.py ordered IN
      exit 0 if the classic pcap's timestamps never decrease
  gen_pcap.py corrupt IN OUT N
      copy IN, setting the caplen of record N (0-based) to 0x7fffffff
"""

import json
import struct
import sys

BASE = 1700000000  # 2023-11-14


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed


def eth(payload, ethertype=0x0800, vlan=None):
    hdr = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01"
    if vlan is not None:
        hdr += struct.pack("!HH", 0x8100, vlan)
    return hdr + struct.pack("!H", ethertype) + payload


def ipv4_hdr(src, dst, proto, total_len, ident=1, ttl=64, flags_off=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total_len, ident, flags_off, ttl, proto, 0,
                    ip4(src), ip4(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def l4_csum(src, dst, proto, seg, v6=False):
    if v6:
        ph = ip6(src) + ip6(dst) + struct.pack("!I3xB", len(seg), proto)
    else:
        ph = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, proto, len(seg))
    return csum(ph + seg)


def tcp_seg(src, dst, sp, dp, seq, ack, flags, payload=b""):
    fl = 0
    for ch, bit in (("F", 1), ("S", 2), ("R", 4), ("P", 8), ("A", 16)):
        if ch in flags:
            fl |= bit
    h = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, fl, 65535, 0, 0)
    c = l4_csum(src, dst, 6, h + payload)
    return h[:16] + struct.pack("!H", c) + h[18:] + payload


def udp_seg(src, dst, sp, dp, payload, v6=False):
    h = struct.pack("!HHHH", sp, dp, 8 + len(payload), 0)
    c = l4_csum(src, dst, 17, h + payload, v6) or 0xFFFF
    return h[:6] + struct.pack("!H", c) + payload


def icmp_msg(typ, code, ident, seq, payload):
    h = struct.pack("!BBHHH", typ, code, 0, ident, seq)
    c = csum(h + payload)
    return h[:2] + struct.pack("!H", c) + h[4:] + payload


def trace():
    """List of (ts_us_offset, frame bytes) plus the expected flows."""
    pkts = []
    exp = {}

    def add(t, frame, key, direction, ip_len, payload_len, datagram=True, tcp_flags=""):
        pkts.append((t, frame))
        f = exp[key]
        d = f[direction]
        d["frames"] += 1
        d["wire_bytes"] += len(frame)
        if datagram:
            d["pkts"] += 1
            d["ip_bytes"] += ip_len
            d["bytes"] += payload_len
        f["first"] = min(f["first"], t)
        f["last"] = max(f["last"], t)

    def flow(key, proto, ip_proto, vlan=0):
        exp[key] = {"proto": proto, "ip_proto": ip_proto, "vlan": vlan, "first": 1 << 62, "last": 0,
                    "orig": {k: 0 for k in ("pkts", "frames", "ip_bytes", "bytes", "wire_bytes")},
                    "resp": {k: 0 for k in ("pkts", "frames", "ip_bytes", "bytes", "wire_bytes")}}

    # A: TCP 10.0.0.1:40000 -> 10.0.0.2:80, complete connection
    c, s, cp, sp = "10.0.0.1", "10.0.0.2", 40000, 80
    ka = (c, cp, s, sp, 6)
    flow(ka, "tcp", 6)
    steps = [(0, "orig", "S", 0), (1000, "resp", "SA", 0), (2000, "orig", "A", 0),
             (3000, "orig", "PA", 100), (4000, "resp", "A", 0), (5000, "resp", "PA", 200),
             (6000, "orig", "FA", 0), (7000, "resp", "FA", 0), (8000, "orig", "A", 0)]
    seq = {"orig": 1000, "resp": 5000}
    for t, d, fl, n in steps:
        a, b, pa, pb = (c, s, cp, sp) if d == "orig" else (s, c, sp, cp)
        other = "resp" if d == "orig" else "orig"
        seg = tcp_seg(a, b, pa, pb, seq[d], seq[other] if "A" in fl else 0, fl, b"x" * n)
        seq[d] += n + (1 if ("S" in fl or "F" in fl) else 0)
        add(100000 + t, eth(ipv4_hdr(a, b, 6, 20 + len(seg)) + seg), ka, d, 20 + len(seg), n)

    # B: UDP DNS-like query/response
    kb = ("10.0.0.1", 53000, "10.0.0.53", 53, 17)
    flow(kb, "udp", 17)
    for t, d, n in ((1500, "orig", 30), (2500, "resp", 60)):
        a, pa, b, pb = kb[:4] if d == "orig" else (kb[2], kb[3], kb[0], kb[1])
        seg = udp_seg(a, b, pa, pb, b"q" * n)
        add(100000 + t, eth(ipv4_hdr(a, b, 17, 20 + len(seg)) + seg), kb, d, 20 + len(seg), n)

    # C: ICMP echo request/reply x2 (orig_port = type 8, resp_port = code 0)
    kc = ("10.0.0.1", 8, "10.0.0.3", 0, 1)
    flow(kc, "icmp", 1)
    for i, (t, d) in enumerate(((3500, "orig"), (3600, "resp"), (5500, "orig"), (5600, "resp"))):
        a, b = ("10.0.0.1", "10.0.0.3") if d == "orig" else ("10.0.0.3", "10.0.0.1")
        msg = icmp_msg(8 if d == "orig" else 0, 0, 7, i // 2, b"p" * 32)
        add(100000 + t, eth(ipv4_hdr(a, b, 1, 20 + len(msg)) + msg), kc, d, 20 + len(msg), 32)

    # D: IPv6 UDP, one direction, 3 packets
    kd = ("2001:db8::1", 1234, "2001:db8::2", 5678, 17)
    flow(kd, "udp", 17)
    for t in (4500, 6500, 8500):
        seg = udp_seg(kd[0], kd[2], 1234, 5678, b"v" * 10, v6=True)
        hdr = struct.pack("!IHBB", 6 << 28, len(seg), 17, 64) + ip6(kd[0]) + ip6(kd[2])
        add(100000 + t, eth(hdr + seg, 0x86DD), kd, "orig", 40 + len(seg), 10)

    # E: VLAN 100, lone SYN
    ke = ("10.0.0.5", 1111, "10.0.0.6", 22, 6)
    flow(ke, "tcp", 6, vlan=100)
    seg = tcp_seg(ke[0], ke[2], 1111, 22, 1, 0, "S")
    add(100000 + 7500, eth(ipv4_hdr(ke[0], ke[2], 6, 40) + seg, vlan=100), ke, "orig", 40, 0)

    # F: one UDP datagram of 3000 payload bytes in 3 IPv4 fragments
    kf = ("10.0.0.7", 9999, "10.0.0.8", 9999, 17)
    flow(kf, "udp", 17)
    seg = udp_seg(kf[0], kf[2], 9999, 9999, bytes(range(256)) * 11 + b"z" * 184)
    chunks = [seg[0:1480], seg[1480:2960], seg[2960:]]
    off = 0
    for i, ch in enumerate(chunks):
        mf = 0x2000 if i < len(chunks) - 1 else 0
        frame = eth(ipv4_hdr(kf[0], kf[2], 17, 20 + len(ch), ident=0x4242, flags_off=mf | (off // 8)) + ch)
        pkts.append((100000 + 9000 + i * 10, frame))
        d = exp[kf]["orig"]
        d["frames"] += 1
        d["wire_bytes"] += len(frame)
        off += len(ch)
    d = exp[kf]["orig"]
    d["pkts"] = 1
    d["ip_bytes"] = 20 + len(seg)
    d["bytes"] = len(seg) - 8
    exp[kf]["first"] = 100000 + 9000
    exp[kf]["last"] = 100000 + 9020

    pkts.sort(key=lambda p: p[0])
    return pkts, exp


def write_pcap(path, pkts, endian="le", ts="us", ns_extra=0, linktype=1):
    e = "<" if endian == "le" else ">"
    magic = 0xA1B2C3D4 if ts == "us" else 0xA1B23C4D
    with open(path, "wb") as fh:
        fh.write(struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, 262144, linktype))
        for t_us, frame in pkts:
            sec, us = BASE + t_us // 1000000, t_us % 1000000
            frac = us if ts == "us" else us * 1000 + ns_extra
            fh.write(struct.pack(e + "IIII", sec, frac, len(frame), len(frame)) + frame)


def write_pcapng(path, pkts, endian="le"):
    e = "<" if endian == "le" else ">"

    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack(e + "II", btype, n) + body + struct.pack(e + "I", n)

    with open(path, "wb") as fh:
        fh.write(block(0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1)))
        opts = struct.pack(e + "HH", 9, 1) + b"\x06\0\0\0" + struct.pack(e + "HH", 0, 0)
        fh.write(block(1, struct.pack(e + "HHI", 1, 0, 262144) + opts))
        for t_us, frame in pkts:
            t = (BASE * 1000000) + t_us
            fh.write(block(6, struct.pack(e + "IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(frame),
                                          len(frame)) + frame))


def read_pcap(path):
    data = open(path, "rb").read()
    magic = data[:4]
    e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    recs, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        recs.append((off, data[off:off + 16 + incl]))
        off += 16 + incl
    return data[:24], recs, e


def main(argv):
    cmd = argv[0] if argv else ""
    opts = dict(endian="le", ts="us")
    args = []
    it = iter(argv[1:])
    flags = set()
    for a in it:
        if a in ("--endian", "--ts", "--at"):
            opts[a[2:]] = next(it)
        elif a.startswith("--"):
            flags.add(a)
        else:
            args.append(a)
    pkts, exp = trace()
    if cmd == "synth":
        write_pcap(args[0], pkts, opts["endian"], opts["ts"], 123 if "--ns-digits" in flags else 0)
    elif cmd == "pcapng":
        write_pcapng(args[0], pkts, opts["endian"])
    elif cmd == "expect":
        for k, f in sorted(exp.items(), key=lambda kv: kv[1]["first"]):
            out = {"orig_addr": k[0], "orig_port": k[1], "resp_addr": k[2], "resp_port": k[3],
                   "ip_proto": k[4], "proto": f["proto"], "vlan": f["vlan"],
                   "first": "%d.%06d000" % (BASE + f["first"] // 1000000, f["first"] % 1000000),
                   "last": "%d.%06d000" % (BASE + f["last"] // 1000000, f["last"] % 1000000),
                   "orig": f["orig"], "resp": f["resp"]}
            print(json.dumps(out))
    elif cmd == "split":
        hdr, recs, _ = read_pcap(args[0])
        if "at" in opts:
            n = int(opts["at"])
            parts = (recs[:n], recs[n:])
        else:
            parts = (recs[0::2], recs[1::2])
        for path, part in zip(args[1:3], parts):
            with open(path, "wb") as fh:
                fh.write(hdr + b"".join(r for _, r in part))
    elif cmd == "offsets":
        _, recs, _ = read_pcap(args[0])
        for off, r in recs:
            print(off, len(r))
    elif cmd == "ordered":
        _, recs, e = read_pcap(args[0])
        ts = [struct.unpack(e + "II", r[:8]) for _, r in recs]
        return 0 if all(a <= b for a, b in zip(ts, ts[1:])) else 1
    elif cmd == "corrupt":
        hdr, recs, e = read_pcap(args[0])
        n = int(args[2])
        out = bytearray(open(args[0], "rb").read())
        off = recs[n][0]
        out[off + 8:off + 12] = struct.pack(e + "I", 0x7FFFFFFF)
        open(args[1], "wb").write(out)
    else:
        sys.stderr.write(__doc__)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
