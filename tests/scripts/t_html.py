#!/usr/bin/env python3
"""The HTML report (`ascribe analyze --html`, `ascribe html`) in a real browser.

Documents: (1) real `analyze --json` output on labelled attack captures
(DDoS, brute force, scan) merged in one run, and on the generated demo
capture when build/gencap exists; (2) the same documents with a statistics
array added by html_fixture.py (every table kind of the statistics
contract), (3) with every table empty, (4) with HTML planted in every kind
of string. Each page is loaded in headless Chromium (Debian's `chromium`,
no sandbox, no GPU, background networking off) and checked on the DOM the
browser built (`--dump-dom`):

- every figure and table is present (ids fig-*, t-*, m-*, s-*), empty
  tables show "no data" instead of a figure;
- every number shown equals the JSON: table cells (data-value and the
  visible text), incident rows (sorted most severe first), bar segments per
  grade, map tiles, heat-map cells, timeline marks;
- hostile strings come out as text: no script, img or on* attribute in the
  DOM, and the planted text is there verbatim;
- the page references nothing outside itself (no http:, https:, // in any
  src/href, no script, link, img, @import or url());
- reruns are byte-identical (analyze twice, `ascribe html` on the saved
  JSON, with and without --json), and the browser's DOM of two renders is
  identical;
- a screenshot at 1280 px is saved under build/test-html/.

Under CI=true a missing chromium or test data folder is a failure.
"""
import html.parser
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import html_fixture  # noqa: E402
import testlib  # noqa: E402

CAPTURES = [
    "ddos/amp.UDP.isakmp.pcap",
    "ddos/amp.TCP.reflection.SYNACK.pcap",
    "ddos/pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng",
    "bruteforce/zeek-ftp-bruteforce.pcap",
    "scan",
]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]
FIGURE_CHARTS = ("grade_bars", "map", "matrix", "timeline")
VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed",
        "source", "track", "wbr", "param"}


# ---- a small DOM -----------------------------------------------------------

class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children = []

    def text(self):
        out = []
        for c in self.children:
            out.append(c if isinstance(c, str) else c.text())
        return "".join(out)

    def walk(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.walk()

    def find_all(self, pred):
        return [n for n in self.walk() if pred(n)]

    def by_id(self, i):
        r = self.find_all(lambda n: n.attrs.get("id") == i)
        return r[0] if r else None


class DomBuilder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse_dom(text):
    b = DomBuilder()
    b.feed(text)
    b.close()
    return b.root


# ---- helpers ---------------------------------------------------------------

def chromium_bin():
    for name in ("chromium", "chromium-browser"):
        p = shutil.which(name)
        if p:
            return p
    return None


def dump_dom(chrome, path):
    r = subprocess.run([chrome, *CHROMIUM_FLAGS, "--dump-dom", "file://" + path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return r.returncode, r.stdout.decode("utf-8", "replace")


def num_equal(shown, value):
    """data-value text against the JSON value: exact for ints and reals."""
    if isinstance(value, bool):
        return shown == ("true" if value else "false")
    if isinstance(value, int):
        return shown == str(value)
    if isinstance(value, float):
        try:
            return float(shown) == value
        except ValueError:
            return False
    return shown == value


def fmt_time(t):
    s = math.floor(t)
    ms = min(int((t - s) * 1000), 999)
    return datetime.fromtimestamp(s, timezone.utc).strftime("%Y-%m-%d %H:%M:%S") + ".%03d" % ms


def visible_ok(text, value, typ):
    """The visible text of a cell is the JSON value as a person reads it."""
    text = text.strip()
    if isinstance(value, str):
        if typ == "cc" and value == "":
            return text == "unknown"
        return text == value
    if typ == "share":
        return text.endswith("%") and abs(float(text[:-1]) / 100 - value) <= 0.000051
    if typ == "time":
        return text == fmt_time(value)
    if typ == "asn":
        return text == ("unknown" if value == 0 else "AS%d" % value)
    if typ == "float" or isinstance(value, float):
        return abs(float(text.replace(",", "")) - value) <= max(0.051, abs(value) * 1e-3)
    return text.replace(",", "") == str(value)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


# ---- checks ----------------------------------------------------------------

class Quiet:
    """Reporter wrapper that prints detail lines only for failed checks."""

    def __init__(self, rep):
        self.rep = rep

    def ok(self, cond, msg, details=()):
        return self.rep.ok(cond, msg, () if cond else details)

    def note(self, msg):
        self.rep.note(msg)


class Collect:
    """Reporter stand-in that only records the outcome (negative control)."""

    def __init__(self):
        self.failed = []

    def ok(self, cond, msg, details=()):
        if not cond:
            self.failed.append(msg)
        return cond


def check_tables(rep, name, dom, doc):
    stats = doc.get("statistics")
    if stats is None:
        rep.ok(dom.by_id("no-statistics") is not None,
               "%s: a document without statistics says so" % name)
        return
    missing, bad = [], []
    for t in stats:
        tid = t["id"]
        for pre in ("s-", "m-", "t-"):
            if dom.by_id(pre + tid) is None:
                missing.append(pre + tid)
        fig = dom.by_id("fig-" + tid)
        if t["chart"] in FIGURE_CHARTS:
            if fig is None:
                missing.append("fig-" + tid)
            elif not t["rows"] and t["chart"] != "timeline" and \
                    (fig.tag != "p" or "no data" not in fig.text()):
                bad.append("fig-%s: empty table but no 'no data'" % tid)
        if tid == "attack_sources_by_country" and t["chart"] != "map" and \
                dom.by_id("fig-map") is None:
            missing.append("fig-map")
        table = dom.by_id("t-" + tid)
        if table is None:
            continue
        heads = [th.attrs.get("data-key") for th in table.find_all(lambda n: n.tag == "th")]
        if heads != [c["key"] for c in t["columns"]]:
            bad.append("t-%s: header keys %s" % (tid, heads))
        rows = table.find_all(lambda n: n.tag == "tr" and "data-row" in n.attrs)
        if len(rows) != min(len(t["rows"]), 500):
            bad.append("t-%s: %d rows shown, JSON has %d" % (tid, len(rows), len(t["rows"])))
        if not t["rows"] and "no data" not in table.text():
            bad.append("t-%s: empty table without 'no data'" % tid)
        for tr in rows:
            r = int(tr.attrs["data-row"])
            cells = tr.find_all(lambda n: n.tag == "td")
            for c, col in enumerate(t["columns"]):
                v = t["rows"][r][c]
                td = cells[c] if c < len(cells) else None
                if td is None or td.attrs.get("data-key") != col["key"] or \
                        not num_equal(td.attrs.get("data-value"), v) or \
                        not visible_ok(td.text(), v, col["type"]):
                    bad.append("t-%s row %d %s: shown %r/%r, JSON %r" % (
                        tid, r, col["key"], td and td.attrs.get("data-value"),
                        td and td.text(), v))
    rep.ok(not missing, "%s: every statistics section, method, table and figure present" % name,
           missing[:10])
    rep.ok(not bad, "%s: every table cell equals the JSON (%d tables)" % (name, len(stats)),
           bad[:10])


def check_incidents(rep, name, dom, doc):
    incs = doc["incidents"]
    rows = dom.find_all(lambda n: n.tag == "tr" and "inc" in n.attrs.get("class", "").split())
    details = {n.attrs["data-detail"]: n for n in dom.find_all(
        lambda n: n.tag == "tr" and "data-detail" in n.attrs)}
    bad = []
    if len(rows) != len(incs):
        bad.append("%d incident rows, JSON has %d" % (len(rows), len(incs)))
    expect = sorted(range(len(incs)), key=lambda i: (-incs[i]["severity"], incs[i]["start"], i))
    shown = [int(r.attrs["data-index"]) for r in rows]
    if shown != expect[:len(shown)]:
        bad.append("order %s, expected most severe first %s" % (shown, expect))
    for tr in rows:
        inc = incs[int(tr.attrs["data-index"])]
        for td in tr.find_all(lambda n: n.tag == "td" and "data-value" in n.attrs):
            k = td.attrs["data-key"]
            if not num_equal(td.attrs["data-value"], inc[k]):
                bad.append("incident %s %s: %r != %r" % (tr.attrs["data-index"], k,
                                                         td.attrs["data-value"], inc[k]))
            typ = {"start": "time", "end": "time"}.get(k, "int")
            if k == "severity":
                ok = td.text().strip() == "%.1f" % inc[k]
            else:
                ok = visible_ok(td.text(), inc[k], typ)
            if not ok:
                bad.append("incident %s %s: shown %r, JSON %r" % (tr.attrs["data-index"], k,
                                                                  td.text(), inc[k]))
        for sp in tr.find_all(lambda n: "data-grade" in n.attrs):
            if not num_equal(sp.attrs["data-value"], inc["grades"][sp.attrs["data-grade"]]):
                bad.append("incident grade %s" % sp.attrs["data-grade"])
        det = details.get(tr.attrs["data-row"])
        if det is None:
            bad.append("incident %s: no detail row" % tr.attrs["data-index"])
            continue
        summ = det.find_all(lambda n: n.attrs.get("data-key") == "summary")
        if not summ or summ[0].text() != inc["summary"]:
            bad.append("incident %s: summary %r" % (tr.attrs["data-index"],
                                                    summ and summ[0].text()))
        cids = [n.text() for n in det.find_all(
            lambda n: n.attrs.get("data-key") == "community_id")]
        if cids != inc["community_ids"]:
            bad.append("incident %s: community ids %s" % (tr.attrs["data-index"], cids))
        ef = [n.text() for n in det.find_all(lambda n: n.attrs.get("data-key") ==
                                             "evidence_file")]
        if ef != ([inc["evidence_file"]] if inc["evidence_file"] else []):
            bad.append("incident %s: evidence file %s" % (tr.attrs["data-index"], ef))
    rep.ok(not bad, "%s: %d incidents, most severe first, numbers and evidence equal the JSON"
           % (name, len(incs)), bad[:10])


def check_figures(rep, name, dom, doc):
    bad = []
    incs = doc["incidents"]
    tl = dom.by_id("fig-timeline")
    if tl is None:
        bad.append("no fig-timeline")
    elif incs or doc.get("statistics"):
        marks = tl.find_all(lambda n: n.attrs.get("class") == "incident")
        order = sorted(range(len(incs)), key=lambda i: (-incs[i]["severity"], incs[i]["start"], i))
        if len(marks) != min(len(incs), 16):
            bad.append("timeline: %d incident marks for %d incidents" % (len(marks), len(incs)))
        for m in marks:
            inc = incs[order[int(m.attrs["data-incident"]) - 1]]
            if not (num_equal(m.attrs["data-start"], inc["start"]) and
                    num_equal(m.attrs["data-end"], inc["end"])):
                bad.append("timeline mark %s times" % m.attrs["data-incident"])
    for t in doc.get("statistics") or []:
        fig = dom.by_id("fig-" + t["id"])
        if not t["rows"] or fig is None:
            continue
        cols = [c["key"] for c in t["columns"]]
        if t["chart"] == "grade_bars":
            vcol = next((i for i, c in enumerate(t["columns"]) if c["type"] == "share"), None)
            for g in fig.find_all(lambda n: n.attrs.get("class") == "bar"):
                row = t["rows"][int(g.attrs["data-row"])]
                if vcol is not None and not num_equal(g.attrs["data-value"], row[vcol]):
                    bad.append("%s bar %s value" % (t["id"], g.attrs["data-row"]))
                for seg in g.find_all(lambda n: "data-grade" in n.attrs):
                    if not num_equal(seg.attrs["data-value"], row[cols.index(
                            seg.attrs["data-grade"])]):
                        bad.append("%s bar %s grade %s" % (t["id"], g.attrs["data-row"],
                                                           seg.attrs["data-grade"]))
            nbars = len(fig.find_all(lambda n: n.attrs.get("class") == "bar"))
            if nbars != min(15, len(t["rows"])):
                bad.append("%s: %d bars" % (t["id"], nbars))
        if t["chart"] == "map" or t["id"] == "attack_sources_by_country":
            mfig = fig if t["chart"] == "map" else dom.by_id("fig-map")
            bad += check_map(t, mfig)
        if t["chart"] == "matrix":
            want = {(r[0], r[1]): r[2] for r in t["rows"]}
            cells = fig.find_all(lambda n: n.attrs.get("class") == "cell")
            for c in cells:
                k = (c.attrs["data-row-key"], c.attrs["data-col-key"])
                if k not in want or not num_equal(c.attrs["data-value"], want[k]):
                    bad.append("matrix cell %s" % (k,))
            if len(cells) != len(want):
                bad.append("matrix: %d cells for %d pairs" % (len(cells), len(want)))
    rep.ok(not bad, "%s: figures (timeline, bars per grade, map, heat map) show the JSON's "
           "numbers" % name, bad[:10])


def check_map(t, fig):
    bad = []
    if fig is None:
        return ["no map figure for %s" % t["id"]]
    ci = next(i for i, c in enumerate(t["columns"]) if c["type"] == "cc")
    vi = next(i for i, c in enumerate(t["columns"]) if c["type"] == "share")
    want = {r[ci]: r[vi] for r in t["rows"]}
    tiles = fig.find_all(lambda n: n.attrs.get("class") == "tile")
    pos, codes = set(), set()
    for g in tiles:
        rect = g.find_all(lambda n: n.tag == "rect")[0]
        pos.add((rect.attrs["x"], rect.attrs["y"]))
        codes.add(g.attrs["data-cc"])
    if len(pos) != len(tiles) or len(codes) != len(tiles) or len(tiles) < 190:
        bad.append("map: %d tiles, %d positions, %d codes" % (len(tiles), len(pos), len(codes)))
    seen = set()
    for g in fig.find_all(lambda n: "data-cc" in n.attrs and "data-value" in n.attrs):
        cc = g.attrs["data-cc"]
        seen.add(cc)
        if cc not in want or not num_equal(g.attrs["data-value"], want[cc]):
            bad.append("map %s: %s" % (cc, g.attrs["data-value"]))
    if seen != set(want):
        bad.append("map shows %s, JSON has %s" % (sorted(seen), sorted(want)))
    return bad


def check_self_contained(rep, name, raw, dom):
    bad = []
    low = raw.lower()
    for s in ("http:", "https:", "@import", "url("):
        if s in low:
            bad.append("raw page contains %r" % s)
    for n in dom.walk():
        if n.tag in ("script", "link", "img", "iframe", "object", "embed"):
            bad.append("<%s> element" % n.tag)
        for k, v in n.attrs.items():
            if k.startswith("on"):
                bad.append("%s attribute on <%s>" % (k, n.tag))
            if k in ("src", "href", "xlink:href", "action") and v and not v.startswith("#"):
                bad.append("%s=%r on <%s>" % (k, v, n.tag))
    rep.ok(not bad, "%s: self-contained (no script, no external reference)" % name, bad[:10])


def check_page(rep, chrome, name, path, doc):
    rc, dom_text = dump_dom(chrome, path)
    if not rep.ok(rc == 0 and "</html>" in dom_text, "%s: chromium renders the page" % name,
                  ["exit %d" % rc]):
        return None
    dom = parse_dom(dom_text)
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    check_self_contained(rep, name, raw, dom)
    check_incidents(rep, name, dom, doc)
    check_tables(rep, name, dom, doc)
    check_figures(rep, name, dom, doc)
    return dom, dom_text


def analyze(binary, inputs, extra):
    return testlib.run([binary, "analyze", "--no-progress", *extra, *inputs], timeout=300)


def main():
    top = testlib.Reporter()
    rep = Quiet(top)
    binary = testlib.require_bin(top)
    chrome = chromium_bin()
    if chrome is None:
        if testlib.in_ci():
            rep.ok(False, "chromium is installed (CI=true: a missing browser is a failure; "
                   "scripts/deps installs it)")
        else:
            rep.note("SKIP: chromium not found (apt-get install chromium); "
                     "under CI=true this is a failure")
        top.finish()
    data = testlib.require_data(top, "pcap/attack")
    inputs = []
    for c in CAPTURES:
        p = os.path.join(data, c)
        if os.path.isdir(p):
            inputs += sorted(os.path.join(p, f) for f in os.listdir(p)
                             if f.endswith((".pcap", ".pcapng")))
        elif os.path.exists(p):
            inputs.append(p)
    out_dir = os.path.join(testlib.REPO, "build", "test-html")
    os.makedirs(out_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="t_html.")
    try:
        runs = [("attack", inputs)]
        gencap = os.path.join(testlib.REPO, "build", "gencap")
        if os.access(gencap, os.X_OK):
            demo = os.path.join(tmp, "demo.pcap")
            rc, _, err = testlib.run([gencap, "--scenario", "demo", "-o", demo], timeout=120)
            if rep.ok(rc == 0, "gencap writes the demo capture", [err.decode()[-300:]]):
                runs.append(("demo", [demo]))
        for i, (name, ins) in enumerate(runs):
            run_one(rep, chrome, binary, name, ins, tmp, out_dir, all_variants=i == 0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    top.finish()


def negative_control(rep, label, path, doc):
    """The checks must catch a page that differs from its JSON: change one
    table number, one incident number and one bar value in the HTML text and
    check the parsed page again (no browser needed for this)."""
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    t = next(x for x in doc["statistics"] if x["rows"] and x["chart"] == "grade_bars")
    tampered = []
    row = t["rows"][0]
    cell = 'data-key="%s" data-value="%s">' % (t["columns"][-1]["key"], row[-1])
    i = raw.find('id="t-%s"' % t["id"])
    j = raw.find(cell, i)
    tampered.append(raw[:j] + cell.replace('"%s"' % row[-1], '"%s"' % (row[-1] + 1)) +
                    raw[j + len(cell):] if j > 0 else None)
    inc = next(iter(sorted(doc["incidents"], key=lambda x: -x["severity"])), None)
    if inc:
        cell = 'data-key="pkts" data-value="%d">' % inc["pkts"]
        tampered.append(raw.replace(cell, 'data-key="pkts" data-value="%d">' %
                                    (inc["pkts"] + 1), 1))
    tampered.append(raw.replace('<g class="bar" data-row="0" data-value="',
                                '<g class="bar" data-row="0" data-value="9', 1))
    caught = []
    for page in tampered:
        if page is None or page == raw:
            caught.append(False)
            continue
        c = Collect()
        dom = parse_dom(page)
        check_incidents(c, label, dom, doc)
        check_tables(c, label, dom, doc)
        check_figures(c, label, dom, doc)
        caught.append(bool(c.failed))
    rep.ok(all(caught), "%s: the checks catch a tampered table cell, incident number and bar "
           "(negative control)" % label, ["caught %s" % caught])


def check_errors(rep, binary, ins, tmp):
    """Bad documents and unwritable outputs are errors (exit 1, a message)."""
    bad = os.path.join(tmp, "bad.json")
    out = os.path.join(tmp, "bad.html")
    results = []
    for text in ('{"run":1}', "garbage", '{"incidents":[]}', ""):
        with open(bad, "w") as f:
            f.write(text)
        rc, _, err = testlib.run([binary, "html", "-o", out, bad])
        results.append((text, rc, b"ascribe html" in err))
    rc, _, err = analyze(binary, ins[:1], ["--html", os.path.join(tmp, "no", "such", "x.html")])
    results.append(("unwritable --html", rc, b"cannot open" in err))
    rep.ok(all(rc == 1 and msg for _, rc, msg in results),
           "not-an-analyze-document and an unwritable --html path exit 1 with a message",
           ["%r: exit %d, message %s" % r for r in results])


def run_one(rep, chrome, binary, name, ins, tmp, out_dir, all_variants):
    j1, h1 = os.path.join(tmp, name + ".json"), os.path.join(tmp, name + ".html")
    h2, h3 = os.path.join(tmp, name + "-2.html"), os.path.join(tmp, name + "-3.html")
    rc, _, err = analyze(binary, ins, ["--json", j1, "--html", h1])
    if not rep.ok(rc in (0, 2) and os.path.exists(h1), "%s: analyze --json --html (%d inputs)"
                  % (name, len(ins)), [err.decode()[-300:]]):
        return
    rc2, _, _ = analyze(binary, ins, ["--html", h2])
    rc3, _, err3 = testlib.run([binary, "html", "-o", h3, j1])
    same = [open(p, "rb").read() for p in (h1, h2, h3)]
    rep.ok(rc2 == rc and rc3 == 0 and same[0] == same[1] == same[2],
           "%s: byte-identical HTML from a rerun without --json and from `ascribe html`" % name,
           [err3.decode()[-200:]])
    with open(j1) as f:
        doc = json.load(f)
    rep.note("%s: %d incidents, schema_version %s" % (name, len(doc["incidents"]),
                                                      doc["schema_version"]))
    rep.ok(len(doc["incidents"]) > 0, "%s: the captures give incidents to render" % name)
    if all_variants:
        check_errors(rep, binary, ins, tmp)
    check_page(rep, chrome, name + " (real JSON)", h1, doc)
    variants = [("stats", {})]
    if all_variants:
        variants += [("empty", {"empty": True}), ("hostile", {"hostile": True})]
    for vname, kw in variants:
        vdoc = html_fixture.add_statistics(doc, **kw)
        vj, vh = os.path.join(tmp, "%s-%s.json" % (name, vname)), \
            os.path.join(tmp, "%s-%s.html" % (name, vname))
        with open(vj, "w") as f:
            json.dump(vdoc, f)
        rc, _, err = testlib.run([binary, "html", "-o", vh, vj])
        if not rep.ok(rc == 0, "%s/%s: ascribe html renders the fixture" % (name, vname),
                      [err.decode()[-300:]]):
            continue
        label = "%s/%s" % (name, vname)
        res = check_page(rep, chrome, label, vh, vdoc)
        if vname == "hostile" and res:
            dom = res[0]
            txt = dom.text()
            rep.ok(txt.count(html_fixture.HOSTILE) >= len(vdoc["statistics"]) +
                   len(vdoc["incidents"]),
                   "%s: planted HTML is shown as text, verbatim" % label)
        if vname == "stats" and res:
            negative_control(rep, label, vh, vdoc)
            if all_variants:
                vh2 = vh + ".2.html"
                testlib.run([binary, "html", "-o", vh2, vj])
                rc2, dom2 = dump_dom(chrome, vh2)
                rep.ok(open(vh, "rb").read() == open(vh2, "rb").read() and dom2 == res[1],
                       "%s: two renders give the same bytes and the same browser DOM" % label)
                continue
            shot = os.path.join(out_dir, "%s-report.png" % name)
            if os.path.exists(shot):
                os.unlink(shot)
            r = subprocess.run([chrome, *CHROMIUM_FLAGS, "--screenshot=" + shot,
                                "--window-size=1280,2000", "file://" + h1],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
            size = png_size(shot) if os.path.exists(shot) else None
            rep.ok(r.returncode == 0 and size == (1280, 2000),
                   "%s: screenshot of the real report at 1280 px saved as %s" % (name, os.path.relpath(
                       shot, testlib.REPO)), ["size %s" % (size,)])
            shutil.copy(h1, os.path.join(out_dir, "%s-report.html" % name))


if __name__ == "__main__":
    main()
