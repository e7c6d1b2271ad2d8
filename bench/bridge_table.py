#!/usr/bin/env python3
"""Prints bench/bridge.sh's table from the peer testbed's JSON summaries:
env.txt, the full run (throughput and RTT), then RTT-only runs."""
import json
import os
import statistics
import subprocess
import sys

env = open(sys.argv[1]).read().splitlines()
runs = [{r["contender"]: r for r in json.load(open(p))} for p in sys.argv[2:]]
rows = runs[0]
# RTT: median over the runs of each run's average; lowest minimum, highest maximum
for name, r in rows.items():
    got = [x[name]["rtt"] for x in runs if name in x and x[name].get("rtt")]
    if got:
        r["rtt"] = [min(g[0] for g in got), statistics.median(g[1] for g in got),
                    max(g[2] for g in got)]


def mbps(r, k):
    v = (r.get(k) or {}).get("mbps")
    return v if isinstance(v, (int, float)) else None


def f(v, fmt="{:.0f}"):
    return fmt.format(v) if v is not None else "-"


base = {"vnet": "ovpn-udp", "vnet-tls": "ovpn-tcp"}
print("| contender | VM->peer Mbit/s | peer->VM Mbit/s | vs OpenVPN (fwd/rev) | RTT min/avg/max ms (%d runs) | daemon CPU %%core (fwd) |" % len(runs))
print("|---|---:|---:|---|---|---|")
for name in ["direct", "ovpn-udp", "ovpn-tcp", "tinc", "vnet", "vnet-tls"]:
    r = rows.get(name)
    if r is None:
        continue
    fw, rv = mbps(r, "fwd"), mbps(r, "rev")
    ratio = "-"
    b = rows.get(base.get(name, ""))
    if b and fw and rv and mbps(b, "fwd") and mbps(b, "rev"):
        ratio = "%.1fx / %.1fx %s" % (fw / mbps(b, "fwd"), rv / mbps(b, "rev"), base[name])
    rtt = r.get("rtt") or []
    rtt_s = "/".join("%.3f" % x for x in rtt[:3]) if len(rtt) >= 3 else "-"
    cpu = r.get("fwd_cpu") or {}
    cpu_s = " ".join("%s=%.0f" % (k.split("-")[-1], v) for k, v in sorted(cpu.items())) if cpu else "-"
    print(f"| {name} | {f(fw)} | {f(rv)} | {ratio} | {rtt_s} | {cpu_s} |")

print()


def target(desc, value, cond, shown):
    """One target line by bench/target.sh: met or NOT met only when value
    (a number; None: not measured) was measured."""
    v = "-" if value is None else repr(float(value))
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run(["bash", os.path.join(here, "target.sh"), desc, v, cond, shown],
                         check=True, capture_output=True, text=True).stdout
    print(out, end="")


def both(a, b):
    """a's throughput over b's in the worse direction, and both ratios shown;
    None when one of the four figures is missing (or b's is 0)."""
    ra, rb = rows.get(a) or {}, rows.get(b) or {}
    r = [mbps(ra, k) / mbps(rb, k) if mbps(ra, k) is not None and mbps(rb, k) else None
         for k in ("fwd", "rev")]
    if None in r:
        return None, "-"
    return min(r), "%.1fx / %.1fx" % tuple(r)


def avg_rtt(n):
    r = rows.get(n)
    return r["rtt"][1] if r and r.get("rtt") else None


for name, desc in (("vnet-tls", "vnet -s >= OpenVPN tap over TCP, both directions"),
                   ("vnet", "vnet >= OpenVPN tap over UDP, both directions")):
    ratio, shown = both(name, base[name])
    target(desc, ratio, "v >= 1", shown)
ov = [x for x in (avg_rtt("ovpn-udp"), avg_rtt("ovpn-tcp")) if x is not None]
for n in ("vnet", "vnet-tls"):
    v = avg_rtt(n)
    target(f"{n} average RTT below OpenVPN's ({min(ov) if ov else '-'} ms)",
           v if ov else None, "v < %r" % (min(ov) if ov else 0), "%.3f ms" % (v or 0))
for line in env:
    if line.startswith(("kernel", "cpu", "params")):
        print("# " + line)
sys.exit(0)
