#!/usr/bin/env python3
"""Prints bench/recover.sh's table and targets from its results folder
(env.txt, and results: one "contender case run seconds|never|-" a line)."""
import math
import statistics
import sys

res = sys.argv[1]
env = open(res + "/env.txt").read().splitlines()
conf = {l.split(" ", 1)[0]: l.split(" ", 1)[1] for l in env if " " in l}
outages = conf["outages"].split()
contenders = conf["contenders"].split()
cases = outages + ["restart"]
got = {}
for line in open(res + "/results"):
    c, case, _, v = line.split()
    if v != "-":
        got.setdefault((c, case), []).append(math.inf if v == "never" else float(v))

PING_S = 0.1    # the ping interval: differences below it are not differences
GOAL_S = 2.0
GOAL_OUTAGES = ["10", "75", "600"]
names = {"vnet": "vnet", "vnet-tls": "vnet -s", "ovpn-tcp": "OpenVPN tap TCP",
         "ovpn-udp": "OpenVPN tap UDP"}


def fmt(v):
    return "never" if v == math.inf else "%.2f" % v


def med(c, case):
    vals = got.get((c, case))
    return statistics.median_low(vals) if vals else None


def cell(c, case):
    vals = got.get((c, case))
    if not vals:
        return "-"
    s = fmt(med(c, case))
    return s if len(vals) == 1 else "%s (%s)" % (s, ", ".join(fmt(v) for v in vals))


head = ["%s s outage" % l for l in outages] + ["far server restarted"]
print("| contender | " + " | ".join(head) + " |")
print("|---|" + "---:|" * len(head))
for c in contenders:
    print("| %s | %s |" % (names.get(c, c), " | ".join(cell(c, k) for k in cases)))
print()
print("seconds from the path's return (restart: from vnet listening, OpenVPN starting) to the"
      " first reply VM -> LAN peer, pings every %.1f s; never = none within the give-up time;"
      " - = not measured%s" % (PING_S, "; median (runs)" if any(len(v) > 1 for v in got.values()) else ""))
print()


def within(c, ks):
    """every run of every case in ks back within GOAL_S"""
    vals = [v for k in ks for v in got.get((c, k), [])]
    if not vals:
        return "not measured"
    bad = ["%s: %s" % (k if k == "restart" else k + " s", fmt(v))
           for k in ks for v in got.get((c, k), []) if v > GOAL_S]
    if bad:
        return "NOT met (" + "; ".join(bad) + ")"
    missing = [k + " s" for k in ks if not got.get((c, k))]
    return "met" + (" (not measured: %s)" % ", ".join(missing) if missing else "")


def versus(c, o, ks, better):
    pairs = [(k, med(c, k), med(o, k)) for k in ks if med(c, k) is not None and med(o, k) is not None]
    if not pairs:
        return "not measured"
    fig = "; ".join("%s: %s vs %s" % (k if k == "restart" else k + " s", fmt(a), fmt(b))
                    for k, a, b in pairs)
    ok = all(better(a, b) for _, a, b in pairs)
    return "%s (%s)" % ("met" if ok else "NOT met", fig)


for c in ("vnet", "vnet-tls"):
    if c not in contenders:
        continue
    n = names[c]
    out = within(c, outages)
    untried = [g + " s" for g in GOAL_OUTAGES if g not in outages]
    if untried and out.startswith("met"):
        out += " (%s not in this run)" % ", ".join(untried)
    print("target: %s back within 2 s of the path after every outage: %s" % (n, out))
    print("target: %s back within 2 s of the far server listening again: %s"
          % (n, within(c, ["restart"])))
    if "ovpn-tcp" in contenders:
        print("target: %s back sooner than OpenVPN tap over TCP (keepalive 5 15) after every outage: %s"
              % (n, versus(c, "ovpn-tcp", outages, lambda a, b: a < b)))
        print("target: %s no later than OpenVPN tap over TCP after the restart (within the ping"
              " interval): %s" % (n, versus(c, "ovpn-tcp", ["restart"], lambda a, b: a <= b + PING_S)))
for line in env:
    if line.startswith(("kernel", "cpu", "params", "versions")):
        print("# " + line)
