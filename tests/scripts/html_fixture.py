"""Test fixtures for the HTML report (t_html.py): adds a `statistics` array
to a real `ascribe analyze --json` document, following the statistics
contract (docs/schema/analyze.md, docs/report-html.md), so the renderer can
be checked on every table and chart kind before the statistics themselves
are computed by ascribe.

The figures here are simple aggregates of the document's own incidents
(sources and packets per country and AS, per grade), not a second
implementation of ascribe's statistics: they only need to be valid tables
with realistic shapes. `hostile=True` plants HTML in every kind of string
(AS names, titles, labels, notes, summaries, victims) to check escaping.

Not a test itself (the driver runs only t_*.py). Python 3.11 stdlib only.
"""

import copy

GRADES = ["verified", "consistent", "reflector", "spoofed", "relay"]
HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>&amp;\'</td>'

TABLE_IDS = [
    "attack_sources_by_country", "attack_sources_by_asn",
    "attack_sources_by_country_verified", "attack_sources_by_asn_verified",
    "attack_target_ports", "intrusion_attempts_by_country", "controllers_by_country",
    "controller_matrix", "known_bad_hosting_by_country", "known_bad_hosting_by_asn",
    "victims", "vectors", "timeline",
]


def _method(doc, unit, thresholds=None, notes=""):
    run = doc["run"]
    return {"vantage": "passive capture at one point", "inputs": list(run["inputs"]),
            "window": {"start": run["first"], "end": run["last"]}, "unit": unit,
            "grades": list(GRADES),
            "databases": [{"name": "libloc", "vendor": "IPFire Project",
                           "built": "2026-11-20T00:00:00Z"}],
            "thresholds": thresholds or {}, "notes": notes}


def _table(doc, tid, title, label, chart, columns, rows, unit="sources",
           thresholds=None, notes=""):
    return {"id": tid, "title": title, "label": label,
            "method": _method(doc, unit, thresholds, notes), "chart": chart,
            "columns": [dict(c) for c in columns], "rows": rows}


def _col(key, label, typ, grade=None):
    c = {"key": key, "label": label, "type": typ}
    if grade:
        c["grade"] = grade
    return c


def _by(doc, field, keyname, grades=GRADES, types=None):
    """Packets and sources per key (cc or asn) over the incidents, per grade."""
    agg = {}
    for inc in doc["incidents"]:
        if types and inc["type"] not in types:
            continue
        for g in inc.get(field, []):
            k = g[keyname]
            a = agg.setdefault(k, {"pkts": 0, "src": 0, "grade": dict.fromkeys(GRADES, 0),
                                   "name": g.get("as_name", "")})
            for gr in grades:
                a["pkts"] += g["pkts"][gr]
                a["src"] += g["sources"][gr]
                a["grade"][gr] += g["sources"][gr]
    return agg


def _share_rows(agg, key_is_asn, with_name=False):
    tp = sum(a["pkts"] for a in agg.values()) or 1
    ts = sum(a["src"] for a in agg.values()) or 1
    rows = []
    for k, a in agg.items():
        if a["pkts"] == 0 and a["src"] == 0:
            continue
        row = [k] + ([a["name"]] if with_name else [])
        row += [a["pkts"], round(a["pkts"] / tp, 4), a["src"], round(a["src"] / ts, 4)]
        row += [a["grade"][g] for g in GRADES]
        rows.append(row)
    rows.sort(key=lambda r: (-r[2 if with_name else 1], str(r[0])))
    return rows


def _source_cols(key_col, with_name=False):
    cols = [key_col]
    if with_name:
        cols.append(_col("as_name", "AS name", "string"))
    cols += [_col("attempts", "Attempts", "int"),
             _col("attempt_share", "Share of attempts", "share"),
             _col("sources", "Sources", "int"),
             _col("source_share", "Share of sources", "share")]
    cols += [_col(g, g, "int", g) for g in GRADES]
    return cols


def add_statistics(doc, hostile=False, empty=False):
    """Return a copy of doc with schema_version 3 and a statistics array."""
    d = copy.deepcopy(doc)
    d["schema_version"] = 3
    cc_col = _col("cc", "Country", "cc")
    asn_col = _col("asn", "AS", "asn")
    by_cc = _by(d, "by_country", "cc")
    by_asn = _by(d, "by_asn", "asn")
    ver_cc = _by(d, "by_country", "cc", grades=["verified", "consistent"])
    ver_asn = _by(d, "by_asn", "asn", grades=["verified", "consistent"])
    intr = _by(d, "by_country", "cc", types=("bruteforce", "scan"))
    unit = "connection attempts (packets for floods, probes for scans, attempts for brute force)"
    label = "by source IP, not attribution"
    t = []
    t.append(_table(d, "attack_sources_by_country", "Attack traffic by source country", label,
                    "grade_bars", _source_cols(cc_col), _share_rows(by_cc, False), unit,
                    {"min_sources": 1}))
    t.append(_table(d, "attack_sources_by_asn", "Attack traffic by source AS", label,
                    "grade_bars", _source_cols(asn_col, True), _share_rows(by_asn, True, True),
                    unit))
    t.append(_table(d, "attack_sources_by_country_verified",
                    "Attack traffic by source country, verified and consistent sources", label,
                    "map", _source_cols(cc_col), _share_rows(ver_cc, False), unit))
    t.append(_table(d, "attack_sources_by_asn_verified",
                    "Attack traffic by source AS, verified and consistent sources", label,
                    "grade_bars", _source_cols(asn_col, True), _share_rows(ver_asn, True, True),
                    unit))
    ports = {}
    for inc in d["incidents"]:
        for p in inc["ports"]:
            ports[p] = ports.get(p, 0) + 1
    t.append(_table(d, "attack_target_ports", "Top target ports", "", "table",
                    [_col("port", "Port", "int"), _col("incidents", "Incidents", "int")],
                    sorted(([p, n] for p, n in ports.items()), key=lambda r: (-r[1], r[0])),
                    "incidents"))
    t.append(_table(d, "intrusion_attempts_by_country", "Intrusion attempts by source country",
                    label, "grade_bars", _source_cols(cc_col), _share_rows(intr, False), unit))
    ctl = [["US", 3, 0.5, 7, 0.5833], ["RU", 2, 0.3333, 4, 0.3333], ["", 1, 0.1667, 1, 0.0833]]
    t.append(_table(d, "controllers_by_country", "Controllers by country", "", "grade_bars",
                    [cc_col, _col("controllers", "Controllers", "int"),
                     _col("controller_share", "Share of controllers", "share"),
                     _col("hosts", "Controlled hosts", "int"),
                     _col("host_share", "Share of controlled hosts", "share")], ctl,
                    "distinct controller addresses"))
    mat = [["US", "CN", 5], ["US", "DE", 2], ["RU", "CN", 3], ["RU", "AW", 1], ["", "CN", 1]]
    t.append(_table(d, "controller_matrix", "Controller country x bot country", "", "matrix",
                    [_col("controller_cc", "Controller country", "cc"),
                     _col("bot_cc", "Bot country", "cc"), _col("hosts", "Hosts", "int")], mat,
                    "controlled hosts"))
    t.append(_table(d, "known_bad_hosting_by_country", "Known-bad hosting by country", "",
                    "map", [cc_col, _col("hosts", "Listed hosts", "int"),
                            _col("host_share", "Share", "share"),
                            _col("density", "Per routed /24", "float")],
                    [["NL", 4, 0.5, 0.0123], ["AW", 2, 0.25, 1.5], ["", 2, 0.25, 0.0]],
                    "listed addresses", {"prior_weight": 100}))
    t.append(_table(d, "known_bad_hosting_by_asn", "Known-bad hosting by AS", "", "table",
                    [asn_col, _col("as_name", "AS name", "string"),
                     _col("hosts", "Listed hosts", "int"),
                     _col("density", "Per routed /24", "float"),
                     _col("shrunk", "Shrunk density", "float")],
                    [[64500, "EXAMPLE-AS", 3, 0.75, 0.0421], [0, "", 1, 0.0, 0.0]],
                    "listed addresses"))
    vic = {}
    for inc in d["incidents"]:
        if inc["victim"]:
            v = vic.setdefault(inc["victim"], [inc["victim"], 0, 0, 0.0])
            v[1] += 1
            v[2] += inc["pkts"]
            v[3] = max(v[3], inc["severity"])
    t.append(_table(d, "victims", "Victims", "", "table",
                    [_col("addr", "Victim", "addr"), _col("incidents", "Incidents", "int"),
                     _col("pkts", "Attack packets", "int"),
                     _col("max_severity", "Highest severity", "float")],
                    sorted(vic.values(), key=lambda r: (-r[2], r[0])), "incidents"))
    vec = {}
    for inc in d["incidents"]:
        v = vec.setdefault(inc["vector"], [inc["vector"], 0, 0, inc["start"]])
        v[1] += 1
        v[2] += inc["pkts"]
        v[3] = min(v[3], inc["start"])
    t.append(_table(d, "vectors", "Vectors", "", "table",
                    [_col("vector", "Vector", "string"), _col("incidents", "Incidents", "int"),
                     _col("pkts", "Packets", "int"), _col("first", "First seen", "time")],
                    sorted(vec.values(), key=lambda r: (-r[2], r[0])), "incidents"))
    run = d["run"]
    bin_s = 60
    start = int(run["first"]) // bin_s * bin_s
    bins = []
    t0 = start
    while t0 <= run["last"] and len(bins) < 2000:
        att = sum(inc["pkts"] for inc in d["incidents"]
                  if inc["start"] < t0 + bin_s and inc["end"] >= t0) // 4
        bins.append([float(t0), 1000 + att * 2 + (len(bins) % 7) * 50,
                     (1000 + att) * 120, att])
        t0 += bin_s
    t.append(_table(d, "timeline", "Traffic over time", "", "timeline",
                    [_col("t", "Bin start", "time"), _col("pkts", "Packets", "int"),
                     _col("bytes", "Bytes", "int"), _col("attack_pkts", "Attack packets", "int")],
                    bins, "packets per bin", {"bin_seconds": bin_s}))
    assert [x["id"] for x in t] == TABLE_IDS
    if empty:
        for x in t:
            x["rows"] = []
    if hostile:
        for x in t:
            x["title"] += HOSTILE
            x["method"]["notes"] = HOSTILE
            x["method"]["thresholds"][HOSTILE] = 1
        t[0]["label"] = HOSTILE
        for row in t[1]["rows"]:
            row[1] = "AS-" + HOSTILE
        t[9]["rows"][0][1] = HOSTILE
        t[10]["rows"].append([HOSTILE, 1, 1, 0.5])
        for inc in d["incidents"]:
            inc["summary"] = HOSTILE + inc["summary"]
            inc["community_ids"].append(HOSTILE)
            inc["evidence_file"] = "extract/" + HOSTILE + ".pcap"
        d["run"]["inputs"].append(HOSTILE)
    d["statistics"] = t
    return d
