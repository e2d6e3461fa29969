"""Small helpers shared by the Python test scripts in tests/scripts.

Not a test itself (the driver runs only t_*.py). Python 3.11 standard
library only.

Output convention (see tests/README.md): one line per check, `ok - ...` or
`not ok - ...`, free-form detail lines start with `#`, and the last line is
exactly `N passed, N failed`. A script exits non-zero when any check failed.
"""

import base64
import hashlib
import ipaddress
import json
import os
import struct
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Reporter:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, cond, msg, details=()):
        if cond:
            self.passed += 1
            print("ok - " + msg)
        else:
            self.failed += 1
            print("not ok - " + msg)
        for d in details:
            print("#   " + d)
        sys.stdout.flush()
        return cond

    def note(self, msg):
        print("# " + msg)
        sys.stdout.flush()

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.stdout.flush()
        sys.exit(1 if self.failed else 0)


def in_ci():
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def data_dir():
    """$ASCRIBE_DATA (relative paths are relative to the repo root)."""
    d = os.environ.get("ASCRIBE_DATA") or "../shared/data"
    if not os.path.isabs(d):
        d = os.path.join(REPO, d)
    return os.path.normpath(d)


def require_data(rep, sub):
    """Return DATA/sub, or end the script: a missing folder fails under CI
    (CI=true) and skips with a message elsewhere."""
    path = os.path.join(data_dir(), sub)
    if os.path.isdir(path):
        return path
    if in_ci():
        rep.ok(False, "test data folder %s exists (CI=true: missing data is a failure; "
               "set ASCRIBE_DATA)" % path)
    else:
        rep.note("SKIP: test data folder %s not found (set ASCRIBE_DATA); "
                 "under CI=true this is a failure" % path)
    rep.finish()


def ascribe_bin():
    b = os.environ.get("ASCRIBE_BIN") or os.path.join(REPO, "build", "ascribe")
    return b


def require_bin(rep):
    b = ascribe_bin()
    if os.access(b, os.X_OK):
        return b
    rep.ok(False, "binary %s exists (run `make` first)" % b)
    rep.finish()


def cache_dir(name):
    d = os.path.join(REPO, "build", "test-cache", name)
    os.makedirs(d, exist_ok=True)
    return d


def run(cmd, timeout=600, stdin=None, input_bytes=None):
    """Run a command; return (rc, stdout bytes, stderr bytes)."""
    try:
        p = subprocess.run(cmd, stdin=stdin, input=input_bytes,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return -999, e.stdout or b"", (e.stderr or b"") + b"\n[timeout]"


def parse_flows(out):
    """Parse ascribe's JSON-lines flow output. Returns (flows, errors)."""
    flows, errors = [], []
    for i, line in enumerate(out.decode("utf-8", "replace").splitlines()):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            errors.append("line %d: %s: %s" % (i + 1, e, line[:120]))
            continue
        if "run" in obj and len(obj) == 1:
            continue  # the run-summary record that ends the output
        flows.append(obj)
    return flows, errors


def addr_bytes(a):
    return ipaddress.ip_address(a).packed


# ---- Community ID v1 (https://github.com/corelight/community-id-spec) ----

_ICMP4_EQUIV = {8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17,
                10: 9, 9: 10}
_ICMP6_EQUIV = {128: 129, 129: 128, 133: 134, 134: 133, 135: 136, 136: 135,
                130: 131, 131: 130, 144: 145, 145: 144}


def community_id(saddr, daddr, proto, sport=0, dport=0, seed=0):
    """Community ID v1 of one flow tuple, independent of ascribe's code.
    For ICMP/ICMPv6 sport is the type and dport the code."""
    s, d = addr_bytes(saddr), addr_bytes(daddr)
    one_way = False
    if proto in (1, 58):
        eq = _ICMP4_EQUIV if proto == 1 else _ICMP6_EQUIV
        if sport in eq:
            dport = eq[sport]
        else:
            one_way = True
    if not one_way and not (s < d or (s == d and sport < dport)):
        s, d, sport, dport = d, s, dport, sport
    data = struct.pack("!H", seed) + s + d + struct.pack("!BB", proto, 0)
    if proto in (1, 6, 17, 58, 132):
        data += struct.pack("!HH", sport, dport)
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()
