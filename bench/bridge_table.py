#!/usr/bin/env python3
"""Prints bench/bridge.sh's table from the peer testbed's JSON summaries:
env.txt, the full run (throughput and RTT), then RTT-only runs."""
import json
import statistics
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
ok = True


def target(desc, cond):
    global ok
    ok = ok and bool(cond)
    print(f"target: {desc}: {'met' if cond else 'NOT met'}")


def both(a, b):
    ra, rb = rows.get(a), rows.get(b)
    if not ra or not rb:
        return None
    return all(mbps(ra, k) and mbps(rb, k) and mbps(ra, k) >= mbps(rb, k) for k in ("fwd", "rev"))


def avg_rtt(n):
    r = rows.get(n)
    return r["rtt"][1] if r and r.get("rtt") else None


target("vnet -s >= OpenVPN tap over TCP, both directions", both("vnet-tls", "ovpn-tcp"))
target("vnet >= OpenVPN tap over UDP, both directions", both("vnet", "ovpn-udp"))
ov = [x for x in (avg_rtt("ovpn-udp"), avg_rtt("ovpn-tcp")) if x is not None]
for n in ("vnet", "vnet-tls"):
    v = avg_rtt(n)
    target(f"{n} average RTT below OpenVPN's ({min(ov) if ov else '-'} ms)",
           v is not None and ov and v < min(ov))
for line in env:
    if line.startswith(("kernel", "cpu", "params")):
        print("# " + line)
sys.exit(0)
