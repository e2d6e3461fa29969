#!/usr/bin/env python3
"""Differential test against tshark on the benign captures.

For every capture under $DATA/pcap/benign (recursively), compare
  1. TCP and UDP conversations: frames and bytes per direction, tshark's
     `-z conv,tcp` / `-z conv,udp` against ascribe's flows aggregated by
     5-tuple (frames / wire_bytes; tshark's bytes are frame bytes);
  2. frames and bytes per IP protocol of the outermost IP header against the
     sum over ascribe's non-tunnelled flows.

tshark runs with IP defragmentation off, so each frame is counted once, in the
conversation of the datagram it belongs to as tshark dissects it. tshark's
conversation table prints bytes rounded ("192 kB"), so the exact reference is
built from the same tshark run's per-frame fields (frame.len and the
addresses and ports of every IP/TCP/UDP layer) and is first checked against
tshark's own conversation table (frames exactly, bytes as tshark prints
them). Two tshark semantics are reproduced on the reference side:
  - headers quoted inside ICMP errors are not conversations (tshark's taps
    skip them; ascribe counts the error in the ICMP flow);
  - non-first IP fragments carry no transport header, so tshark leaves them
    out of the conversation; ascribe counts every fragment in frames and
    wire_bytes. The reference adds them to the conversations of their
    datagram's first fragment (same src, dst, protocol and IP ID).

tshark output is cached under build/test-cache/tshark (keyed by the capture's
path, size and mtime and the tshark version).

Pass: exact equality, or a mismatch covered by a documented rule in RULES
(explained in tests/README.md, "Differences from tshark").

Usage: t_tshark.py [-v] [FILE...]
"""

import collections
import hashlib
import ipaddress
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

ARGS = [a for a in sys.argv[1:] if not a.startswith("-")]
VERBOSE = "-v" in sys.argv[1:]
MAX_DETAILS = 100000 if VERBOSE else 10
CACHE_VERSION = "4"

FIELDS = ["frame.number", "frame.len", "frame.protocols",
          "ip.proto", "ip.src", "ip.dst", "ip.id", "ip.flags.mf", "ip.frag_offset",
          "ipv6.nxt", "ipv6.hopopts.nxt", "ipv6.routing.nxt", "ipv6.fraghdr.nxt",
          "ipv6.dstopts.nxt", "ipv6.src", "ipv6.dst", "ipv6.fraghdr.ident",
          "ipv6.fraghdr.offset", "ipv6.fraghdr.more",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "ah.next_header"]
FI = {name: i for i, name in enumerate(FIELDS)}
# IPv6 extension headers (RFC 8200 section 4; AH is one too, RFC 4302): the
# protocol of an IPv6 datagram is the one after the chain, as in ascribe and Zeek.
V6_EXT = {0: "ipv6.hopopts.nxt", 43: "ipv6.routing.nxt", 44: "ipv6.fraghdr.nxt",
          60: "ipv6.dstopts.nxt", 51: "ah.next_header"}

# Documented differences (tests/README.md, "Differences from tshark").
# Each rule: id, reason, and a predicate over one mismatch m, a dict with
#   file (path relative to $DATA/pcap/benign), check ("tcp", "udp", "ipproto"),
#   kind ("tshark_only", "ascribe_only", "frames", "bytes", "total"),
#   key, tshark (ref values or None), ascribe (values or None),
#   chains (tshark frame.protocols prefix up to the transport -> counts
#   [framesAB, bytesAB, framesBA, bytesBA] of the reference conversation).


def ref_without(m, drop):
    """The reference counts of m's conversation without the frames whose
    chain satisfies drop(chain); None if nothing is left."""
    tot = [0, 0, 0, 0]
    for chain, c in m["chains"].items():
        if not drop(chain):
            tot = [x + y for x, y in zip(tot, c)]
    return tot if (tot[0] or tot[2]) else None


def capwap(m):
    return m["check"] in ("tcp", "udp") and \
        any("capwap" in ch for ch in m["chains"]) and \
        ref_without(m, lambda ch: "capwap" in ch) == m["ascribe"]


TEREDO_NET = ipaddress.ip_network("2001::/32")


def teredo_any_port(m):
    if m["check"] not in ("tcp", "udp") or m["kind"] != "ascribe_only":
        return False
    addrs = [ipaddress.ip_address(m["key"][1][0]), ipaddress.ip_address(m["key"][2][0])]
    return any(a.version == 6 and a in TEREDO_NET for a in addrs)


RULES = [
    dict(id="TEREDO-PORT", applies=teredo_any_port,
         reason="ascribe, like Zeek, recognises Teredo on any UDP port (relay traffic); "
                "tshark only on 3544, so it has no conversation for the IPv6 flow inside. "
                "Only conversations with a Teredo (2001::/32) address that tshark lacks."),
    dict(id="CAPWAP", applies=capwap,
         reason="ascribe does not decode the CAPWAP data channel (802.11 frames in UDP "
                "5247); tshark does and counts the conversations inside. The rest of the "
                "conversation must match exactly."),
]


def tshark_version():
    rc, out, err = testlib.run(["tshark", "-v"], timeout=60)
    return (out.splitlines() or [b"?"])[0].decode("utf-8", "replace")


def tshark_output(path, version):
    st = os.stat(path)
    h = hashlib.sha256(("%s|%d|%d|%s|%s" % (os.path.abspath(path), st.st_size, st.st_mtime_ns,
                                             version, CACHE_VERSION)).encode()).hexdigest()[:16]
    cfile = os.path.join(testlib.cache_dir("tshark"), "%s-%s.txt" % (os.path.basename(path), h))
    if os.path.exists(cfile):
        return open(cfile, encoding="utf-8", errors="replace").read(), True
    cmd = ["tshark", "-n", "-r", path, "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
           "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    cmd += ["-z", "conv,tcp", "-z", "conv,udp"]
    rc, out, err = testlib.run(cmd, timeout=900)
    if rc != 0:
        raise RuntimeError("tshark failed (%d): %s" % (rc, err.decode("utf-8", "replace")[-300:]))
    text = out.decode("utf-8", "replace")
    tmp = cfile + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, cfile)
    return text, False


def norm(a):
    return str(ipaddress.ip_address(a))


def canon(proto, a, b):
    """Canonical key and whether (a -> b) is the A->B direction."""
    ka = (ipaddress.ip_address(a[0]).packed, a[1])
    kb = (ipaddress.ip_address(b[0]).packed, b[1])
    if (len(ka[0]), ka) <= (len(kb[0]), kb):
        return (proto, a, b), True
    return (proto, b, a), False


def format_size(n):
    """wsutil format_size(…, FORMAT_SIZE_UNIT_BYTES, 0) as in Wireshark 4.0."""
    for power, pfx in ((1000 ** 4, "TB"), (1000 ** 3, "GB"), (1000 ** 2, "MB"), (1000, "kB")):
        if n // power >= 10:
            return "%d %s" % (n // power, pfx)
    return "%d bytes" % n


class Ref:
    """Exact per-conversation and per-IP-protocol counts from tshark's fields."""

    def __init__(self):
        # key -> [framesAB, bytesAB, framesBA, bytesBA]
        self.conv = collections.defaultdict(lambda: [0, 0, 0, 0])
        self.convtap = collections.defaultdict(lambda: [0, 0, 0, 0])  # without fragment fix-up
        # key -> chain (frame.protocols up to the transport) -> counts
        self.chain_counts = collections.defaultdict(lambda: collections.defaultdict(
            lambda: [0, 0, 0, 0]))
        self.ipproto = collections.defaultdict(lambda: [0, 0])
        self.frames = 0
        self.skipped = 0


def add(tgt, ab, flen):
    if ab:
        tgt[0] += 1
        tgt[1] += flen
    else:
        tgt[2] += 1
        tgt[3] += flen


def parse_tshark(text):
    lines = text.split("\n")
    ref = Ref()
    first_frag = {}  # (src, dst, proto, id) -> [(key, a_to_b)]
    later_frags = []  # (fragkey, flen)
    stats_at = len(lines)
    for idx, ln in enumerate(lines):
        if ln.startswith("====="):
            stats_at = idx
            break
        if not ln:
            continue
        f = ln.split("\t")
        if len(f) < len(FIELDS):
            f += [""] * (len(FIELDS) - len(f))
        ref.frames += 1
        flen = int(f[1])
        protos = f[2].split(":")

        def occ(name):
            v = f[FI[name]]
            return v.split(",") if v else []

        o = {name: occ(name) for name in FIELDS[3:]}
        # outermost IP header: protocol, fragment identity
        first_ip = next((p for p in protos if p in ("ip", "ipv6")), None)
        fragkey = None
        is_first_frag = False
        if first_ip == "ip" and o["ip.proto"] and o["ip.src"]:
            proto = int(o["ip.proto"][0])
            ref.ipproto[proto][0] += 1
            ref.ipproto[proto][1] += flen
            off = int(o["ip.frag_offset"][0] or 0) if o["ip.frag_offset"] else 0
            mf = o["ip.flags.mf"][0] in ("1", "True") if o["ip.flags.mf"] else False
            if off or mf:
                fragkey = (4, o["ip.src"][0], o["ip.dst"][0], proto, int(o["ip.id"][0], 0))
                is_first_frag = off == 0
        elif first_ip == "ipv6" and o["ipv6.nxt"] and o["ipv6.src"]:
            nxt = int(o["ipv6.nxt"][0])
            used = collections.Counter()
            fragidx = None
            for _ in range(16):
                if nxt not in V6_EXT:
                    break
                name = V6_EXT[nxt]
                lst = o[name]
                if used[name] >= len(lst):
                    break
                if nxt == 44:
                    fragidx = used[name]
                nxt = int(lst[used[name]])
                used[name] += 1
            ref.ipproto[nxt][0] += 1
            ref.ipproto[nxt][1] += flen
            if fragidx is not None and fragidx < len(o["ipv6.fraghdr.ident"]):
                off = int(o["ipv6.fraghdr.offset"][fragidx] or 0)
                fragkey = (6, o["ipv6.src"][0], o["ipv6.dst"][0], nxt,
                           int(o["ipv6.fraghdr.ident"][fragidx], 0))
                is_first_frag = off == 0
        elif first_ip:
            ref.skipped += 1

        # conversations, one per TCP/UDP layer, as tshark's conv taps see them
        cnt = collections.Counter()
        cur = None
        in_icmp = False
        layers = []
        for pos, p in enumerate(protos):
            if p in ("ip", "ipv6"):
                s, d = ("ip.src", "ip.dst") if p == "ip" else ("ipv6.src", "ipv6.dst")
                cur = (o[s][cnt[p]], o[d][cnt[p]]) if cnt[p] < len(o[s]) else None
                cnt[p] += 1
            elif p in ("icmp", "icmpv6"):
                in_icmp = True
            elif p in ("tcp", "udp"):
                sp, dp = o[p + ".srcport"], o[p + ".dstport"]
                i = cnt[p]
                cnt[p] += 1
                if in_icmp or cur is None or i >= len(sp) or i >= len(dp):
                    continue
                key, ab = canon(p, (norm(cur[0]), int(sp[i])), (norm(cur[1]), int(dp[i])))
                layers.append((key, ab, ":".join(protos[:pos + 1])))
        for key, ab, chain in layers:
            for tgt in (ref.conv[key], ref.convtap[key], ref.chain_counts[key][chain]):
                add(tgt, ab, flen)
        if fragkey is not None:
            if is_first_frag:
                first_frag[fragkey] = layers
            else:
                later_frags.append((fragkey, flen))
    for fragkey, flen in later_frags:
        if fragkey in first_frag:
            for key, ab, chain in first_frag[fragkey]:
                add(ref.conv[key], ab, flen)
                add(ref.chain_counts[key]["(non-first IP fragment)"], ab, flen)
        elif fragkey[3] in (6, 17):
            # no first fragment anywhere: ascribe accounts it to a flow with ports 0
            p = "tcp" if fragkey[3] == 6 else "udp"
            key, ab = canon(p, (norm(fragkey[1]), 0), (norm(fragkey[2]), 0))
            add(ref.conv[key], ab, flen)
            add(ref.chain_counts[key]["(orphan non-first IP fragment)"], ab, flen)

    # tshark's own conversation tables
    conv = {}
    proto = None
    rx = re.compile(r"^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+) (\d+ \w+)\s+(\d+) (\d+ \w+)\s+"
                    r"(\d+) (\d+ \w+)")
    for ln in lines[stats_at:]:
        if ln.startswith("TCP Conversations"):
            proto = "tcp"
        elif ln.startswith("UDP Conversations"):
            proto = "udp"
        m = rx.match(ln)
        if m and proto:
            key, ab = canon(proto, (norm(m[1]), int(m[2])), (norm(m[3]), int(m[4])))
            # "<-" columns are B->A, "->" columns A->B (A is the left endpoint)
            fab, bab, fba, bba = int(m[7]), m[8], int(m[5]), m[6]
            if not ab:
                fab, bab, fba, bba = fba, bba, fab, bab
            conv.setdefault(key, []).append((fab, bab, fba, bba))
    return ref, conv


def check_reference(ref, conv):
    """Our per-frame aggregation must reproduce tshark's conversation table."""
    bad = []
    for key in set(conv) | {k for k, v in ref.convtap.items() if v[0] or v[2]}:
        rows = conv.get(key, [])
        r = ref.convtap.get(key, [0, 0, 0, 0])
        fab = sum(x[0] for x in rows)
        fba = sum(x[2] for x in rows)
        if (fab, fba) != (r[0], r[2]):
            bad.append("%s: tshark conv frames %d/%d, fields %d/%d" % (fmt_key(key), fab, fba, r[0], r[2]))
        elif len(rows) == 1 and (rows[0][1], rows[0][3]) != (format_size(r[1]), format_size(r[3])):
            bad.append("%s: tshark conv bytes %s/%s, fields %d/%d" % (fmt_key(key), rows[0][1],
                                                                      rows[0][3], r[1], r[3]))
    return bad


def fmt_key(key):
    p, a, b = key
    ep = lambda e: ("[%s]:%d" if ":" in e[0] else "%s:%d") % e  # noqa: E731
    return "%s %s <-> %s" % (p, ep(a), ep(b))


def ascribe_side(flows):
    conv = collections.defaultdict(lambda: [0, 0, 0, 0])
    ipproto = collections.defaultdict(lambda: [0, 0])
    for fl in flows:
        ipp = int(fl["ip_proto"])
        if fl.get("tunnel", "none") == "none":
            ipproto[ipp][0] += fl["orig"]["frames"] + fl["resp"]["frames"]
            ipproto[ipp][1] += fl["orig"]["wire_bytes"] + fl["resp"]["wire_bytes"]
        if ipp not in (6, 17):
            continue
        p = "tcp" if ipp == 6 else "udp"
        key, ab = canon(p, (norm(fl["orig_addr"]), fl["orig_port"]),
                        (norm(fl["resp_addr"]), fl["resp_port"]))
        o, r = fl["orig"], fl["resp"]
        if not ab:
            o, r = r, o
        c = conv[key]
        c[0] += o["frames"]
        c[1] += o["wire_bytes"]
        c[2] += r["frames"]
        c[3] += r["wire_bytes"]
    return conv, ipproto


def excused(m):
    for rule in RULES:
        if rule["applies"](m):
            return rule["id"]
    return None


def compare_file(rep, rel, ref, conv, flows):
    aconv, aproto = ascribe_side(flows)
    for check in ("tcp", "udp"):
        keys = {k for k in set(ref.conv) | set(aconv) if k[0] == check}
        mism, ex = [], collections.Counter()
        equal = 0
        for key in sorted(keys, key=lambda k: (k[1][0], k[1][1], k[2][0], k[2][1])):
            t = ref.conv.get(key)
            a = aconv.get(key)
            if t is not None and not (t[0] or t[2]):
                t = None
            if t is None and a is None:
                continue
            if t is None:
                kind = "ascribe_only"
            elif a is None:
                kind = "tshark_only"
            elif (t[0], t[2]) != (a[0], a[2]):
                kind = "frames"
            elif (t[1], t[3]) != (a[1], a[3]):
                kind = "bytes"
            else:
                equal += 1
                continue
            m = dict(file=rel, check=check, kind=kind, key=key, tshark=t, ascribe=a,
                     chains=dict(ref.chain_counts.get(key, {})))
            rid = excused(m)
            if rid:
                ex[rid] += 1
            else:
                mism.append("%s %s: tshark %s, ascribe %s; tshark layers %s" % (
                    kind, fmt_key(key), t, a, "; ".join(
                        "%s %s" % (ch, c) for ch, c in sorted(m["chains"].items())) or "-"))
        n = equal + len(mism) + sum(ex.values())
        desc = "%s: %s conversations: %d, equal %d, mismatched %d" % (rel, check, n, equal, len(mism))
        if ex:
            desc += ", documented differences %s" % ", ".join("%s=%d" % kv for kv in sorted(ex.items()))
        rep.ok(not mism, desc, mism[:MAX_DETAILS] +
               (["... %d more (-v for all)" % (len(mism) - MAX_DETAILS)] if len(mism) > MAX_DETAILS else []))

    mism, ex = [], collections.Counter()
    for p in sorted(set(ref.ipproto) | set(aproto)):
        t = ref.ipproto.get(p, [0, 0])
        a = aproto.get(p, [0, 0])
        if t == a:
            continue
        m = dict(file=rel, check="ipproto", kind="total", key=p, tshark=t, ascribe=a, chains={})
        rid = excused(m)
        if rid:
            ex[rid] += 1
        else:
            mism.append("ip proto %d: tshark %d frames %d bytes, ascribe %d frames %d bytes"
                        % (p, t[0], t[1], a[0], a[1]))
    tf = sum(v[0] for v in ref.ipproto.values())
    desc = "%s: frames/bytes per outermost IP protocol (%d protocols, %d IP frames of %d)" % (
        rel, len(ref.ipproto), tf, ref.frames)
    if ex:
        desc += ", documented differences %s" % ", ".join("%s=%d" % kv for kv in sorted(ex.items()))
    rep.ok(not mism, desc, mism[:MAX_DETAILS])


def main():
    rep = testlib.Reporter()
    bdir = testlib.require_data(rep, "pcap/benign")
    binary = testlib.require_bin(rep)
    files = []
    if ARGS:
        files = [os.path.abspath(a) for a in ARGS]
    else:
        for root, dirs, names in os.walk(bdir):
            dirs.sort()
            for n in sorted(names):
                if n.endswith((".pcap", ".pcapng", ".cap")):
                    files.append(os.path.join(root, n))
    if not files:
        rep.ok(False, "captures found under %s" % bdir)
        rep.finish()
    version = tshark_version()
    rep.note("%s; %d captures" % (version, len(files)))
    for path in files:
        rel = os.path.relpath(path, bdir)
        try:
            text, cached = tshark_output(path, version)
        except RuntimeError as e:
            rep.ok(False, "%s: tshark reference" % rel, [str(e)])
            continue
        ref, conv = parse_tshark(text)
        bad = check_reference(ref, conv)
        rep.ok(not bad, "%s: reference from tshark fields reproduces tshark's conversation "
               "tables (%d frames%s)" % (rel, ref.frames, ", cached" if cached else ""),
               bad[:MAX_DETAILS])
        rc, out, err = testlib.run([binary, "flows", "--format", "json", path], timeout=600)
        flows, errors = testlib.parse_flows(out)
        if rc != 0 or errors:
            rep.ok(False, "%s: ascribe flows exits 0 with valid JSON (exit %d)" % (rel, rc),
                   err.decode("utf-8", "replace").splitlines()[:5] + errors[:3])
            continue
        compare_file(rep, rel, ref, conv, flows)
    rep.finish()


if __name__ == "__main__":
    main()
