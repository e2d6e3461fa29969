#!/usr/bin/env python3
"""t_flowin.py - flow-export and Zeek log inputs against references.

1. pmacct: ascribe's records from each pmacct test capture, summed per
   (src, dst, proto), equal nfacctd's expected JSON (renormalised when the
   test's nfacctd.conf renormalises, raw otherwise).
2. akvorado and tcpdump export captures decode with no data set dropped for
   want of a template and no malformed-input counters (except the one
   capture tcpdump keeps as a crash reproducer).
3. Real exporters on loopback: softflowd (v5, v9, IPFIX) reads a benign
   capture and exports to `ascribe collect` and, in a second run, to nfcapd;
   record count, packets and bytes equal softflowd's own statistics and
   nfdump's reading of nfcapd's file.
4. Zeek conn.logs: ascribe's flows equal the logs' valid lines (count,
   packets, IP bytes, payload bytes).
5. --set flowin.*: the stitch buffer's cap takes effect (a cap of one
   record evicts what the default stitches), out-of-range values and unknown
   keys are refused by analyze, flows and collect.
"""
import collections
import glob
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import testlib  # noqa: E402

rep = testlib.Reporter()
ASC = testlib.require_bin(rep)
flows_dir = testlib.require_data(rep, "flows")
PROTO = {"tcp": 6, "udp": 17, "icmp": 1, "ipv6-icmp": 58, "vrrp": 112}


def run_flows(args):
    rc, out, err = testlib.run([ASC, "flows"] + args)
    flows, errs = testlib.parse_flows(out)
    return rc, flows, errs, err


def summary(files):
    rc, out, err = testlib.run([ASC, "analyze", "--no-progress", "--json", "-"] + files)
    try:
        return rc, json.loads(out)["run"]
    except (ValueError, KeyError):
        return rc, {"error": err.decode(errors="replace")[:300]}


# ---- 1. pmacct expected output ----
def pmacct():
    for d in sorted(glob.glob(os.path.join(flows_dir, "pmacct-tests", "1*"))):
        caps = sorted(glob.glob(os.path.join(d, "traffic-*.pcap")))
        exp_file = os.path.join(d, "output-flow-00.json")
        if not caps or not os.path.exists(exp_file):
            continue
        renorm = "renormalize: true" in open(os.path.join(d, "nfacctd-00.conf")).read()
        rc, flows, errs, _ = run_flows(["--no-stitch"] + caps)
        mine_b, mine_p = collections.Counter(), collections.Counter()
        for o in flows:
            div = 1 if renorm else o["sampling"]
            k = (o["orig_addr"], o["resp_addr"], o["ip_proto"])
            mine_b[k] += o["orig"]["ip_bytes"] // div
            mine_p[k] += o["orig"]["pkts"] // div
        exp_b, exp_p = collections.Counter(), collections.Counter()
        for line in open(exp_file):
            o = json.loads(line)
            p = PROTO.get(o["ip_proto"], o["ip_proto"])
            k = (o["ip_src"], o["ip_dst"], int(p))
            exp_b[k] += o["bytes"]
            exp_p[k] += o["packets"]
        bad = [k for k in set(exp_b) | set(mine_b)
               if exp_b[k] != mine_b[k] or exp_p[k] != mine_p[k]]
        rep.ok(rc == 0 and not errs and flows and not bad,
               "pmacct %s: %d keys, packets and bytes equal nfacctd's%s"
               % (os.path.basename(d), len(exp_b), " (renormalised)" if renorm else ""),
               ["%s: expected %d pkts %d bytes, got %d pkts %d bytes"
                % (k, exp_p[k], exp_b[k], mine_p[k], mine_b[k]) for k in bad[:5]])


# ---- 2. no unknown-template records ----
# bad_length is allowed: three akvorado sFlow captures carry bytes after their samples
MALFORMED = ("bad_header", "truncated", "bad_template", "bad_record",
             "bad_set_id", "sets_dropped_no_template", "sets_dropped_hold_full")


def groups():
    """akvorado's template/data captures grouped by exporter scenario, templates
    first (options templates first of all), then options data, then data."""
    nf = os.path.join(flows_dir, "akvorado-testdata", "netflow")
    by_prefix = collections.OrderedDict()
    for f in sorted(glob.glob(os.path.join(nf, "*.pcap"))):
        b = os.path.basename(f)[:-5]
        if b in ("data+templates", "nfv5", "nat", "mpls", "physicalinterfaces"):
            by_prefix[b] = [f]
            continue
        prefix = re.sub(r"(-?(options|templates?|data))+$", "", b)
        by_prefix.setdefault(prefix or "(v9)", []).append(f)
    out = []
    for members in by_prefix.values():
        members.sort(key=lambda p: ("template" not in p, "options" not in p, p))
        out.append(members)
    for f in sorted(glob.glob(os.path.join(flows_dir, "akvorado-testdata", "sflow", "*.pcap"))):
        out.append([f])
    for f in sorted(glob.glob(os.path.join(flows_dir, "tcpdump-sflow", "*.pcap"))):
        out.append([f])
    return out


def no_unknown_templates():
    for g in groups():
        rc, run = summary(g)
        fi = run.get("flow_inputs", {})
        name = "+".join(os.path.basename(x) for x in g)
        produced = fi.get("records", 0) + fi.get("options_records", 0) + \
            fi.get("sflow_counter_samples", 0)
        if "segv" in name:   # tcpdump's crash reproducer: must be survived and counted
            rep.ok(rc in (0, 2) and fi.get("datagrams", 0) >= 0,
                   "%s: malformed sFlow survived (%s)" % (name, {k: v for k, v in fi.items() if v}))
            continue
        bad = {k: fi.get(k) for k in MALFORMED if fi.get(k)}
        rep.ok(rc == 0 and fi.get("datagrams", 0) == run.get("frames") and produced > 0 and not bad,
               "%s: %d datagrams, %d records, no unknown-template drop" %
               (name, fi.get("datagrams", 0), fi.get("records", 0)),
               ["counters: %s" % {k: v for k, v in fi.items() if v}, "run: %s" % run.get("error", "")])


# ---- 3. softflowd -> ascribe collect / nfcapd ----
def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def softflowd(cap, port, ver, tmp):
    # -c none: softflowd 1.1.0 may block on its control socket after -r ends
    rc, out, err = testlib.run(["softflowd", "-r", cap, "-n", "127.0.0.1:%d" % port, "-v", str(ver),
                                "-d", "-c", "none", "-p", os.path.join(tmp, "sf.pid")], timeout=120)
    text = (out + err).decode(errors="replace")
    m = re.search(r"Flows exported: \d+ \((\d+) records\)", text)
    pk = by = 0
    for line in text.splitlines():
        mm = re.match(r"\s+\w+ \(\d+\):\s+(\d+)\s+(\d+)", line)
        if mm:
            by += int(mm.group(1))
            pk += int(mm.group(2))
    return rc, (int(m.group(1)) if m else -1), pk, by


def nfcapd_reading(cap, ver, tmp):
    port = free_port()
    d = os.path.join(tmp, "nfcapd%d" % ver)
    os.makedirs(d, exist_ok=True)
    p = subprocess.Popen(["nfcapd", "-w", d, "-p", str(port), "-b", "127.0.0.1"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    softflowd(cap, port, ver, tmp)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)
    files = sorted(glob.glob(os.path.join(d, "nfcapd.2*")))
    res = {}
    for f in files:
        _, out, _ = testlib.run(["nfdump", "-r", f, "-I"])
        for line in out.decode().splitlines():
            k, _, v = line.partition(":")
            if k in ("Flows", "Packets", "Bytes"):
                res[k] = res.get(k, 0) + int(v)
    return res


def exporters():
    if not all(testlib.run(["which", t])[0] == 0 for t in ("softflowd", "nfcapd", "nfdump")):
        rep.ok(not testlib.in_ci(), "softflowd, nfcapd and nfdump installed (scripts/deps)")
        return
    cap = os.path.join(testlib.data_dir(), "pcap", "benign", "malcolm-DNS.pcap")
    if not os.path.exists(cap):
        rep.ok(not testlib.in_ci(), "benign capture %s present" % cap)
        return
    with tempfile.TemporaryDirectory() as tmp:
        for ver in (5, 9, 10):
            port = free_port()
            stats = os.path.join(tmp, "stats%d.json" % ver)
            out = os.path.join(tmp, "flows%d.jsonl" % ver)
            col = subprocess.Popen([ASC, "collect", "--netflow", "127.0.0.1:%d" % port,
                                    "--no-stitch", "--duration", "60", "--stats", stats, "-o", out])
            time.sleep(0.5)
            rc, sf_records, sf_pk, sf_by = softflowd(cap, port, ver, tmp)
            time.sleep(1.0)
            col.send_signal(signal.SIGTERM)
            crc = col.wait(timeout=30)
            st = json.load(open(stats)) if os.path.exists(stats) else {"flow_inputs": {}}
            flows = [json.loads(x) for x in open(out)] if os.path.exists(out) else []
            pk = sum(f["orig"]["pkts"] + f["resp"]["pkts"] for f in flows)
            by = sum(f["orig"]["ip_bytes"] + f["resp"]["ip_bytes"] for f in flows)
            recs = st["flow_inputs"].get("records", -2)
            nf = nfcapd_reading(cap, ver, tmp)
            rep.ok(rc == 0 and crc == 0 and recs == sf_records == nf.get("Flows") and
                   pk == sf_pk == nf.get("Packets") and by == sf_by == nf.get("Bytes"),
                   "softflowd -v %d -> collect: %d records, %d pkts, %d bytes = softflowd's and nfdump's"
                   % (ver, recs, pk, by),
                   ["softflowd: %d records %d pkts %d bytes; nfdump: %s; collect exit %s"
                    % (sf_records, sf_pk, sf_by, nf, crc)])


# ---- 4. Zeek logs ----
def zeek_expected(path):
    n = pk = ib = pb = 0
    # Zeek's default columns, for logs cut before their header
    cols = ("ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes "
            "resp_bytes conn_state local_orig local_resp missed_bytes history orig_pkts "
            "orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents").split()
    sep, unset = "\t", ("-", "(empty)")
    for line in open(path, errors="replace"):
        line = line.rstrip("\r\n")
        if not line:
            continue
        if line.startswith("#fields"):
            cols = line.split(sep)[1:]
            continue
        if line.startswith("#"):
            continue
        if line.startswith("{"):
            try:
                o = json.loads(line)
            except ValueError:
                continue
        elif cols:
            v = line.split(sep)
            if len(v) < len(cols) and "resp_ip_bytes" in cols[len(v):]:
                continue
            o = {c: x for c, x in zip(cols, v) if x not in unset}
        else:
            continue
        try:
            for c in ("id.orig_p", "id.resp_p"):
                if c in o and not 0 <= int(o[c]) <= 65535:
                    raise ValueError
            vals = [int(o.get(c, 0)) for c in ("orig_pkts", "resp_pkts", "orig_ip_bytes",
                                                "resp_ip_bytes", "orig_bytes", "resp_bytes")]
        except (ValueError, TypeError):
            continue
        n += 1
        pk += vals[0] + vals[1]
        ib += vals[2] + vals[3]
        pb += vals[4] + vals[5]
    return n, pk, ib, pb


def zeek_logs():
    logs = sorted(glob.glob(os.path.join(flows_dir, "zeek-logs", "**", "*conn*.log*"),
                            recursive=True))
    for path in logs:
        exp = zeek_expected(path)
        rc, flows, errs, err = run_flows([path])
        got = (len(flows), sum(f["orig"]["pkts"] + f["resp"]["pkts"] for f in flows),
               sum(f["orig"]["ip_bytes"] + f["resp"]["ip_bytes"] for f in flows),
               sum(f["orig"]["bytes"] + f["resp"]["bytes"] for f in flows))
        rep.ok(rc == 0 and not errs and got == exp and exp[0] > 0,
               "zeek %s: %d flows, %d pkts, %d IP bytes as in the log"
               % (os.path.relpath(path, flows_dir), got[0], got[1], got[2]),
               ["expected (flows, pkts, ip_bytes, bytes) %s, got %s %s" % (exp, got, err[:200])])


def stitching():
    nf = os.path.join(flows_dir, "akvorado-testdata", "netflow", "icmp-template.pcap")
    data = nf.replace("template", "data")
    rc, flows, _, _ = run_flows([nf, data])
    rc2, raw, _, _ = run_flows(["--no-stitch", nf, data])
    st = [f for f in flows if f["direction"] == "stitched"]
    rep.ok(rc == 0 and len(raw) == 2 * len(st) and st and
           all(f["resp"]["pkts"] > 0 for f in st),
           "ICMP echo request/reply records stitched into %d bidirectional flows" % len(st))


def stitch_settings():
    cap = os.path.join(flows_dir, "akvorado-testdata", "netflow", "data+templates.pcap")

    def counts(extra):
        rc, run = summary(extra + [cap])
        fi = run.get("flow_inputs", {})
        return rc, fi.get("records"), fi.get("stitched"), fi.get("one_way"), \
            fi.get("stitch_evicted")

    rc, n, st, ow, ev = counts([])
    rep.ok(rc == 0 and n == 21 and st == 1 and ow == 19 and ev == 0,
           "default stitch buffer: 1 pair stitched, 19 one-way, none evicted (%s)"
           % ((rc, n, st, ow, ev),))
    rc, n, st, ow, ev = counts(["--set", "flowin.max_stitch=1"])
    rep.ok(rc == 0 and n == 21 and st == 0 and ow == 21 and ev == 20,
           "flowin.max_stitch=1: the pair's first record is pushed out before its "
           "reverse comes, 20 evicted (%s)" % ((rc, n, st, ow, ev),))
    for cmd, kv, want in (("analyze", "flowin.max_stitch=0", b"flowin.max_stitch=0: must be"),
                          ("flows", "flowin.stitch_window=3601", b"flowin.stitch_window"),
                          ("flows", "flowin.max_templates=1.5", b"whole number"),
                          ("flows", "flowin.no_such_key=1", b"unknown setting")):
        rc, _, err = testlib.run([ASC, cmd, "--set", kv, cap])
        rep.ok(rc == 1 and want in err, "%s --set %s refused: exit %d, %s"
               % (cmd, kv, rc, err.decode(errors="replace").strip()[:100]))
    rc, _, err = testlib.run([ASC, "collect", "--netflow", "127.0.0.1:%d" % free_port(),
                              "--duration", "5", "--set", "flowin.hold_time=-1"], timeout=30)
    rep.ok(rc == 1 and b"flowin.hold_time" in err,
           "collect --set flowin.hold_time=-1 refused before listening: exit %d" % rc)


pmacct()
no_unknown_templates()
stitch_settings()
stitching()
zeek_logs()
exporters()
rep.finish()
