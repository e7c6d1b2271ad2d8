#!/bin/bash
# bench/ab.sh: two builds of vnet measured in one run, in alternating order,
# for a change that must not change performance (a refactoring): the
# bridge's throughput both ways and RTT on the shared testbed
# (../shared/bench/peers: vnet and vnet -s), and VNAT's restoration of N
# connections (bench/vnat.sh --one restore).  Prints each figure's median
# for the old and the new build and their ratio.  Not a timed test.
#
#   bench/ab.sh OLD_BIN_DIR [NEW_BIN_DIR (default: this tree's bin/, built)]
#   ROUNDS=3  PB_T=5 (iperf3 seconds)  COUNTS="1000 10000" (empty: no VNAT rows)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OLD=${1:?usage: bench/ab.sh OLD_BIN_DIR [NEW_BIN_DIR]}
NEW=${2:-}
. "$ROOT/bench/peers_env.sh"	# root, testbed, builds this tree
NEW=${NEW:-$ROOT/bin}
for d in "$OLD" "$NEW"; do
	[ -x "$d/vnet" ] && [ -x "$d/vnetclient" ] || { echo "bench: no vnet and vnetclient in $d" >&2; exit 1; }
done
ROUNDS=${ROUNDS:-3}
COUNTS=${COUNTS-"1000 10000"}
export PB_T=${PB_T:-5}
RES=$(mktemp -d /tmp/vnet-ab.XXXXXX)
trap 'rm -rf "$RES"' EXIT
make -C "$ROOT" -s tools

# one bridge run of a build: vnet and vnet-tls, summarized as JSON
bridge() {	# build-name bin-dir round
	local out=$RES/bridge-$1-$3
	VNET_BIN=$2 PB_RESULTS=$out PB_WORK=$RES/work PB_CONTENDERS="vnet vnet-tls" \
		bash "$PEERS/run.sh" >"$out.log" 2>&1 || { tail -20 "$out.log" >&2; exit 1; }
	python3 "$PEERS/summarize.py" "$out" --json >"$out.json"
}
# one restoration of n connections: "restored ms"
restore() {	# build-name bin-dir round n
	VNET_BIN=$2 VNET_TOOLS=$ROOT/build/test bash "$ROOT/bench/vnat.sh" --one restore "$4" \
		>"$RES/restore-$1-$3-$4.txt" 2>"$RES/restore-$1-$3-$4.log" ||
		{ tail -20 "$RES/restore-$1-$3-$4.log" >&2; exit 1; }
}
for r in $(seq 1 "$ROUNDS"); do
	# alternate which build goes first, so that a drift of the machine
	# over the run does not favour one
	if [ $((r % 2)) = 1 ]; then order=("old $OLD" "new $NEW"); else order=("new $NEW" "old $OLD"); fi
	for o in "${order[@]}"; do
		set -- $o
		bridge "$1" "$2" "$r"
		for n in $COUNTS; do restore "$1" "$2" "$r" "$n"; done
	done
	echo "round $r of $ROUNDS done" >&2
done
python3 - "$RES" "$ROUNDS" "$COUNTS" <<'PY'
import json, os, statistics, sys
res, rounds, counts = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
def med(xs):
    xs = [x for x in xs if isinstance(x, (int, float))]
    return statistics.median(xs) if xs else None
rows = []
for c in ("vnet", "vnet-tls"):
    for key, label, get in (("fwd", "VM->peer Mbit/s", lambda r: r["fwd"]["mbps"]),
                            ("rev", "peer->VM Mbit/s", lambda r: r["rev"]["mbps"]),
                            ("rtt", "RTT avg ms", lambda r: r["rtt"][1] if r.get("rtt") else None)):
        v = {}
        for b in ("old", "new"):
            xs = []
            for i in range(1, rounds + 1):
                for r in json.load(open(os.path.join(res, "bridge-%s-%d.json" % (b, i)))):
                    if r["contender"] == c:
                        xs.append(get(r))
            v[b] = (med(xs), len([x for x in xs if x is not None]))
        rows.append(("%s %s" % (c, label), v))
for n in counts:
    v = {}
    for b in ("old", "new"):
        xs = []
        for i in range(1, rounds + 1):
            t = open(os.path.join(res, "restore-%s-%d-%s.txt" % (b, i, n))).read().split()
            if len(t) == 2 and t[0] == n:
                xs.append(float(t[1]))
        v[b] = (med(xs), len(xs))
    rows.append(("VNAT restore %s connections, ms" % n, v))
print("| measure (median of %d rounds) | old | new | new/old |" % rounds)
print("|---|---:|---:|---:|")
for name, v in rows:
    o, n = v["old"][0], v["new"][0]
    f = lambda x: "-" if x is None else ("%.3f" % x if x < 10 else "%.0f" % x)
    ratio = "%.2f" % (n / o) if o and n else "not measured"
    print("| %s | %s | %s | %s |" % (name, f(o), f(n), ratio))
PY
