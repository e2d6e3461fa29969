#!/usr/bin/env python3
"""intel_expect.py DIR - independent entry counts for the intel list files.

Prints "PATH COUNT" for every list file under DIR (not *.md), counting
entry lines with Python's ipaddress module: comment lines ('#', ';') and
blank lines are skipped; a CSV with a header row naming dst_ip counts the
rows whose dst_ip column parses; other lines count when their first token
(before whitespace, ';' or ',') is an IP address or network. test_intel.c
compares these with what asc_intel_load reports.
"""
import csv
import ipaddress
import os
import re
import sys


def count(path):
    n = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [l.strip() for l in f]
    body = [l for l in lines if l and not l.startswith(("#", ";"))]
    if body and body[0].startswith('"') and "dst_ip" in body[0]:
        rows = list(csv.reader(body))
        col = rows[0].index("dst_ip")
        for r in rows[1:]:
            try:
                ipaddress.ip_address(r[col])
                n += 1
            except (ValueError, IndexError):
                pass
        return n
    for l in body:
        tok = re.split(r"[\s;,]+", l)[0]
        try:
            ipaddress.ip_network(tok, strict=False)
            n += 1
        except ValueError:
            pass
    return n


for root, _, files in os.walk(sys.argv[1]):
    for name in sorted(files):
        if not name.endswith(".md"):
            p = os.path.join(root, name)
            print(p, count(p))
