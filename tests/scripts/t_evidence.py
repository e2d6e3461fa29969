#!/usr/bin/env python3
"""Evidence extracts (`analyze --evidence DIR`) and the detectors' drop counters.

On labelled attack captures (a SYN flood, three amplification/reflection
floods, two scans, a backscatter trace, two brute forces) every incident
with packets gets a pcap extract that tcpdump reads, with the original link
type; every packet in it is one the incident counted, read back with tshark
(not with ascribe): to the victim and of the vector for floods, from the
scanner for scans, the victim's SYN-ACKs/RSTs (or ICMP errors quoting it)
for backscatter, between the source and the server's port for brute force;
its frames are frames of the original capture (same time and length); a
flood's and a backscatter's extract holds min(N, the incident's packets)
packets (a backscatter's from its first); a brute force's follows its pair
to its last packet; names follow the documented
rule TYPE-VECTOR-VICTIM-START.pcap; reruns give byte-identical files and
JSON. An unwritable DIR is a clear error. Small --set caps force the
drop counters of run.detectors above zero and into the terminal report.
"""
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

# capture (under pcap/attack) -> incidents that must carry an extract:
# (type, vector, victim or None, tshark check per packet of the extract)
CASES = {
    "ddos/pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng": [("flood", "tcp.syn", "10.10.10.10")],
    "ddos/amp.UDP.snmp.src161.pcapng": [("flood", "udp.snmp-amp", "10.10.10.10")],
    "ddos/amp.TCP.reflection.SYNACK.pcap": [
        ("flood", "tcp.synack-reflection", "10.10.10.10")],
    "ddos/suricata-verify-ipv6-ext-hdr-dos-denial6-5.pcap": [("flood", "icmp", "2001:db8:1::1")],
    "scan/ppa1e-portscan.pcap": [("scan", "tcp.vertical", None)],
    "scan/ndpi-synscan.pcap": [("scan", None, None)],
    "scan/bro-simple-scan/backscatter.trace": [("backscatter", "tcp.synack", "202.229.120.98")],
    "bruteforce/zeek-sshguess.pcap": [("bruteforce", "ssh", "192.168.56.103")],
    "bruteforce/zeek-ftp-bruteforce.pcap": [("bruteforce", "ftp", "192.168.56.101")],
}
# extra arguments per capture: Zeek's sshguess test lowers its limit to 10
# (11 connections, below the default ssh_count of 30)
ARGS = {"bruteforce/zeek-sshguess.pcap": ["--set", "bruteforce.ssh_count=10"]}

# incident types whose extract holds min(N, pkts) packets from the incident's
# start while the look-back ring reaches back that far
EXACT = ("flood", "backscatter")

FIELDS = ["frame.time_epoch", "frame.len", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst",
          "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.reset", "udp.srcport",
          "ip.flags.mf", "ip.frag_offset", "icmpv6.type", "ipv6.fraghdr.offset",
          "icmp.type", "tcp.srcport", "tcp.dstport"]


def packets(path):
    """Per packet: dict of FIELDS (outermost values), from tshark; under
    FIELD + "*" every value (e.g. an ICMP error's quoted header)."""
    r = subprocess.run(["tshark", "-n", "-r", path, "-o", "ip.defragment:FALSE",
                        "-o", "ipv6.defragment:FALSE", "-T", "fields"] +
                       sum((["-e", f] for f in FIELDS), []),
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=600)
    out = []
    for line in r.stdout.splitlines():
        raw = line.split("\t")
        raw += [""] * (len(FIELDS) - len(raw))
        p = dict(zip(FIELDS, (x.split(",")[0] for x in raw)))
        p.update(zip((f + "*" for f in FIELDS), (x.split(",") for x in raw)))
        out.append(p)
    return out


def linktype(path):
    r = subprocess.run(["tcpdump", "-nr", path, "-c", "1"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    for line in r.stderr.splitlines():
        if "link-type" in line:   # the link type, not the snapshot length
            return line.split("link-type", 1)[1].split(",")[0].strip()
    return None


def expected_name(inc):
    who = inc["victim"] or ("from-" + inc["top_sources"][0]["addr"]
                            if inc["top_sources"] else "many")
    base = "%s-%s-%s-%d" % (inc["type"], inc["vector"], who, int(float(inc["start"])))
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in base) + ".pcap"


def belongs(inc, p):
    """Whether an extracted packet is one the incident counted."""
    src, dst = p["ip.src"] or p["ipv6.src"], p["ip.dst"] or p["ipv6.dst"]
    frag = p["ip.frag_offset"] not in ("", "0") or p["ipv6.fraghdr.offset"] not in ("", "0")
    if inc["type"] == "scan":
        return src == inc["top_sources"][0]["addr"]
    if inc["type"] == "backscatter":
        return backscatter_belongs(inc, p, src)
    if inc["type"] == "bruteforce":
        port = str(inc["victim_port"])
        pair = {src, dst} == {inc["victim"], inc["top_sources"][0]["addr"]}
        return pair and port == (p["tcp.dstport"] if dst == inc["victim"] else p["tcp.srcport"])
    if dst != inc["victim"]:
        return False
    v = inc["vector"]
    if v == "tcp.syn":
        return p["tcp.flags.syn"] in ("1", "True") and p["tcp.flags.ack"] in ("0", "False")
    if v == "tcp.synack-reflection":
        return (p["tcp.flags.syn"] in ("1", "True") and p["tcp.flags.ack"] in ("1", "True")) \
            or p["tcp.flags.reset"] in ("1", "True")
    if v == "udp.snmp-amp":
        return p["udp.srcport"] == "161" or frag
    if v == "icmp":
        return p["icmpv6.type"] != "" or frag
    return False


def backscatter_belongs(inc, p, src):
    """The victim's SYN-ACK or RST, or an ICMP error quoting a packet to it."""
    yes = ("1", "True")
    if src == inc["victim"] and p["tcp.srcport"]:
        return (p["tcp.flags.syn"] in yes and p["tcp.flags.ack"] in yes) or \
            p["tcp.flags.reset"] in yes
    if p["icmp.type"] in ("3", "4", "11", "12") or p["icmpv6.type"] in ("1", "2", "3", "4"):
        quoted = p["ip.dst*"][1:] + p["ipv6.dst*"][1:]
        return inc["victim"] in quoted
    return False


def analyze(binary, args):
    return testlib.run([binary, "analyze", "--no-progress", "--no-color"] + args)


def check_capture(rep, binary, data, rel, want, n, tmp):
    path = os.path.join(data, rel)
    d1, d2 = os.path.join(tmp, "a"), os.path.join(tmp, "b")
    for d in (d1, d2):
        shutil.rmtree(d, ignore_errors=True)
    sets = ["--set", "evidence.packets=%d" % n] + ARGS.get(rel, [])
    rc, out, err = analyze(binary, ["--evidence", d1, "--json", "-"] + sets + [path])
    if not rep.ok(rc == 0, "%s: analyze --evidence exits 0" % rel, [err.decode()[-300:]]):
        return
    incs = json.loads(out)["incidents"]
    orig = None
    for typ, vec, victim in want:
        got = [i for i in incs if i["type"] == typ and (vec is None or i["vector"] == vec)
               and (victim is None or i["victim"] == victim)]
        if not rep.ok(len(got) >= 1, "%s: a %s %s incident" % (rel, typ, vec or ""),
                      ["got: %s" % [(i["type"], i["vector"], i["victim"]) for i in incs]]):
            continue
        for inc in got:
            what = "%s %s %s" % (rel, inc["type"], inc["vector"])
            name = inc["evidence_file"]
            if not rep.ok(name == expected_name(inc), "%s: evidence_file is %s" %
                          (what, expected_name(inc)), ["got: %r" % name]):
                continue
            f = os.path.join(d1, name)
            lt = linktype(f)
            if orig is None:
                orig = linktype(path)
            rep.ok(lt is not None and lt == orig, "%s: tcpdump reads the extract, link type %s"
                   % (what, orig), ["extract: %s" % lt])
            pk = packets(f)
            bad = [p for p in pk if not belongs(inc, p)]
            rep.ok(pk and not bad, "%s: all %d extracted packets belong to the incident"
                   % (what, len(pk)), ["first bad: %s" % (bad[:1],)])
            if typ in EXACT:
                rep.ok(len(pk) == min(n, inc["pkts"]), "%s: %d packets = min(N=%d, %d)"
                       % (what, len(pk), n, inc["pkts"]))
            else:
                rep.ok(0 < len(pk) <= n, "%s: 1..N=%d packets (%d)" % (what, n, len(pk)))
            if typ == "backscatter":
                # JSON floats hold epoch seconds to about 0.2 us
                rep.ok(pk and abs(float(pk[0]["frame.time_epoch"]) - inc["start"]) < 1e-6,
                       "%s: the extract starts with the incident's first packet" % what,
                       ["first %s, start %s" % (pk[0]["frame.time_epoch"] if pk else None,
                                                inc["start"])])
            allp = {(p["frame.time_epoch"], p["frame.len"]) for p in packets(path)}
            missing = [p for p in pk if (p["frame.time_epoch"], p["frame.len"]) not in allp]
            rep.ok(not missing, "%s: every extracted frame is a frame of the capture "
                   "(time and length)" % what, ["first: %s" % (missing[:1],)])
    for i in incs:
        if i["evidence_file"]:
            continue
        rep.ok(i["type"] not in ("flood", "scan", "backscatter", "bruteforce"),
               "%s: %s %s has an extract"
               % (rel, i["type"], i["vector"]))
    rc2, out2, _ = analyze(binary, ["--evidence", d2, "--json", "-"] + sets + [path])
    same = rc2 == 0 and out2.replace(d2.encode(), d1.encode()) == out
    files1, files2 = sorted(os.listdir(d1)), sorted(os.listdir(d2))
    cmp = filecmp.cmpfiles(d1, d2, files1, shallow=False)
    rep.ok(same and files1 == files2 and not cmp[1] and not cmp[2],
           "%s: a rerun gives the same JSON and byte-identical extracts (%d files)"
           % (rel, len(files1)), ["files: %s / %s, differ: %s" % (files1, files2, cmp[1])])
    rep.ok(not [x for x in files1 if x.startswith(".")], "%s: no temporary file left" % rel)


def check_errors(rep, binary, data, tmp):
    path = os.path.join(data, "ddos/amp.UDP.snmp.src161.pcapng")
    plain = os.path.join(tmp, "plainfile")
    open(plain, "w").close()
    for d, why in ((plain, "a regular file"), ("/proc/ascribe-no/such", "not creatable")):
        rc, out, err = analyze(binary, ["--evidence", d, path])
        rep.ok(rc == 1 and b"--evidence" in err and not out,
               "--evidence on %s: exit 1 with a message naming the option" % why,
               ["rc %d, stderr %s" % (rc, err[-200:])])
    if os.geteuid() != 0:
        ro = os.path.join(tmp, "ro")
        os.makedirs(ro, exist_ok=True)
        os.chmod(ro, 0o500)
        rc, _, err = analyze(binary, ["--evidence", ro, path])
        rep.ok(rc == 1 and b"not a writable directory" in err, "--evidence on a read-only dir")
        os.chmod(ro, 0o700)
    rc, _, err = analyze(binary, ["--evidence", os.path.join(tmp, "z"), "--set",
                                  "evidence.packets=0", path])
    rep.ok(rc == 1 and b"evidence" in err, "evidence.packets=0 is refused")


def check_bounds(rep, binary, data, tmp):
    """A tiny look-back ring and one open extract: still valid extracts of
    the incident's packets, fewer of them, and the second concurrent
    incident gets none."""
    path = os.path.join(data, "ddos/amp.UDP.bacnet.IOT.37810.pcapng")
    d = os.path.join(tmp, "bounds")
    rc, out, err = analyze(binary, ["--evidence", d, "--json", "-", "--set",
                                    "evidence.ring_bytes=20000", "--set",
                                    "evidence.ring_packets=16", "--set", "evidence.max_open=1",
                                    path])
    if not rep.ok(rc == 0, "small ring, max_open=1: analyze exits 0", [err.decode()[-300:]]):
        return
    incs = json.loads(out)["incidents"]
    with_file = [i for i in incs if i["evidence_file"]]
    rep.ok(len(incs) == 2 and len(with_file) == 1,
           "max_open=1: of two concurrent incidents one gets an extract",
           ["%s" % [(i["vector"], i["evidence_file"]) for i in incs]])
    for inc in with_file:
        pk = packets(os.path.join(d, inc["evidence_file"]))
        bad = [p for p in pk if (p["ip.dst"] or p["ipv6.dst"]) != inc["victim"]]
        rep.ok(0 < len(pk) < 100 and not bad,
               "small ring: %d packets (< 100, the first ones left the ring), all to the victim"
               % len(pk))
    rep.ok(sorted(os.listdir(d)) == sorted(i["evidence_file"] for i in with_file),
           "only the named extract is in DIR (no temporary file)", ["%s" % os.listdir(d)])


def check_bruteforce_whole(rep, binary, data, tmp):
    """With room for every packet, a brute force's extract follows its pair
    to the end: it holds the pair's last packet of the capture and, although
    the attempts that ran before the pair was tracked are missing (the pair
    is created when its first attempt ends), most of the incident's
    packets."""
    rel = "bruteforce/zeek-ftp-bruteforce.pcap"
    path, d = os.path.join(data, rel), os.path.join(tmp, "bf-whole")
    rc, out, err = analyze(binary, ["--evidence", d, "--json", "-", "--set",
                                    "evidence.packets=1000000", path])
    incs = [i for i in json.loads(out)["incidents"] if i["type"] == "bruteforce"] \
        if rc == 0 else []
    if not rep.ok(len(incs) == 1 and incs[0]["evidence_file"],
                  "%s, N=1000000: one brute force with an extract" % rel, [err.decode()[-300:]]):
        return
    inc = incs[0]
    pk = packets(os.path.join(d, inc["evidence_file"]))
    pair = [p for p in packets(path) if belongs(inc, p)]
    bad = [p for p in pk if not belongs(inc, p)]
    rep.ok(pk and not bad and len(pk) <= len(pair),
           "%s: %d extracted packets, all of the pair (%d in the capture)"
           % (rel, len(pk), len(pair)))
    rep.ok(pk and pk[-1]["frame.time_epoch"] == pair[-1]["frame.time_epoch"],
           "%s: the extract ends with the pair's last packet" % rel,
           ["extract %s, capture %s" % (pk[-1]["frame.time_epoch"] if pk else None,
                                       pair[-1]["frame.time_epoch"])])
    rep.ok(len(pk) * 2 >= inc["pkts"], "%s: the extract holds most of the incident's %d "
           "packets (%d)" % (rel, inc["pkts"], len(pk)))


def check_drops(rep, binary, data):
    """Small caps force drops; the defaults drop nothing on the same input."""
    syn = os.path.join(data, "ddos/pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng")
    scan = os.path.join(data, "scan/ppa1e-portscan.pcap")
    rc, out, _ = analyze(binary, ["--json", "-", syn, scan])
    det = json.loads(out)["run"]["detectors"] if rc == 0 else {}
    rep.ok(sorted(det) == ["backscatter", "bruteforce", "flood", "intel", "scan"],
           "run.detectors lists every detector that ran", ["got: %s" % sorted(det)])
    rep.ok(all(v == 0 for d in det.values() for k, v in d.items()
               if k.startswith("dropped") or "past_max" in k),
           "default caps: nothing dropped", ["%s" % det])
    caps = ["--set", "flood.max_sources=16", "--set", "flood.max_dst=8",
            "--set", "scan.max_targets=16"]
    rc, out, _ = analyze(binary, ["--json", "-"] + caps + [syn, scan])
    det = json.loads(out)["run"]["detectors"] if rc == 0 else {}
    fl, sc = det.get("flood", {}), det.get("scan", {})
    rep.ok(fl.get("dst_capacity") == 8 and fl.get("max_sources") == 16,
           "flood reports the capacities in force", ["%s" % fl])
    rep.ok(fl.get("incidents_past_max_sources", 0) >= 1,
           "flood.max_sources=16: the SYN flood's sources go past the exact cap", ["%s" % fl])
    rep.ok(sc.get("probes_past_max_targets", 0) > 0,
           "scan.max_targets=16: probes past the per-source cap are counted", ["%s" % sc])
    rc, out, _ = analyze(binary, caps + [syn, scan])
    txt = out.decode()
    rep.ok(rc == 0 and "Detector tables full" in txt and "probes_past_max_targets" in txt,
           "the terminal report shows the nonzero drop counters")
    rc, out, _ = analyze(binary, [syn])
    rep.ok(rc == 0 and "Detector tables full" not in out.decode(),
           "no drop section when nothing was dropped")


def main():
    rep = testlib.Reporter()
    data = testlib.require_data(rep, "pcap/attack")
    binary = testlib.require_bin(rep)
    if not shutil.which("tshark") or not shutil.which("tcpdump"):
        rep.ok(False, "tshark and tcpdump are installed (scripts/deps)")
        rep.finish()
    with tempfile.TemporaryDirectory() as tmp:
        for rel, want in sorted(CASES.items()):
            if not rep.ok(os.path.exists(os.path.join(data, rel)), "%s exists" % rel):
                continue
            check_capture(rep, binary, data, rel, want, 100, tmp)
        check_capture(rep, binary, data, "ddos/amp.UDP.snmp.src161.pcapng",
                      CASES["ddos/amp.UDP.snmp.src161.pcapng"], 7, tmp)
        check_errors(rep, binary, data, tmp)
        check_bounds(rep, binary, data, tmp)
        check_bruteforce_whole(rep, binary, data, tmp)
    check_drops(rep, binary, data)
    rep.finish()


if __name__ == "__main__":
    main()
