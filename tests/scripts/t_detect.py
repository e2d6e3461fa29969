#!/usr/bin/env python3
"""Flood detection on the labelled DDoS captures, and silence on benign ones.

The table below lists every capture under pcap/attack/ddos with the incidents
it must yield (type, vector, victim, expected grade of the sources) and the
ones that must not alert, with the reason. Packet and source counts are not
copied from our own output: each is recomputed here with tshark (a display
filter for the vector's packets to the victim) and ascribe's numbers must
equal them. Every benign capture (pcap/benign and the Zeek test traces)
must give no flood incident at default thresholds. Two runs must give
byte-identical JSON. The scan and brute-force tables are in
t_detect_scan.py.
"""
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

# file -> list of (vector, victim, tshark filter for the vector's packets to
# the victim, expected grade of (nearly) all sources, min share of that grade).
# A file with an empty list must give no flood incident; REASON says why.
DDOS = {
    "amp.TCP.reflection.SYNACK.pcap": [
        ("tcp.synack-reflection", "10.10.10.10",
         "ip.dst==10.10.10.10 && tcp.flags.syn==1 && tcp.flags.ack==1", "reflector", 1.0)],
    "amp.UDP.bacnet.IOT.37810.pcapng": [
        ("udp.bacnet-amp", "10.10.10.1", "ip.dst==10.10.10.1 && udp.srcport==47808 && !icmp",
         "reflector", 1.0),
        ("udp.dvr-amp", "10.10.10.1", "ip.dst==10.10.10.1 && udp.srcport==37810 && !icmp",
         "reflector", 1.0)],
    "amp.UDP.isakmp.pcap": [
        ("udp.ike-amp", "10.10.10.10",
         "ip.dst==10.10.10.10 && (udp.srcport==500 || udp.srcport==4500) && !icmp",
         "reflector", 1.0)],
    "amp.UDP.snmp.src161.pcapng": [
        ("udp.snmp-amp", "10.10.10.10", "ip.dst==10.10.10.10 && udp.srcport==161 && !icmp",
         "reflector", 1.0)],
    "pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng": [
        ("tcp.syn", "10.10.10.10", "ip.dst==10.10.10.10 && tcp.flags.syn==1 && tcp.flags.ack==0",
         "spoofed", 0.99)],
    "suricata-verify-ipv6-ext-hdr-dos-denial6-5.pcap": [
        ("icmp", "2001:db8:1::1",
         "ipv6.dst==2001:db8:1::1 && icmpv6", "spoofed", 1.0)],  # 2001:db8::/32: a bogon
    "amp.TCP.syn.optionallyACK.optionallysamePort.pcapng": [],
    "ppa1e-dosattack.pcap": [],
}

REASON = {
    "amp.TCP.syn.optionallyACK.optionallysamePort.pcapng":
        "896 packets from 60 sources over 818 s (about 1 pkt/s): far below every flood "
        "floor; a rate detector that fired here would fire on ordinary traffic",
    "ppa1e-dosattack.pcap":
        "100 SYNs to 100 different random destinations: no destination is flooded "
        "(the per-destination counters of the flow table show the spread)",
}

# Fragments of an amplified response belong to the amplification incident;
# tshark's filter sees only first fragments with the UDP header, so the
# packet count may exceed tshark's by the later fragments of those sources.
FRAG_OK = {"udp.snmp-amp"}


def analyze(binary, path, extra=()):
    r = subprocess.run([binary, "analyze", "--no-progress", "--json", "-", *extra, path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    return r.returncode, r.stdout


def tshark_srcs(path, flt, victim=None):
    """Sources of the packets matching flt whose outermost destination is the
    victim (tshark's filters also match addresses quoted in ICMP errors)."""
    r = subprocess.run(["tshark", "-n", "-r", path, "-o", "ip.defragment:FALSE", "-Y", flt,
                        "-T", "fields", "-e", "ip.src", "-e", "ipv6.src", "-e", "ip.dst",
                        "-e", "ipv6.dst"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=600)
    out = []
    for line in r.stdout.splitlines():
        f = [x.split(",")[0] for x in line.split("\t")]
        if len(f) < 4:
            continue
        src, dst = f[0] or f[1], f[2] or f[3]
        if victim is None or dst == victim:
            out.append(src)
    return out


def tshark_counts(path, flt, victim):
    srcs = tshark_srcs(path, flt, victim)
    return len(srcs), len(set(srcs))


# SYN-ACK reflection also takes the RSTs its reflectors send the victim.
RST_JOIN = {"tcp.synack-reflection"}


def extra_rsts(path, victim, srcs_flt):
    srcs = set(tshark_srcs(path, srcs_flt))
    rsts = tshark_srcs(path, "ip.dst==%s && tcp.flags.reset==1" % victim)
    return sum(1 for s in rsts if s in srcs)


def check_expected(rep, name, path, incs, want):
    for vec, victim, flt, grade, share in want:
        got = [i for i in incs if i["type"] == "flood" and i["vector"] == vec
               and i["victim"] == victim]
        if not rep.ok(len(got) == 1, "%s: one %s flood incident on %s" % (name, vec, victim),
                      ["got: %s" % [(i["vector"], i["victim"]) for i in incs]]):
            continue
        inc = got[0]
        pkts, srcs = tshark_counts(path, flt, victim)
        rep.ok(inc["sources"] == srcs and not inc["sources_estimated"],
               "%s %s: %d sources, as tshark counts" % (name, vec, srcs),
               ["ascribe: %d" % inc["sources"]])
        pk_ok = inc["pkts"] == pkts or (vec in FRAG_OK and pkts <= inc["pkts"] <= pkts * 1.1)
        hi = pkts
        if vec in RST_JOIN:
            hi = pkts + extra_rsts(path, victim, flt)
            pk_ok = pkts <= inc["pkts"] <= hi
        rep.ok(pk_ok, "%s %s: %d packets, as tshark counts (up to %d with its reflectors' RSTs)"
               % (name, vec, pkts, hi) if hi != pkts else
               "%s %s: %d packets, as tshark counts" % (name, vec, pkts),
               ["ascribe: %d" % inc["pkts"]])
        n = sum(inc["grades"].values())
        rep.ok(n == inc["sources"] and inc["grades"][grade] >= share * n,
               "%s %s: sources graded %s (>= %.0f%%)" % (name, vec, grade, share * 100),
               ["grades: %s" % inc["grades"]])
        top = inc["top_sources"]
        rep.ok(top and all(t["grade"] in (grade, "verified") for t in top[:5]),
               "%s %s: top sources carry the grade" % (name, vec))


def main():
    rep = testlib.Reporter()
    data = testlib.require_data(rep, "pcap/attack/ddos")
    binary = testlib.require_bin(rep)
    listed = sorted(os.path.basename(p) for p in glob.glob(os.path.join(data, "*.pcap*")))
    rep.ok(listed == sorted(DDOS), "the table lists every capture in pcap/attack/ddos",
           ["unlisted: %s" % sorted(set(listed) - set(DDOS)),
            "missing: %s" % sorted(set(DDOS) - set(listed))])
    for name in sorted(DDOS):
        path = os.path.join(data, name)
        if not os.path.exists(path):
            continue
        rc, out = analyze(binary, path)
        if not rep.ok(rc == 0, "%s: analyze exits 0" % name):
            continue
        incs = json.loads(out)["incidents"]
        floods = [i for i in incs if i["type"] == "flood"]
        want = DDOS[name]
        rep.ok(len(floods) == len(want), "%s: %d flood incident(s)%s" % (
            name, len(want), "" if want else " (" + REASON[name] + ")"),
            ["got: %s" % [(i["vector"], i["victim"]) for i in floods]])
        check_expected(rep, name, path, incs, want)
        rc2, out2 = analyze(binary, path)
        rep.ok(out == out2, "%s: a second run gives byte-identical JSON" % name)

    benign = sorted(glob.glob(os.path.join(testlib.data_dir(), "pcap/benign/**/*.pcap*"),
                              recursive=True))
    benign += sorted(glob.glob(os.path.join(testlib.data_dir(), "peer-expected/zeek/Traces/**/*.pcap*"),
                               recursive=True))
    rep.ok(len(benign) > 10, "benign captures found (%d)" % len(benign))
    noisy = []
    for path in benign:
        rc, out = analyze(binary, path)
        if rc == 1:
            noisy.append("%s: exit 1" % path)
            continue
        floods = [i["summary"] for i in json.loads(out)["incidents"] if i["type"] == "flood"]
        if floods:
            noisy.append("%s: %s" % (os.path.relpath(path, testlib.data_dir()), floods))
    rep.ok(not noisy, "no flood incident on %d benign captures at default thresholds"
           % len(benign), noisy)

    # Settings: an unknown one is an error, a known one changes the outcome.
    snmp = os.path.join(data, "amp.UDP.snmp.src161.pcapng")
    if os.path.exists(snmp):
        rc, _ = analyze(binary, snmp, ["--set", "flood.no_such_key=1"])
        rep.ok(rc == 1, "an unknown --set key is refused")
        rc, out = analyze(binary, snmp, ["--set", "flood.amp_pps=100000"])
        rep.ok(rc == 0 and not json.loads(out)["incidents"],
               "flood.amp_pps above the attack's rate silences it")
        rc, out = analyze(binary, snmp, ["--set", "flood.enabled=0"])
        rep.ok(rc == 0 and not json.loads(out)["incidents"], "flood.enabled=0 turns it off")
    rep.finish()


if __name__ == "__main__":
    main()
