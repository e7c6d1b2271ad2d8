#!/bin/bash
# The benchmarks' target lines (bench/target.sh): "met" only from a
# measurement that meets the target, "NOT met" from one that misses it (or a
# failure word such as "timeout"), "not measured" without one.  No
# namespace: the helper is fed directly, bench/bridge_table.py is given a
# made-up summary with one target of each kind, and bench/vnat.sh is run
# with nothing to measure (it printed "met (-nan%)" for that once).
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/target.sh"

# expect WANT DESC VALUE CONDITION [SHOWN]
expect() {
	local want=$1 got
	shift
	got=$(bench_target "$@")
	[ "$got" = "target: $1: $want" ] || die "bench_target $*: '$got', expected '$want'"
}
expect "not measured" "x" "" "v >= 97"
expect "not measured" "x" - "v >= 97"
expect "not measured" "x" -nan "v >= 97" "-nan%"
expect "not measured" "x" nan "v >= 97"
expect "met (98.5%)" "x" 98.5 "v >= 97" "98.5%"
expect "met (97)" "x" 97 "v >= 97"
expect "NOT met (96.9)" "x" 96.9 "v >= 97"
expect "NOT met (0)" "x" 0 "v >= 1 && v <= 3"
expect "NOT met (timeout)" "x" timeout "v < 1"
expect "met (1e-05)" "x" 1e-05 "v < 1"
[ "$(bash "$ROOT/bench/target.sh" "y" 3 "v < 1" "3 s")" = "target: y: NOT met (3 s)" ] ||
	die "bench/target.sh run as a command"
ok "bench_target: met, NOT met, not measured"
[ "$(bench_ratio 97 100)" = 97.0 ] && [ "$(bench_ratio "" 100)" = - ] &&
	[ "$(bench_ratio 5 0)" = - ] && [ "$(bench_ratio - -)" = - ] || die "bench_ratio"
ok "bench_ratio: - without two numbers"

# bridge_table.py: ovpn-tcp not run, vnet-tls without RTT; vnet 3x/2.5x
# OpenVPN over UDP but its RTT above it
printf 'kernel test\n' >"$TMP/env.txt"
cat >"$TMP/run1.json" <<'EOF'
[{"contender": "ovpn-udp", "fwd": {"mbps": 100}, "rev": {"mbps": 100}, "rtt": [0.1, 0.15, 0.2]},
 {"contender": "vnet", "fwd": {"mbps": 300}, "rev": {"mbps": 250}, "rtt": [0.1, 0.2, 0.3]},
 {"contender": "vnet-tls", "fwd": {"mbps": 200}, "rev": {"mbps": 200}}]
EOF
python3 "$ROOT/bench/bridge_table.py" "$TMP/env.txt" "$TMP/run1.json" | grep '^target:' >"$TMP/bridge.txt"
cat >"$TMP/want.txt" <<'EOF'
target: vnet -s >= OpenVPN tap over TCP, both directions: not measured
target: vnet >= OpenVPN tap over UDP, both directions: met (3.0x / 2.5x)
target: vnet average RTT below OpenVPN's (0.15 ms): NOT met (0.200 ms)
target: vnet-tls average RTT below OpenVPN's (0.15 ms): not measured
EOF
diff -u "$TMP/want.txt" "$TMP/bridge.txt" >&2 || die "bridge_table.py target lines"
ok "bench/bridge_table.py: each target met, NOT met or not measured"

# bench/vnat.sh measuring nothing: every target not measured, exit 0
out=$(COUNTS="" KEYED="" REPS=0 SIDE_REPS=0 bash "$ROOT/bench/vnat.sh") || die "bench/vnat.sh with nothing to measure failed"
n=$(grep -c '^target: .*: not measured$' <<<"$out" || true)
grep -q 'met (' <<<"$out" && die "bench/vnat.sh: a target met without a measurement: $(grep '^target' <<<"$out")"
[ "$n" = 4 ] || die "bench/vnat.sh: $n targets not measured, expected 4: $(grep '^target' <<<"$out")"
ok "bench/vnat.sh with nothing measured: 4 targets not measured"
