#!/usr/bin/env python3
"""The detection thread changes nothing but speed (src/app/detq.c, pipeline.c).

`ascribe analyze` runs its detectors on a second thread by default on a machine with two
CPUs; `--threads 1` keeps everything on one. The records a detector sees (ended flows,
packets with their flow so far, ticks) are replayed on that thread in the order they were
made, so the JSON document of a run must be byte-identical either way. This checks it on:

- every capture under pcap/attack (floods, amplification, scans, backscatter, brute force),
  with the intel lists of t_detect_intel.py so the known-bad contact detector has work;
- the labelled Stratosphere Zeek logs and the flow-export captures (records, not packets:
  the flood detector's record path, scan and brute force on records);
- and that the runs found incidents at all (an empty document would prove nothing).

The ThreadSanitizer build (`make tsan`, part of `make test`) runs a flood, a scan, a Zeek
log, an export capture and the 1M-source scenario capture (when cached by
t_detect_scenario.py) with --threads 2 and must report no data race.

It also checks that `--threads` refuses anything but 1 and 2 with a clear message.
"""

import glob
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

INTEL = ["abusech-feodo/feodo-ipblocklist-2024-04-04.csv",
         "firehol-snapshot-2022-02/spamhaus_drop.netset",
         "firehol-snapshot-2022-02/blocklist_de_ssh.ipset",
         "firehol-snapshot-2022-02/tor_exits.ipset"]


def inputs(data):
    caps = sorted(p for p in glob.glob(os.path.join(data, "pcap/attack/**/*"), recursive=True)
                  if os.path.isfile(p) and p.rsplit(".", 1)[-1] in ("pcap", "pcapng", "trace", "cap"))
    logs = sorted(glob.glob(os.path.join(data, "flows/zeek-logs/stratosphere/*/conn.log")) +
                  glob.glob(os.path.join(data, "flows/zeek-logs/stratosphere/*/data/conn.log.labeled")))
    exports = sorted(p for p in glob.glob(os.path.join(data, "flows/**/*.pcap*"), recursive=True)
                     if os.path.isfile(p))
    return caps, logs, exports


def analyze(binary, path, threads, extra):
    return testlib.run([binary, "analyze", "--no-progress", "--threads", str(threads),
                        "--json", "-"] + extra + [path], timeout=600)


def tsan_checks(rep, data, caps, logs, exports):
    tsan = os.path.join(testlib.REPO, "build-tsan", "ascribe")
    if not os.access(tsan, os.X_OK):
        if testlib.in_ci():
            rep.ok(False, "build-tsan/ascribe exists (make tsan)")
        else:
            rep.note("SKIP: build-tsan/ascribe not built (make tsan)")
        return
    pick = [p for p in caps if "ddos" in p][:1] + [p for p in caps if "scan" in p][:1]
    pick += logs[:1] + exports[:1]
    scen = os.path.join(testlib.REPO, "build", "test-cache", "detect_scenario", "attack.pcap")
    if os.path.exists(scen):
        pick.append(scen)
    env = dict(os.environ, TSAN_OPTIONS="halt_on_error=1 exitcode=66")
    for path in pick:
        p = subprocess.run([tsan, "analyze", "--no-progress", "--threads", "2", "--max-flows",
                            "200000", "--json", "/dev/null", path], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=900)
        err = p.stderr.decode(errors="replace")
        rep.ok(p.returncode in (0, 2) and "ThreadSanitizer" not in err,
               "ThreadSanitizer: no race on %s (exit %d)" % (os.path.relpath(path, data)
                                                            if path.startswith(data) else
                                                            os.path.basename(path), p.returncode),
               [line for line in err.splitlines() if "SUMMARY" in line or "WARNING" in line][:4])


def main():
    rep = testlib.Reporter()
    testlib.require_data(rep, "pcap/attack")
    data = testlib.data_dir()
    binary = testlib.require_bin(rep)
    caps, logs, exports = inputs(data)
    rep.ok(len(caps) >= 40 and len(logs) >= 3 and len(exports) >= 5,
           "found %d attack captures, %d Zeek logs, %d export captures" %
           (len(caps), len(logs), len(exports)))
    intel = []
    for rel in INTEL:
        p = os.path.join(data, "intel", rel)
        if os.path.exists(p):
            intel += ["--intel", p]
    differ, failed, incidents, runs = [], [], 0, 0
    for path in caps + logs + exports:
        extra = intel if path in caps else []
        rc1, out1, _ = analyze(binary, path, 1, extra)
        rc2, out2, err2 = analyze(binary, path, 2, extra)
        runs += 1
        name = os.path.relpath(path, data)
        if rc1 not in (0, 2) or rc2 != rc1:
            failed.append("%s: exit %d / %d: %s" % (name, rc1, rc2,
                                                     err2.decode(errors="replace")[-200:]))
            continue
        if out1 != out2:
            differ.append(name)
        incidents += out1.count(b'"detector":')
    rep.ok(not failed, "every run exits 0 or 2 with the same status either way", failed[:10])
    rep.ok(not differ, "--threads 1 and --threads 2 give byte-identical JSON on all %d inputs" % runs,
           differ[:20])
    rep.ok(incidents >= 40, "the runs found incidents to compare (%d)" % incidents)
    tsan_checks(rep, data, caps, logs, exports)
    for bad in ("0", "3", "two", ""):
        rc, _, err = testlib.run([binary, "analyze", "--threads", bad, caps[0]], timeout=60)
        msg = err.decode(errors="replace")
        rep.ok(rc == 1 and "--threads" in msg and "1 or 2" in msg,
               "--threads %r is refused with a message naming the option" % bad, [msg.strip()])
    rep.finish()


if __name__ == "__main__":
    main()
