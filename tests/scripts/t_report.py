#!/usr/bin/env python3
"""The statistics section of `ascribe analyze --json` and `--csv DIR`.

On every labelled attack capture under pcap/attack/{ddos,scan,bruteforce}:

- every table of the contract is present, in order, with its keys in order
  and its documented columns;
- each statistic is recomputed here from the incidents of the same JSON
  document (and, for the timeline, from tshark's frame times and lengths)
  by a separate implementation of the rules in docs/report.md, and must be
  equal to ascribe's;
- the CSV files hold the same rows as the JSON;
- two runs give byte-identical JSON and CSV;
- the document validates against docs/schema/analyze.schema.json (JSON
  Schema draft 2020-12, python3-jsonschema >= 4.10), and a document with a
  broken table does not.

On the DDoS captures the reflector sources per country must equal the
registration countries (libloc, Debian's `location lookup`) of the sources
tshark lists for the vector's packets to the victim.

The shrinkage and the controller tables (which need intel incidents no
capture has yet) are unit-tested in tests/unit/test_report.c.
"""
import collections
import csv
import decimal
import filecmp
import glob
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

GRADES = ["verified", "consistent", "reflector", "spoofed", "relay"]
TYPES = ["flood", "scan", "backscatter", "bruteforce", "beacon", "exfil", "intel"]
ATTACK = {"flood", "scan", "bruteforce"}
IDS = ["attack_sources_by_country", "attack_sources_by_asn",
       "attack_sources_by_country_verified", "attack_sources_by_asn_verified",
       "attack_target_ports", "intrusion_attempts_by_country", "controllers_by_country",
       "controller_matrix", "known_bad_hosting_by_country", "known_bad_hosting_by_asn",
       "victims", "vectors", "timeline"]
TABLE_KEYS = ["id", "title", "label", "method", "chart", "columns", "rows"]
METHOD_KEYS = ["vantage", "inputs", "window", "unit", "grades", "databases", "thresholds",
               "notes"]
CHARTS = {"grade_bars", "map", "matrix", "timeline", "table"}
COL_TYPES = {"string", "cc", "asn", "addr", "int", "float", "share", "time"}

# Reflector floods: capture -> tshark filters of the vector's packets to the
# victim (as in t_detect.py), one per incident.
REFLECT = {
    "amp.TCP.reflection.SYNACK.pcap":
        ["ip.dst==10.10.10.10 && tcp.flags.syn==1 && tcp.flags.ack==1"],
    "amp.UDP.isakmp.pcap":
        ["ip.dst==10.10.10.10 && (udp.srcport==500 || udp.srcport==4500) && !icmp"],
    "amp.UDP.snmp.src161.pcapng": ["ip.dst==10.10.10.10 && udp.srcport==161 && !icmp"],
    "amp.UDP.bacnet.IOT.37810.pcapng":
        ["ip.dst==10.10.10.1 && udp.srcport==47808 && !icmp",
         "ip.dst==10.10.10.1 && udp.srcport==37810 && !icmp"],
}

NS = decimal.Decimal(10) ** 9


def ns(v):
    return int(decimal.Decimal(v) * NS)


def share(a, t):
    return float("%.4f" % (a / t)) if t else 0.0


def flt(v):
    return float("%.10g" % v)


def analyze(binary, path, out_json, csv_dir):
    return testlib.run([binary, "analyze", "--no-progress", "--json", out_json, "--csv", csv_dir,
                        path], timeout=600)


def load(path):
    with open(path) as f:
        return json.load(f, parse_float=decimal.Decimal)


def num(v):
    return float(v) if isinstance(v, decimal.Decimal) else v


# ---- independent recomputation from the incidents ---------------------------

def attack_groups(incs, key, mask):
    rows, names = {}, {}
    for inc in incs:
        if inc["type"] not in ATTACK:
            continue
        for g in inc["by_country" if key == "cc" else "by_asn"]:
            k = g[key]
            r = rows.setdefault(k, {"att": 0, "src": 0, "g": [0] * 5})
            if key == "asn" and not names.get(k) and g.get("as_name"):
                names[k] = g["as_name"]
            for i, gr in enumerate(GRADES):
                if gr in mask:
                    r["att"] += g["pkts"][gr]
                    r["src"] += g["sources"][gr]
                r["g"][i] += g["sources"][gr]
    rows = {k: r for k, r in rows.items() if r["att"] or r["src"]}
    ta = sum(r["att"] for r in rows.values())
    ts = sum(r["src"] for r in rows.values())
    out = []
    for k, r in rows.items():
        head = [k] if key == "cc" else [k, names.get(k, "")]
        out.append(head + [r["att"], share(r["att"], ta), r["src"], share(r["src"], ts)]
                   + [r["g"][i] for i, gr in enumerate(GRADES) if gr in mask])
    n = 1 if key == "cc" else 2
    out.sort(key=lambda row: (-row[n], -row[n + 2], row[0]))
    return out


def proto_name(p):
    return {6: "tcp", 17: "udp", 132: "sctp"}.get(p, str(p))


def target_ports(incs):
    rows = {}
    for inc in incs:
        if inc["type"] not in ATTACK:
            continue
        for p in inc["ports"]:
            k = (proto_name(inc["ip_proto"]), p)
            r = rows.setdefault(k, [k[0], p, 0, 0, 0] + [0] * 5)
            r[2] += 1
            r[3] += inc["sources"]
            if inc["victim_port"] == p:
                r[4] += inc["pkts"]
            for i, gr in enumerate(GRADES):
                r[5 + i] += inc["grades"][gr]
    return sorted(rows.values(), key=lambda r: (-r[2], -r[4], r[0], r[1]))


def intrusion(incs):
    rows = {}
    for inc in incs:
        bf = inc["type"] == "bruteforce"
        probe = inc["type"] == "scan" and inc["victim_port"] != 0
        if not bf and not probe:
            continue
        for g in inc["by_country"]:
            r = rows.setdefault(g["cc"], {"bf": 0, "pr": 0, "g": [0] * 5})
            tot = sum(g["pkts"].values())
            r["bf" if bf else "pr"] += tot
            for i, gr in enumerate(GRADES):
                r["g"][i] += g["sources"][gr]
    rows = {k: r for k, r in rows.items() if r["bf"] or r["pr"] or sum(r["g"])}
    ta = sum(r["bf"] + r["pr"] for r in rows.values())
    ts = sum(sum(r["g"]) for r in rows.values())
    out = []
    for k, r in rows.items():
        a, s = r["bf"] + r["pr"], sum(r["g"])
        out.append([k, a, share(a, ta), s, share(s, ts), r["bf"], r["pr"]] + r["g"])
    out.sort(key=lambda row: (-row[1], -row[3], row[0]))
    return out


def addr_key(a):
    if not a:
        return (1, 0, b"", a)
    ip = ipaddress.ip_address(a)
    return (0, ip.version, ip.packed, a)


def add_common(r, inc, first):
    r["pkts"] += inc["pkts"]
    r["bytes"] += inc["bytes"]
    r["peak"] = inc["peak_pps"] if first else max(r["peak"], inc["peak_pps"])
    r["first"] = ns(inc["start"]) if first else min(r["first"], ns(inc["start"]))
    r["last"] = ns(inc["end"]) if first else max(r["last"], ns(inc["end"]))
    r["src"] += inc["sources"]
    for i, gr in enumerate(GRADES):
        r["g"][i] += inc["grades"][gr]


def victims(incs):
    rows = {}
    for inc in incs:
        v = inc["victim"]
        first = v not in rows
        r = rows.setdefault(v, {"n": 0, "types": set(), "pkts": 0, "bytes": 0, "peak": 0,
                                "first": 0, "last": 0, "sev": 0, "src": 0, "g": [0] * 5})
        r["n"] += 1
        r["types"].add(inc["type"])
        r["sev"] = inc["severity"] if first else max(r["sev"], inc["severity"])
        add_common(r, inc, first)
    out = [[v, r["n"], ",".join(t for t in TYPES if t in r["types"]), r["pkts"], r["bytes"],
            r["peak"], r["first"], r["last"], r["sev"], r["src"]] + r["g"]
           for v, r in rows.items()]
    out.sort(key=lambda row: (-row[3], addr_key(row[0])))
    return out


def vectors(incs):
    rows = {}
    for inc in incs:
        k = (inc["type"], inc["vector"])
        first = k not in rows
        r = rows.setdefault(k, {"n": 0, "vict": 0, "pkts": 0, "bytes": 0, "peak": 0,
                                "first": 0, "last": 0, "src": 0, "g": [0] * 5})
        r["n"] += 1
        r["vict"] += inc["victims"]
        add_common(r, inc, first)
    out = [[k[0], k[1], r["n"], r["vict"], r["pkts"], r["bytes"], r["peak"], r["first"],
            r["last"], r["src"]] + r["g"] for k, r in rows.items()]
    out.sort(key=lambda row: (-row[4], row[0], row[1]))
    return out


def tshark_frames(path):
    r = subprocess.run(["tshark", "-n", "-r", path, "-T", "fields", "-e", "frame.time_epoch",
                        "-e", "frame.len"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True, timeout=600)
    out = []
    for line in r.stdout.splitlines():
        t, _, n = line.partition("\t")
        out.append((ns(t), int(n)))
    return out


def cum(pkts, s, e, x):
    if x <= s:
        return 0
    if x >= e:
        return pkts
    return pkts * (x - s) // (e - s)


def timeline(frames, incs, w):
    if not frames:
        return []
    base = max(frames[0][0], 0) // w
    bins = {}
    for t, n in frames:
        i = max(0, max(t, 0) // w - base)
        b = bins.setdefault(i, [0, 0])
        b[0] += 1
        b[1] += n
    nb = max(bins) + 1
    att = [0] * nb
    for inc in incs:
        if inc["type"] not in ATTACK:
            continue
        s, e, p = ns(inc["start"]), ns(inc["end"]), inc["pkts"]
        b0 = min(max(max(s, 0) // w - base, 0), nb - 1)
        b1 = min(max(max(e, 0) // w - base, 0), nb - 1)
        if e <= s or b0 == b1:
            att[b0] += p
            continue
        for b in range(b0, b1 + 1):
            lo = s if b == b0 else (base + b) * w
            hi = e if b == b1 else (base + b + 1) * w
            att[b] += cum(p, s, e, hi) - cum(p, s, e, lo)
    return [[(base + i) * w] + bins.get(i, [0, 0]) + [att[i]] for i in range(nb)]


# ---- comparison ----------------------------------------------------------------

def normalize(table):
    """ascribe's rows with times as integer nanoseconds and numbers as Python
    numbers."""
    types = [c["type"] for c in table["columns"]]
    out = []
    for row in table["rows"]:
        out.append([ns(v) if t == "time" else num(v) for v, t in zip(row, types)])
    return out


def same_rows(got, want, loose=()):
    """Equal, except float columns in `loose` (rounded to 1 decimal in the
    incidents JSON) may differ by 0.05."""
    if len(got) != len(want):
        return False
    for g, w in zip(got, want):
        if len(g) != len(w):
            return False
        for i, (a, b) in enumerate(zip(g, w)):
            if i in loose:
                if abs(float(a) - float(b)) > 0.0500001:
                    return False
            elif isinstance(b, float) and i not in loose:
                if float(a) != b:
                    return False
            elif a != b:
                return False
    return True


def diff(got, want):
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return ["row %d: ascribe %s" % (i, g), "row %d: here    %s" % (i, w)]
    return ["rows: ascribe %d, here %d" % (len(got), len(want))]


def check_shape(rep, name, doc):
    st = doc.get("statistics")
    if not rep.ok(isinstance(st, list) and [t.get("id") for t in st] == IDS,
                  "%s: statistics has the %d tables in order" % (name, len(IDS)),
                  [] if isinstance(st, list) and [t.get("id") for t in st] == IDS else
                  ["got: %s" % ([t.get("id") for t in st] if isinstance(st, list) else st)]):
        return False
    bad = []
    for t in st:
        if list(t) != TABLE_KEYS or list(t["method"]) != METHOD_KEYS:
            bad.append("%s: keys %s / %s" % (t["id"], list(t), list(t["method"])))
        if t["chart"] not in CHARTS:
            bad.append("%s: chart %s" % (t["id"], t["chart"]))
        for c in t["columns"]:
            if c["type"] not in COL_TYPES or ("grade" in c and c["grade"] not in GRADES):
                bad.append("%s: column %s" % (t["id"], c))
        if any(len(r) != len(t["columns"]) for r in t["rows"]):
            bad.append("%s: a row with the wrong width" % t["id"])
        if t["chart"] == "map" and not any(c["type"] == "cc" for c in t["columns"]):
            bad.append("%s: map without a cc column" % t["id"])
        w = t["method"]["window"]
        if ns(w["start"]) != ns(doc["run"]["first"]) or ns(w["end"]) != ns(doc["run"]["last"]):
            bad.append("%s: window is not the run's" % t["id"])
    keys = {t["id"]: [c["key"] for c in t["columns"]] for t in st}
    if keys["controller_matrix"] != ["controller_cc", "bot_cc", "hosts"]:
        bad.append("controller_matrix columns %s" % keys["controller_matrix"])
    if keys["timeline"] != ["t", "pkts", "bytes", "attack_pkts"]:
        bad.append("timeline columns %s" % keys["timeline"])
    return rep.ok(not bad and doc["schema_version"] == 3,
                  "%s: schema_version 3; table keys, charts and column types as documented"
                  % name, bad[:5])


def check_csv(rep, name, doc, csv_dir):
    bad = []
    for t in doc["statistics"]:
        p = os.path.join(csv_dir, t["id"] + ".csv")
        if not os.path.exists(p):
            bad.append("missing %s" % p)
            continue
        with open(p, newline="") as f:
            rows = list(csv.reader(f))
        if rows[0] != [c["key"] for c in t["columns"]]:
            bad.append("%s: header %s" % (t["id"], rows[0]))
        body = rows[1:]
        if len(body) != len(t["rows"]):
            bad.append("%s: %d CSV rows, %d JSON rows" % (t["id"], len(body), len(t["rows"])))
            continue
        for cr, jr in zip(body, t["rows"]):
            for c, cv, jv in zip(t["columns"], cr, jr):
                if c["type"] in ("string", "cc", "addr"):
                    ok = cv == jv
                else:
                    ok = decimal.Decimal(cv) == decimal.Decimal(jv)
                if not ok:
                    bad.append("%s.%s: CSV %r, JSON %r" % (t["id"], c["key"], cv, jv))
    rep.ok(not bad, "%s: CSV files hold the JSON rows" % name, bad[:5])


def check_stats(rep, name, path, doc):
    incs = doc["incidents"]
    tabs = {t["id"]: t for t in doc["statistics"]}
    want = {
        "attack_sources_by_country": attack_groups(incs, "cc", GRADES),
        "attack_sources_by_asn": attack_groups(incs, "asn", GRADES),
        "attack_sources_by_country_verified": attack_groups(incs, "cc", GRADES[:2]),
        "attack_sources_by_asn_verified": attack_groups(incs, "asn", GRADES[:2]),
        "attack_target_ports": target_ports(incs),
        "intrusion_attempts_by_country": intrusion(incs),
        "victims": victims(incs),
        "vectors": vectors(incs),
    }
    loose = {"victims": (5, 8), "vectors": (6,)}
    for tid, rows in want.items():
        got = normalize(tabs[tid])
        good = same_rows(got, rows, loose.get(tid, ()))
        rep.ok(good, "%s: %s (%d rows) equals the recomputation from the incidents"
               % (name, tid, len(rows)), [] if good else diff(got, rows))
    if not any(i["type"] == "intel" for i in incs):
        rep.ok(all(not tabs[t]["rows"] for t in ("controllers_by_country", "controller_matrix",
                                                  "known_bad_hosting_by_country",
                                                  "known_bad_hosting_by_asn")),
               "%s: no known-bad contact, so the controller and hosting tables are empty"
               % name)
    tl = tabs["timeline"]
    w = ns(tl["method"]["thresholds"]["bin_seconds"])
    rows = timeline(tshark_frames(path), incs, w)
    got = normalize(tl)
    rep.ok(got == rows and 0 < len(rows) <= 300,
           "%s: timeline (%d bins of %s s) equals tshark's frames per bin and the incidents' "
           "packets spread over their duration" % (name, len(rows), tl["method"]["thresholds"]
                                                  ["bin_seconds"]),
           [] if got == rows else diff(got, rows))
    rep.ok(sum(r[1] for r in got) == doc["run"]["frames"] and
           sum(r[3] for r in got) == sum(i["pkts"] for i in incs if i["type"] in ATTACK),
           "%s: timeline totals are the run's frames and the attack incidents' packets" % name)


def check_reflectors(rep, name, path, doc, names):
    import t_detect  # noqa: E402
    import t_lookup_libloc as ll  # noqa: E402
    per = collections.Counter()
    for flt_ in REFLECT[name]:
        srcs = sorted(set(t_detect.tshark_srcs(path, flt_)))
        got, errored, lost = ll.location_lookup(srcs, names)
        per.update((got.get(a) or {}).get("country") or "" for a in srcs)
    tab = next(t for t in doc["statistics"] if t["id"] == "attack_sources_by_country")
    col = [c["key"] for c in tab["columns"]].index("reflector")
    mine = {r[0]: r[col] for r in tab["rows"] if r[col]}
    tot = sum(per.values())
    mtot = sum(mine.values())
    bad = ["%s: ascribe %d (%.4f), libloc %d (%.4f)" % (cc, mine.get(cc, 0),
                                                         mine.get(cc, 0) / max(mtot, 1),
                                                         per.get(cc, 0), per.get(cc, 0) / tot)
           for cc in sorted(set(per) | set(mine)) if mine.get(cc, 0) != per.get(cc, 0)]
    rep.ok(tot > 0 and not bad,
           "%s: reflector sources per country (%d countries, %d sources) equal libloc's "
           "registration countries of tshark's sources" % (name, len(per), tot), bad[:6])


def load_schema(rep):
    try:
        import jsonschema
    except ImportError:
        if testlib.in_ci():
            rep.ok(False, "python3-jsonschema is installed (scripts/deps)")
        else:
            rep.note("SKIP schema checks: python3-jsonschema missing (scripts/deps)")
        return None
    with open(os.path.join(testlib.REPO, "docs", "schema", "analyze.schema.json")) as f:
        schema = json.load(f)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        rep.ok(False, "analyze.schema.json is a valid draft 2020-12 schema", [str(e)[:300]])
        return None
    return jsonschema.Draft202012Validator(schema)


def check_schema(rep, name, validator, path):
    with open(path) as f:
        doc = json.load(f)
    errs = ["%s: %s" % (list(e.absolute_path), e.message[:200])
            for e in validator.iter_errors(doc)]
    rep.ok(not errs, "%s: the JSON validates against docs/schema/analyze.schema.json" % name,
           errs[:5])
    broken = json.loads(json.dumps(doc))
    broken["statistics"][0]["columns"][0]["type"] = "percent"
    del broken["statistics"][-1]["method"]["window"]
    n = len(list(validator.iter_errors(broken)))
    rep.ok(n >= 2, "%s: the schema rejects a bad column type and a missing window (%d errors)"
           % (name, n))


def check_terminal(rep, binary, path, doc):
    """The terminal report: 100 columns, no colour off a terminal, the tables
    in order, 10 rows each (--verbose: all), none with --quiet."""
    name = os.path.basename(path)
    outs = {}
    for flag in ("", "-q", "-v"):
        rc, out, _ = testlib.run([binary, "analyze", "--no-progress"] + ([flag] if flag else [])
                                 + [path])
        outs[flag] = out.decode("utf-8", "replace")
    lines = outs[""].splitlines() + outs["-v"].splitlines()
    rep.ok(all(len(l) <= 100 for l in lines) and "\033" not in outs[""] + outs["-v"],
           "%s: terminal report fits 100 columns, no colour when not a terminal" % name,
           [l for l in lines if len(l) > 100][:3])
    titles = [t["title"] for t in doc["statistics"]]
    pos = [outs[""].find("\n" + t + "\n") for t in titles]
    rep.ok(all(p > 0 for p in pos) and pos == sorted(pos) and
           outs[""].find("Incidents (") < pos[0],
           "%s: incidents first, then every statistics table in order" % name)
    rep.ok(not any(t in outs["-q"] for t in titles) and "Incidents (" in outs["-q"],
           "%s: --quiet shows the incidents and no table" % name)
    big = max(doc["statistics"][:2], key=lambda t: len(t["rows"]))
    first = [r[0] for r in big["rows"]]
    sect = outs["-v"].split("\n" + big["title"] + "\n")[1].split("\n\n")[0]
    shown = [l.split()[0] for l in sect.splitlines()[2:]
             if not l.lstrip().startswith(("(", "..."))]
    sect_n = outs[""].split("\n" + big["title"] + "\n")[1].split("\n\n")[0]
    rep.ok(len(first) > 10 and [str(x) for x in first] == shown and
           "... %d more rows (--verbose)" % (len(first) - 10) in sect_n,
           "%s: %s shows 10 of %d rows, --verbose all of them, in the JSON order"
           % (name, big["id"], len(first)))


def captures(data):
    out = []
    for sub in ("ddos", "scan", "bruteforce"):
        for p in sorted(glob.glob(os.path.join(data, sub, "**", "*"), recursive=True)):
            if os.path.isfile(p) and p.endswith((".pcap", ".pcapng", ".trace")):
                out.append(p)
    return out


def main():
    rep = testlib.Reporter()
    data = testlib.require_data(rep, "pcap/attack")
    binary = testlib.require_bin(rep)
    have_loc = shutil.which("location") and os.path.exists("/var/lib/location/database.db")
    if not have_loc:
        if testlib.in_ci():
            rep.ok(False, "location(8) and its database are installed (scripts/deps)")
        else:
            rep.note("SKIP reflector checks: location(8) or its database missing")
    names = None
    if have_loc:
        import t_lookup_libloc as ll  # noqa: E402
        names = ll.country_names()
    validator = load_schema(rep)
    tmp = tempfile.mkdtemp(prefix="t_report.")
    try:
        for path in captures(data):
            name = os.path.relpath(path, data)
            j1, j2 = os.path.join(tmp, "a.json"), os.path.join(tmp, "b.json")
            c1, c2 = os.path.join(tmp, "csv1"), os.path.join(tmp, "csv2")
            rc1, _, err1 = analyze(binary, path, j1, c1)
            rc2, _, _ = analyze(binary, path, j2, c2)
            if not rep.ok(rc1 in (0, 2) and rc2 == rc1, "%s: analyze exits %d" % (name, rc1),
                          [err1.decode("utf-8", "replace")[-300:]] if rc1 not in (0, 2) else []):
                continue
            doc = load(j1)
            files = sorted(os.listdir(c1))
            same_csv = files == sorted(os.listdir(c2)) and all(
                filecmp.cmp(os.path.join(c1, f), os.path.join(c2, f), shallow=False)
                for f in files)
            rep.ok(filecmp.cmp(j1, j2, shallow=False) and same_csv and len(files) == len(IDS),
                   "%s: two runs give byte-identical JSON and %d CSV files" % (name, len(files)))
            if validator is not None:
                check_schema(rep, name, validator, j1)
            if check_shape(rep, name, doc):
                check_csv(rep, name, doc, c1)
                check_stats(rep, name, path, doc)
                base = os.path.basename(path)
                if names is not None and base in REFLECT:
                    check_reflectors(rep, base, path, doc, names)
                if base == "amp.UDP.isakmp.pcap":
                    check_terminal(rep, binary, path, doc)
            shutil.rmtree(c1, ignore_errors=True)
            shutil.rmtree(c2, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rep.finish()


if __name__ == "__main__":
    main()
