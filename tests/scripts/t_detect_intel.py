#!/usr/bin/env python3
"""Known-bad contact detector (src/detect/intel.c) and the run's database
metadata (run.databases), end to end.

1. A generated capture (tests/scripts/gen_intel_pcap.py) in which local
   hosts talk to addresses taken from the real intel lists in
   $ASCRIBE_DATA/intel (the first C2 of the abuse.ch Feodo CSV, an address
   in the first Spamhaus DROP network of the FireHOL 2026-08 snapshot, the
   first Tor exit of the 2024-02-27 list) and from a list this test writes
   (an IPv4 address, an IPv6 /32 and, again, the DROP address). Expected
   incidents are computed here from the packets the generator wrote and
   from an independent parser of the list files: one incident per listed
   address, its lists (name, category, date) in list order, the vector
   (category of the first list), direction, hosts (most bytes first, at
   most 64), victims, packets, bytes, flows, first/last seen, and the
   grade of the indicator (Tor exit: relay; answered: verified).
2. --set intel.max_indicators=2 keeps two indicators and counts the rest.
3. run.databases: the intel lists with their entries (independent count)
   and answers, the libloc database with `location version`'s date, a
   registry file with its line count.
4. Every capture under $ASCRIBE_DATA/pcap analysed with every real intel
   list loaded: no crash (exit 0 or 2), valid JSON, intel incidents well
   formed, and two runs byte-identical.
"""
import concurrent.futures
import glob
import ipaddress
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


# ---- independent list parser ----------------------------------------------

def parse_list(path):
    """Set of ip_network for a plain/FireHOL/Tor list or the Feodo CSV."""
    nets = []
    csv_col = None
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith('"'):
                cols = [c.strip('"') for c in line.split(",")]
                if csv_col is None and "dst_ip" in cols:
                    csv_col = cols.index("dst_ip")
                    continue
                tok = cols[csv_col] if csv_col is not None else cols[0]
            else:
                tok = line.split()[0]
            try:
                nets.append(ipaddress.ip_network(tok, strict=False))
            except ValueError:
                pass
    return nets


def listed(nets, addr):
    a = ipaddress.ip_address(addr)
    return any(a.version == n.version and a in n for n in nets)


def analyze(binary, args, timeout=600):
    r = subprocess.run([binary, "analyze", "--no-progress", "--json", "-", *args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def norm(a):
    return str(ipaddress.ip_address(a))


# ---- expected incidents from the generator's packet record ------------------

def expected(packets, base, lists, special=False):
    """lists: [(name, category, date, nets)] in --intel order."""
    ind = {}
    for p in packets:
        t = base + p["t_us"] / 1e6
        for me, other in ((p["src"], p["dst"]), (p["dst"], p["src"])):
            hit = [(n, c, d) for n, c, d, nets in lists if listed(nets, me)]
            if not hit or (not special and not ipaddress.ip_address(me).is_global):
                continue
            e = ind.setdefault(norm(me), {"lists": hit, "pkts": 0, "bytes": 0, "conns": set(),
                                          "dir": set(), "hosts": {}, "first": t, "last": t,
                                          "back": False})
            e["pkts"] += 1
            e["bytes"] += p["ip_len"]
            e["conns"].add(p["conn"])
            e["first"], e["last"] = min(e["first"], t), max(e["last"], t)
            e["dir"].add("inbound" if norm(p["opener"]) == norm(me) else "outbound")
            h = e["hosts"].setdefault(norm(other), {"pkts": 0, "bytes": 0, "first": t, "last": t})
            h["pkts"] += 1
            h["bytes"] += p["ip_len"]
            h["first"], h["last"] = min(h["first"], t), max(h["last"], t)
    # "answered": the listed side both sent and received in one connection
    for addr, e in ind.items():
        by_conn = {}
        for p in packets:
            if norm(p["src"]) == addr:
                by_conn.setdefault(p["conn"], set()).add("s")
            elif norm(p["dst"]) == addr:
                by_conn.setdefault(p["conn"], set()).add("r")
        e["answered"] = any(v == {"s", "r"} for v in by_conn.values())
    return ind


VECTORS = {"c2", "drop", "tor", "scanner", "phishing", "proxy", "malware", "spam", "other"}


def check_incident(rep, inc, e, addr):
    ii = inc.get("intel", {})
    bad = []
    want_lists = [{"name": n, "category": c, "date": d} for n, c, d in e["lists"]][:4]
    if ii.get("lists") != want_lists:
        bad.append("lists %s, want %s" % (ii.get("lists"), want_lists))
    want_vec = e["lists"][0][1] if e["lists"][0][1] in VECTORS else "other"
    if inc["vector"] != want_vec:
        bad.append("vector %s, want %s" % (inc["vector"], want_vec))
    d = e["dir"]
    want_dir = "both" if len(d) == 2 else next(iter(d))
    if ii.get("direction") != want_dir:
        bad.append("direction %s, want %s" % (ii.get("direction"), want_dir))
    for k, v in (("pkts", e["pkts"]), ("bytes", e["bytes"]), ("flows", len(e["conns"])),
                 ("victims", len(e["hosts"])), ("sources", 1)):
        if inc[k] != v:
            bad.append("%s %s, want %s" % (k, inc[k], v))
    for k in ("start", "end"):
        want = e["first"] if k == "start" else e["last"]
        if abs(inc[k] - want) > 2e-6:
            bad.append("%s %.6f, want %.6f" % (k, inc[k], want))
    hosts = sorted(e["hosts"].items(), key=lambda kv: (-kv[1]["bytes"],
                                                       ipaddress.ip_address(kv[0]).version,
                                                       ipaddress.ip_address(kv[0]).packed))
    hosts = hosts[:64]
    got = ii.get("hosts", [])
    if [h["addr"] for h in got] != [a for a, _ in hosts]:
        bad.append("hosts %s, want %s" % ([h["addr"] for h in got][:5],
                                          [a for a, _ in hosts][:5]))
    else:
        for g, (a, w) in zip(got, hosts):
            if (g["pkts"], g["bytes"]) != (w["pkts"], w["bytes"]) or \
                    abs(g["first"] - w["first"]) > 2e-6 or abs(g["last"] - w["last"]) > 2e-6:
                bad.append("host %s: %s, want %s" % (a, g, w))
                break
    want_victim = hosts[0][0] if len(e["hosts"]) == 1 else ""
    if inc["victim"] != want_victim:
        bad.append("victim %r, want %r" % (inc["victim"], want_victim))
    top = inc["top_sources"]
    if len(top) != 1 or top[0]["addr"] != addr:
        bad.append("top_sources %s" % top)
    else:
        is_tor = any(c == "tor" for _, c, _ in e["lists"])
        want_grade = "relay" if is_tor else "verified" if e["answered"] else None
        if want_grade and top[0]["grade"] != want_grade:
            bad.append("grade %s, want %s" % (top[0]["grade"], want_grade))
    rep.ok(not bad, "%s: %s incident as computed from the packets (%d hosts, %d flows, %s)"
           % (addr, inc["vector"], len(e["hosts"]), len(e["conns"]), want_dir), bad)


def scenario(rep, binary, intel, tmp):
    feodo = os.path.join(intel, "abusech-feodo", "feodo-ipblocklist-2024-04-04.csv")
    drop = os.path.join(intel, "firehol-snapshot-2026-08", "spamhaus_drop.netset")
    tor = os.path.join(intel, "tor-2024-02-27", "tor-exit-nodes.lst")
    feodo_nets, drop_nets, tor_nets = parse_list(feodo), parse_list(drop), parse_list(tor)
    c2 = str(feodo_nets[0].network_address)
    drop_addr = str(drop_nets[0].network_address + 1)
    tor_addr = str(tor_nets[0].network_address)
    extra, extra6 = "93.184.216.34", "2a01:4f8:1:2::3"
    own = os.path.join(tmp, "testlist.txt")
    with open(own, "w") as fh:
        fh.write("# written by t_detect_intel.py\n%s\n2a01:4f8::/32\n%s/32\n10.0.0.0/8\n"
                 "not-an-address!\n" % (extra, drop_addr))
    with open(feodo) as fh:
        m = re.search(r"Last updated: (\d{4}-\d{2}-\d{2})", fh.read())
    lists = [("testlist", "phishing", "2025-10-09", parse_list(own)),
             ("feodo-ipblocklist-2024-04-04", "c2", m.group(1) if m else "", feodo_nets),
             ("spamhaus_drop", "drop", "2026-03-12", drop_nets),
             ("tor_exits", "tor", "2024-02-27", tor_nets)]
    specs = ["testlist,phishing,2025-10-09=" + own, feodo,
             "spamhaus_drop,drop,2026-03-12=" + drop, "tor_exits,tor,2024-02-27=" + tor]
    pcap = os.path.join(tmp, "intel.pcap")
    r = subprocess.run([sys.executable, os.path.join(HERE, "gen_intel_pcap.py"), pcap, c2,
                        drop_addr, tor_addr, extra, extra6], stderr=subprocess.PIPE)
    if not rep.ok(r.returncode == 0, "gen_intel_pcap.py wrote the scenario capture",
                  [r.stderr.decode()[-300:]]):
        return
    with open(pcap + ".packets.json") as fh:
        rec = json.load(fh)
    exp = expected(rec["packets"], rec["base"], lists)
    rep.ok(set(exp) == {norm(a) for a in (c2, drop_addr, tor_addr, extra, extra6)},
           "the reference finds the five listed addresses in the capture (%s)" % sorted(exp))
    args = [a for s in specs for a in ("--intel", s)] + [pcap]
    rc, out, err = analyze(binary, args)
    if not rep.ok(rc == 0, "analyze with 4 intel lists exits 0", [err.decode()[-400:]]):
        return
    doc = json.loads(out)
    incs = [i for i in doc["incidents"] if i["type"] == "intel"]
    got = {i["intel"]["indicator"]: i for i in incs}
    rep.ok(len(incs) == len(exp) and set(got) == set(exp),
           "one intel incident per listed address: %d (want %d)" % (len(incs), len(exp)),
           ["got %s" % sorted(got)])
    order = [i["intel"]["indicator"] for i in incs]
    want_order = sorted(exp, key=lambda a: (exp[a]["first"], ipaddress.ip_address(a).version,
                                            ipaddress.ip_address(a).packed))
    rep.ok(order == want_order, "incidents in first-seen order", ["%s" % order])
    for addr in want_order:
        if addr in got:
            check_incident(rep, got[addr], exp[addr], addr)
    rep.ok("malformed line" in err.decode() and "testlist.txt:6" in err.decode(),
           "the malformed line of the test list is reported as file:line",
           [err.decode()[-300:]])
    rc2, out2, _ = analyze(binary, args)
    rep.ok(rc2 == 0 and out2 == out, "two runs give byte-identical JSON")
    databases(rep, doc, lists, exp, specs)

    # the cap on tracked indicators
    rc, out, err = analyze(binary, ["--set", "intel.max_indicators=2"] + args)
    ok = rc == 0
    if ok:
        incs = [i for i in json.loads(out)["incidents"] if i["type"] == "intel"]
        p = incs[0]["detector"]["params"] if incs else {}
        ok = (len(incs) == 2 and all(i["intel"]["indicator"] in exp for i in incs)
              and p.get("indicators_dropped", 0) > 0 and p.get("max_indicators") == 2)
    rep.ok(ok, "intel.max_indicators=2: two incidents, the rest counted as dropped",
           [err.decode()[-200:]])
    # special-purpose addresses (10.0.0.0/8 is on the test list) only with intel.special=1
    exp_sp = expected(rec["packets"], rec["base"], lists, special=True)
    rc, out, err = analyze(binary, ["--set", "intel.special=1"] + args)
    got_sp = {i["intel"]["indicator"] for i in json.loads(out)["incidents"]
              if i["type"] == "intel"} if rc == 0 else set()
    rep.ok(got_sp == set(exp_sp) and len(exp_sp) > len(exp) + 70,
           "intel.special=1: the listed private hosts become indicators too (%d incidents, "
           "want %d; %d without it)" % (len(got_sp), len(exp_sp), len(exp)))
    rc, out, err = analyze(binary, ["--set", "intel.max_indicators=0"] + args)
    rep.ok(rc == 1 and b"max_indicators" in err, "intel.max_indicators=0 is refused")
    rc, out, _ = analyze(binary, ["--set", "intel.enabled=0"] + args)
    rep.ok(rc == 0 and not [i for i in json.loads(out)["incidents"] if i["type"] == "intel"],
           "intel.enabled=0 switches the detector off")


def databases(rep, doc, lists, exp, specs):
    dbs = doc["run"].get("databases")
    if not rep.ok(isinstance(dbs, list), "run.databases is an array"):
        return
    keys = ["name", "kind", "path", "vendor", "description", "built", "entries", "lookups",
            "answered", "routed_source"]
    rep.ok(all(list(d)[:len(keys)] == keys for d in dbs), "every database has the keys in order",
           [str(list(d)) for d in dbs[:2]])
    intel = [d for d in dbs if d["kind"] == "intel"]
    bad = []
    # The report's statistics also look up the hosts on the other side (the
    # controlled hosts' countries); a list that holds some of them answers
    # those lookups too.
    hosts = {h["addr"] for i in doc["incidents"] if i["type"] == "intel"
             for h in i["intel"]["hosts"]}
    for d, (n, c, dt, nets), spec in zip(intel, lists, specs):
        want_hits = sum(1 for a in exp if any(x[0] == n for x in exp[a]["lists"]))
        held = sum(1 for h in hosts if listed(nets, h))
        want_built = dt + "T00:00:00Z" if dt else ""
        if (d["name"], d["category"], d["built"], d["entries"]) != (n, c, want_built, len(nets)):
            bad.append("%s: %s" % (n, d))
        if not want_hits <= d["answered"] <= want_hits + held or d["lookups"] < d["answered"]:
            bad.append("%s: answered %d of %d lookups, want %d listed indicators looked up "
                       "(+ up to %d listed hosts)" % (n, d["answered"], d["lookups"], want_hits,
                                                      held))
    rep.ok(len(intel) == len(lists) and not bad,
           "run.databases: the 4 intel lists with name, category, date, entries (counted "
           "here) and answers (the indicators each holds, and listed hosts the report looked up)", bad)
    loc = [d for d in dbs if d["kind"] == "libloc"]
    if not loc:
        rep.note("no libloc database opened; libloc metadata not checked")
        return
    r = subprocess.run(["location", "version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    import email.utils
    import datetime
    want = ""
    try:
        t = email.utils.parsedate_to_datetime(r.stdout.strip())
        want = t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        pass
    d = loc[0]
    rep.ok(d["name"] == "libloc" and d["built"] == want and d["vendor"] == "IPFire Project"
           and d["entries"] > 100000 and 0 < d["answered"] <= d["lookups"]
           and d["routed_source"] is True,
           "run.databases: libloc built %s as `location version` says, vendor, networks, "
           "answers" % want, [json.dumps(d)])


def registry_entries(rep, binary, data, pcap):
    f = os.path.join(data, "geo", "iptoasn-sample", "ip2asn-v4.sample.tsv")
    if not os.path.exists(f):
        rep.note("no iptoasn sample; registry metadata not checked")
        return
    with open(f) as fh:
        n = sum(1 for line in fh if line.strip() and not line.startswith("#"))
    rc, out, err = analyze(binary, ["--no-default-db", "--registry", f, pcap])
    d = json.loads(out)["run"]["databases"] if rc == 0 else []
    rep.ok(len(d) == 1 and d[0]["kind"] == "iptoasn" and d[0]["entries"] == n
           and d[0]["path"] == f and d[0]["routed_source"] is True,
           "run.databases: a registry table with its %d lines as entries" % n,
           [err.decode()[-200:], json.dumps(d)])
    rc, out, err = analyze(binary, ["--no-default-db", pcap])
    rep.ok(rc == 0 and json.loads(out)["run"]["databases"] == [],
           "run.databases is empty with --no-default-db and no database")


# ---- every real capture with every real list ------------------------------

def real_lists(intel):
    exts = (".csv", ".ipset", ".netset", ".lst")
    return sorted(p for p in glob.glob(os.path.join(intel, "**", "*"), recursive=True)
                  if p.endswith(exts))


def one_capture(binary, lists, path):
    args = [a for s in lists for a in ("--intel", s)] + path
    rc1, o1, e1 = analyze(binary, args, timeout=300)
    rc2, o2, _ = analyze(binary, args, timeout=300)
    problems = []
    if rc1 not in (0, 2) or rc1 != rc2:
        problems.append("exit %d/%d: %s" % (rc1, rc2, e1.decode(errors="replace")[-200:]))
    elif o1 != o2:
        problems.append("two runs differ")
    else:
        try:
            doc = json.loads(o1)
        except ValueError as e:
            return path, ["bad JSON: %s" % e], 0
        n = 0
        for inc in doc["incidents"]:
            if inc["type"] != "intel":
                continue
            n += 1
            ii = inc["intel"]
            if (inc["vector"] not in VECTORS or not ii["lists"] or len(ii["hosts"]) > 64
                    or len(inc["top_sources"]) != 1
                    or inc["top_sources"][0]["addr"] != ii["indicator"]
                    or ii["direction"] not in ("outbound", "inbound", "both")):
                problems.append("malformed intel incident %s" % json.dumps(inc)[:200])
        return path, problems, n
    return path, problems, 0


def all_captures(rep, binary, data, intel):
    """Each attack and benign capture on its own; the ~830 small malformed
    ones merged into one run (analyze reads several inputs in time order)."""
    lists = real_lists(intel)
    caps = sorted(p for p in glob.glob(os.path.join(data, "pcap", "**", "*"), recursive=True)
                  if os.path.isfile(p) and not p.endswith((".md", ".json", ".tsv")))
    malformed = [p for p in caps if os.sep + "malformed" + os.sep in p]
    jobs = [[p] for p in caps if p not in malformed] + ([malformed] if malformed else [])
    bad, hits = [], {}
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        for path, problems, n in ex.map(lambda p: one_capture(binary, lists, p), jobs):
            path = path[0] if len(path) == 1 else "pcap/malformed (%d files)" % len(path)
            path = os.path.relpath(path, data) if path.startswith(data) else path
            if problems:
                bad.append("%s: %s" % (path, problems[0]))
            if n:
                hits[path] = n
    rep.ok(not bad, "%d captures under pcap/ with all %d real intel lists: no crash, valid "
           "JSON, well-formed intel incidents, byte-identical reruns" % (len(caps), len(lists)),
           bad[:10])
    for k in sorted(hits):
        rep.note("%s: %d intel incidents" % (k, hits[k]))


def main():
    rep = testlib.Reporter()
    binary = testlib.require_bin(rep)
    intel = testlib.require_data(rep, "intel")
    data = testlib.data_dir()
    tmp = testlib.cache_dir("detect_intel")
    scenario(rep, binary, intel, tmp)
    registry_entries(rep, binary, data, os.path.join(tmp, "intel.pcap"))
    testlib.require_data(rep, "pcap")
    all_captures(rep, binary, data, intel)
    rep.finish()


if __name__ == "__main__":
    main()
