#!/usr/bin/env python3
"""seed_exports.py DATA OUTDIR - seeds for fuzz_netflow and fuzz_sflow: the UDP
payloads of the flow-export captures under DATA/flows (classic pcap, Ethernet
or raw IP), written as OUTDIR/fuzz_netflow/<sha1> (prefixed with the harness's
selector byte) and OUTDIR/fuzz_sflow/<sha1>. Standard library only."""
import glob, hashlib, os, struct, sys

data, out = sys.argv[1], sys.argv[2]


def frames(path):
    b = open(path, "rb").read()
    if len(b) < 24:
        return
    magic = b[:4]
    e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    if magic not in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"):
        return
    lt = struct.unpack(e + "I", b[20:24])[0]
    off = 24
    while off + 16 <= len(b):
        cl = struct.unpack(e + "I", b[off + 8:off + 12])[0]
        yield lt, b[off + 16:off + 16 + cl]
        off += 16 + cl


def udp_payload(lt, f):
    if lt == 1:
        et, off = struct.unpack(">H", f[12:14])[0], 14
        while et == 0x8100 and len(f) >= off + 4:
            et, off = struct.unpack(">H", f[off + 2:off + 4])[0], off + 4
    elif lt in (101, 228, 229):
        off = 0
    else:
        return None
    ip = f[off:]
    if not ip:
        return None
    if ip[0] >> 4 == 4:
        hl = (ip[0] & 15) * 4
        if len(ip) < hl + 8 or ip[9] != 17:
            return None
        return ip[hl + 8:]
    if ip[0] >> 4 == 6 and len(ip) >= 48 and ip[6] == 17:
        return ip[48:]
    return None


for p in glob.glob(os.path.join(data, "flows", "**", "*.pcap"), recursive=True) + \
        glob.glob(os.path.join(data, "peer-expected", "ndpi", "pcap", "*flow*.pcap")):
    for lt, f in frames(p):
        pl = udp_payload(lt, f)
        if not pl or len(pl) < 4:
            continue
        sflow = pl[:4] == b"\0\0\0\x05"
        name = "fuzz_sflow" if sflow else "fuzz_netflow"
        blob = pl if sflow else bytes([0]) + pl
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, hashlib.sha1(blob).hexdigest()), "wb").write(blob)
