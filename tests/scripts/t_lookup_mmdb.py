#!/usr/bin/env python3
"""MaxMind DB backend: answers against the source JSON the test databases
were built from, and clean errors on every broken file.

1. For GeoIP2-City, GeoIP2-Country, GeoIP2-ISP, GeoLite2-ASN and
   GeoLite2-Country test databases: the first and the last address of every
   network in source-json/ must give the country (country.iso_code, else
   registered_country.iso_code), AS number and name and network flags the
   record holds (the most specific source network wins where they nest).
   One `ascribe lookup --json --no-default-db --geo F` per database, with
   every address in it; GeoLite2-ASN also through --asn.
2. Every other valid/ database opens and answers; two runs are
   byte-identical. The four deliberately broken files in valid/ must fail.
3. Every bad/**.mmdb, an empty file, truncated copies, random bytes, and
   files of the wrong format given as --libloc (an .mmdb, random bytes,
   truncated copies of the libloc database) exit 1 with a message naming
   the file and nothing on stdout; the same under the ASan+UBSan build
   (ASCRIBE_ASAN_BIN, default build-asan/ascribe) with no sanitizer report.
"""

import ipaddress
import json
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

SOURCES = ["GeoIP2-City-Test", "GeoIP2-Country-Test", "GeoIP2-ISP-Test",
           "GeoLite2-ASN-Test", "GeoLite2-Country-Test"]
BROKEN_IN_VALID = {"GeoIP2-City-Test-Broken-Double-Format.mmdb",
                   "GeoIP2-City-Test-Invalid-Node-Count.mmdb",
                   "MaxMind-DB-test-broken-pointers-24.mmdb",
                   "MaxMind-DB-test-broken-search-tree-24.mmdb"}
FLAG_KEYS = {
    "is_anycast": "anycast", "is_anonymous_proxy": "anon_proxy",
    "is_public_proxy": "anon_proxy", "is_anonymous_vpn": "anon_proxy",
    "is_residential_proxy": "anon_proxy", "is_satellite_provider": "satellite",
    "is_hosting_provider": "hosting", "is_tor_exit_node": "tor",
}
DB_FLAGS = set(FLAG_KEYS.values())
SPECIAL = {"private", "reserved", "bogon"}
LIBLOC_DB = "/var/lib/location/database.db"


def as_network(text):
    """Source JSON network -> ip_network; '::a.b.c.d/n' (n >= 96) is IPv4."""
    n = ipaddress.ip_network(text, strict=False)
    if n.version == 6 and n.prefixlen >= 96 and int(n.network_address) >> 32 == 0:
        return ipaddress.ip_network("%s/%d" % (ipaddress.IPv4Address(int(n.network_address)),
                                               n.prefixlen - 96))
    return n


def expected(rec, asn_only, asn_source):
    def both(key):
        t = rec.get("traits", {})
        return rec.get(key, t.get(key))
    cc = None
    if not asn_only:
        cc = (rec.get("country") or {}).get("iso_code") or \
             (rec.get("registered_country") or {}).get("iso_code")
    asn, name = both("autonomous_system_number"), both("autonomous_system_organization")
    flags = set()
    if not asn_only:
        for k, f in FLAG_KEYS.items():
            if both(k) is True:
                flags.add(f)
    if asn is None and asn_source:
        flags.add("unrouted")
    return {"country": cc, "asn": asn, "as_name": name or None, "flags": flags}


def lpm_table(entries):
    table = {}
    for i, e in enumerate(entries):
        (net_text, rec), = e.items()
        n = as_network(net_text)
        table[(n.version, n.prefixlen, int(n.network_address))] = rec
    return table


def lpm(table, addr):
    a = ipaddress.ip_address(addr)
    bits = 32 if a.version == 4 else 128
    v = int(a)
    for plen in range(bits, -1, -1):
        net = v & (((1 << plen) - 1) << (bits - plen)) if plen else 0
        rec = table.get((a.version, plen, net))
        if rec is not None:
            return rec
    return None


def lookup(binary, args, addrs):
    rc, out, err = testlib.run([binary, "lookup", "--json", "--no-default-db"] + args + addrs)
    if rc != 0:
        return None, "exit %d: %s" % (rc, err.decode()[:300])
    return {r["addr"]: r for r in json.loads(out)["results"]}, None


def check_source(rep, binary, valid, srcdir, name, kind):
    entries = json.load(open(os.path.join(srcdir, name + ".json")))
    table = lpm_table(entries)
    addrs = []
    for e in entries:
        (net_text, _), = e.items()
        n = as_network(net_text)
        for a in (n.network_address, n.broadcast_address):
            if str(a) not in addrs:
                addrs.append(str(a))
    asn_source = any("autonomous_system_number" in r or
                     "autonomous_system_number" in r.get("traits", {})
                     for e in entries for r in e.values())
    res, err = lookup(binary, [kind, os.path.join(valid, name + ".mmdb")], addrs)
    if not rep.ok(res is not None, "%s %s.mmdb: lookup of %d addresses ran" % (kind, name, len(addrs)),
                  [err] if err else []):
        return
    bad = []
    for a in addrs:
        w = expected(lpm(table, a) or {}, kind == "--asn", asn_source)
        o = res[a]
        flags = set(o["flags"])
        if flags & SPECIAL:
            flags.discard("unrouted")
            w["flags"].discard("unrouted")
        got = {"country": o["country"], "asn": o["asn"], "as_name": o["as_name"],
               "flags": flags - SPECIAL}
        if got != w:
            bad.append("%s: want %s, got %s" % (a, w, got))
    rep.ok(not bad, "%s %s.mmdb: first and last address of all %d networks agree with "
           "source-json" % (kind, name, len(entries)), bad[:8])


def check_other_valid(rep, binary, valid):
    """Every valid/ file either answers (deterministically), or, when no
    record holds a field ascribe reads (Connection-Type, Domain, the format
    corner cases...), is refused with a message naming it. The geolocation,
    ASN and anonymous-IP databases must answer."""
    probe = ["1.1.1.1", "81.2.69.160", "2001:218::1", "::1.2.3.4", "216.160.83.56",
             "1.2.0.1", "2a02:ffc0::1", "10.0.0.1", "::"]
    must = ("-Country-", "-City-", "-ASN-", "-ISP-", "-Anonymous-", "-Enterprise-")
    answered, refused, bad = [], [], []
    for f in sorted(os.listdir(valid)):
        if not f.endswith(".mmdb") or f in BROKEN_IN_VALID:
            continue
        path = os.path.join(valid, f)
        args = [binary, "lookup", "--json", "--no-default-db", "--geo", path] + probe
        r1, r2 = testlib.run(args), testlib.run(args)
        err = r1[2].decode("utf-8", "replace")
        if r1[0] == 0 and r1[1] == r2[1] and json.loads(r1[1])["databases"][0]["path"] == path:
            answered.append(f)
        elif r1[0] == 1 and not r1[1] and path in err and "no record holds" in err \
                and not any(m in f for m in must):
            refused.append(f)
        else:
            bad.append("%s: exit %d: %s" % (f, r1[0], err.strip()[:200]))
    rep.ok(not bad and len(answered) >= 14,
           "valid/: %d databases answer (two runs identical), %d without country/AS/flag "
           "data are refused naming the file" % (len(answered), len(refused)), bad[:8])
    rep.note("answer: " + " ".join(answered))


def error_cases(tmp, valid, bad):
    cases = []
    for root, _, files in os.walk(bad):
        for f in sorted(files):
            if f.endswith(".mmdb"):
                cases.append(("--geo", os.path.join(root, f)))
    for f in sorted(BROKEN_IN_VALID):
        cases.append(("--geo", os.path.join(valid, f)))
    city = open(os.path.join(valid, "GeoIP2-City-Test.mmdb"), "rb").read()
    rng = random.Random(7)

    def write(name, data):
        p = os.path.join(tmp, name)
        with open(p, "wb") as fh:
            fh.write(data)
        return p
    cases.append(("--geo", write("empty.mmdb", b"")))
    for n in (1, 16, 1000, len(city) // 2, len(city) - 100, len(city) - 1):
        cases.append(("--geo", write("trunc-%d.mmdb" % n, city[:n])))
    cases.append(("--geo", write("random.mmdb", bytes(rng.getrandbits(8) for _ in range(4096)))))
    cases.append(("--asn", os.path.join(valid, "GeoIP2-Country-Test.mmdb")))  # no ASNs
    cases.append(("--libloc", os.path.join(valid, "GeoIP2-City-Test.mmdb")))
    cases.append(("--libloc", write("empty.db", b"")))
    cases.append(("--libloc", write("random.db", bytes(rng.getrandbits(8) for _ in range(4096)))))
    if os.path.exists(LIBLOC_DB):
        with open(LIBLOC_DB, "rb") as fh:
            head = fh.read(2 << 20)
        for n in (8, 100, 5000, 9000, 2 << 20):
            cases.append(("--libloc", write("loc-trunc-%d.db" % n, head[:n])))
            cases.append(("--geo", os.path.join(tmp, "loc-trunc-%d.db" % n)))
    return cases


def check_errors(rep, binaries, cases):
    for label, binary in binaries:
        bad = []
        for flag, path in cases:
            rc, out, err = testlib.run([binary, "lookup", "--no-default-db", flag, path,
                                        "1.1.1.1", "::1"], timeout=120)
            e = err.decode("utf-8", "replace")
            if rc != 1 or out or path not in e or "Sanitizer" in e or "runtime error" in e:
                bad.append("%s %s: exit %d, stdout %d bytes, stderr %s"
                           % (flag, path, rc, len(out), e.strip()[:300]))
        rep.ok(not bad, "%s: %d broken, empty, truncated or wrong-format databases each exit 1 "
               "naming the file" % (label, len(cases)), bad[:8])


def main():
    rep = testlib.Reporter()
    binary = testlib.require_bin(rep)
    root = testlib.require_data(rep, "geo/maxmind-test-data")
    valid, srcdir, bad = (os.path.join(root, d) for d in ("valid", "source-json", "bad"))
    for name in SOURCES:
        check_source(rep, binary, valid, srcdir, name, "--geo")
    check_source(rep, binary, valid, srcdir, "GeoLite2-ASN-Test", "--asn")
    check_other_valid(rep, binary, valid)
    binaries = [("build", binary)]
    asan = os.environ.get("ASCRIBE_ASAN_BIN") or os.path.join(testlib.REPO, "build-asan",
                                                              "ascribe")
    if os.access(asan, os.X_OK):
        binaries.append(("asan", asan))
    elif testlib.in_ci():
        rep.ok(False, "ASan build %s exists (make asan)" % asan)
    else:
        rep.note("SKIP: no ASan build at %s (make asan)" % asan)
    with tempfile.TemporaryDirectory(prefix="ascribe-mmdb.") as tmp:
        check_errors(rep, binaries, error_cases(tmp, valid, bad))
    rep.finish()


if __name__ == "__main__":
    main()
