#!/usr/bin/env python3
"""libloc backend against Debian's own `location lookup` (python3-location,
the IPFire reference client) on the same database.

Sample (fixed seed, > 10,000 addresses): random IPv4, random IPv6 in
2000::/3, and addresses inside networks `location list-networks-by-flags`
and `list-networks-by-cc` report (so announced space, and every flag, is
covered). `location lookup` runs in batches of 1000; `ascribe lookup --json
--no-default-db --libloc DB` in batches of 2000. Compared per address:
country code (location prints the name; list-countries maps it back), AS
number, AS name, and the flags location prints (anonymous proxy, satellite
provider, anycast, hostile "drop"). "Nothing found" must be an empty answer.

Missing `location` or the database: skipped, or a failure under CI=true.
"""

import ipaddress
import json
import os
import random
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

DB = "/var/lib/location/database.db"
FLAG_LINES = {
    "Anonymous Proxy": "anon_proxy",
    "Satellite Provider": "satellite",
    "Anycast": "anycast",
    "Hostile Network safe to drop": "hostile",
}
LOC_FLAGS = set(FLAG_LINES.values())


def location(args, timeout=600):
    rc, out, err = testlib.run(["location", "--database", DB] + args, timeout=timeout)
    return rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def country_names():
    rc, out, _ = location(["list-countries", "--show-name"])
    names = {}
    for line in out.splitlines():
        code, _, name = line.partition(" ")
        if len(code) == 2 and name:
            names[name.strip()] = code
    return names


def sample_in(net, rng):
    n = ipaddress.ip_network(net, strict=False)
    if n.num_addresses <= 1:
        return str(n.network_address)
    off = rng.randrange(n.num_addresses)
    return str(n.network_address + off)


def sample_networks(args, k, rng):
    rc, out, _ = location(args)
    nets = [l.strip() for l in out.splitlines() if "/" in l]
    if len(nets) > k:
        nets = rng.sample(nets, k)
    return [sample_in(n, rng) for n in nets]


def build_sample(rng):
    addrs = []
    for _ in range(4000):
        addrs.append(str(ipaddress.IPv4Address(rng.getrandbits(32))))
    # Random IPv6 inside the RIRs' /12 blocks: random addresses elsewhere in
    # 2000::/3 mostly hit space no network covers, where location(8) fails
    # (see location_lookup) and would need one process per address.
    blocks = [ipaddress.ip_network(n) for n in
              ("2400::/12", "2600::/12", "2800::/12", "2a00::/12", "2c00::/12")]
    for _ in range(1500):
        b = rng.choice(blocks)
        addrs.append(str(b.network_address + rng.getrandbits(116)))
    for flag in ("--anycast", "--drop", "--anonymous-proxy", "--satellite-provider"):
        addrs += sample_networks(["list-networks-by-flags", flag], 600, rng)
    for cc in ("DE", "US", "CN", "RU", "BR", "IN", "NL", "JP"):
        addrs += sample_networks(["list-networks-by-cc", cc], 300, rng)
    seen, out = set(), []
    for a in addrs:
        if a not in seen:
            seen.add(a)
            out.append(a)
    return out


def parse_location(text, names):
    """`location lookup` output -> {addr: {country, asn, as_name, flags}}."""
    res, cur = {}, None
    for line in text.splitlines():
        if not line.startswith(" ") and line.endswith(":"):
            cur = {"country": None, "asn": None, "as_name": None, "flags": set()}
            res[line[:-1]] = cur
            continue
        if cur is None or ":" not in line:
            continue
        key, _, val = line.strip().partition(":")
        key, val = key.strip(), val.strip()
        if key == "Country":
            cur["country"] = names.get(val, val)
        elif key == "Autonomous System":
            num, _, name = val.partition(" - ")
            cur["asn"] = int(num[2:])
            cur["as_name"] = name or None
        elif key in FLAG_LINES:
            cur["flags"].add(FLAG_LINES[key])
    return res


def location_lookup(batch, names):
    """Runs `location lookup` on batch. Returns (answers, errored, lost):
    an address is answered, reported "Nothing found" (no entry), or, when
    location(8) fails on it with "[Errno 25] Inappropriate ioctl for device"
    (libloc's lookup fails on some addresses no network covers, and the
    tool then drops the whole batch), looked up alone and listed in
    errored with an empty answer."""
    rc, out, err = location(["lookup"] + batch)
    got = parse_location(out, names)
    nothing = {l[len("Nothing found for "):] for l in err.splitlines()
               if l.startswith("Nothing found for ")}
    if all(a in got or a in nothing for a in batch):
        return got, [], []
    if len(batch) == 1:
        if "[Errno" in err:
            return {}, batch, []
        return {}, [], ["%s: exit %d: %s" % (batch[0], rc, err.strip()[-200:])]
    half = len(batch) // 2
    a, ea, la = location_lookup(batch[:half], names)
    b, eb, lb = location_lookup(batch[half:], names)
    a.update(b)
    return a, ea + eb, la + lb


def main():
    rep = testlib.Reporter()
    if not shutil.which("location") or not os.path.exists(DB):
        if testlib.in_ci():
            rep.ok(False, "location(8) and %s are installed (scripts/deps)" % DB)
        else:
            rep.note("SKIP: location(8) or %s missing (scripts/deps installs them)" % DB)
        rep.finish()
    binary = testlib.require_bin(rep)
    rng = random.Random(20261123)
    names = country_names()
    rep.ok(len(names) > 200, "location list-countries gives the country names (%d)" % len(names))
    addrs = build_sample(rng)
    v4 = sum(1 for a in addrs if ":" not in a)
    rep.ok(len(addrs) >= 10000, "sample of %d addresses (%d IPv4, %d IPv6)"
           % (len(addrs), v4, len(addrs) - v4))

    want, lost, errs = {}, [], []
    for i in range(0, len(addrs), 1000):
        w, e, l = location_lookup(addrs[i:i + 1000], names)
        want.update(w)
        errs += e
        lost += l
    rep.ok(not lost, "location lookup answered every address", lost[:3])
    rep.note("%d addresses make location(8) fail with an error (libloc's lookup returns an "
             "error where nothing covers the address); ascribe must answer nothing there: %s"
             % (len(errs), " ".join(errs[:3])))
    ours, errors = {}, []
    for i in range(0, len(addrs), 2000):
        batch = addrs[i:i + 2000]
        rc, out, err = testlib.run([binary, "lookup", "--json", "--no-default-db",
                                    "--libloc", DB] + batch)
        if rc != 0:
            errors.append("exit %d: %s" % (rc, err.decode()[:200]))
            continue
        doc = json.loads(out)
        for r in doc["results"]:
            ours[r["addr"]] = r
    rep.ok(not errors and len(ours) == len(addrs), "ascribe lookup answered every address",
           errors[:3])

    bad, found, flagged = [], 0, 0
    for a in addrs:
        w = want.get(a, {"country": None, "asn": None, "as_name": None, "flags": set()})
        o = ours.get(a)
        if o is None:
            continue
        found += w["asn"] is not None or w["country"] is not None
        flagged += bool(w["flags"])
        got = {"country": o["country"], "asn": o["asn"], "as_name": o["as_name"],
               "flags": set(o["flags"]) & LOC_FLAGS}
        if got != w:
            bad.append("%s: location %s, ascribe %s" % (a, w, got))
    rep.ok(found > 5000 and flagged > 1000,
           "sample covers announced space (%d addresses known, %d with flags)" % (found, flagged))
    rep.ok(not bad, "country, ASN, AS name and flags agree with `location lookup` on %d addresses"
           % len(ours), bad[:10] + (["... %d differences" % len(bad)] if bad else []))
    rep.finish()


if __name__ == "__main__":
    main()
