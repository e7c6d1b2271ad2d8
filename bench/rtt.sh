#!/bin/bash
# bench/rtt.sh: ping RTT VM -> LAN peer only, on the shared namespace
# testbed (../shared/bench/peers), for several contenders in turn, ROUNDS
# times over (A, B, C, A, B, C, ...: the host's slow drift hits all alike),
# each time PASSES x N pings at 10 ms.  bench/bridge.sh measures RTT with
# the testbed's 100 pings; this takes more, to see differences of 20-50 us.
# Prints each contender's averages and their median.  Not a timed test.
#
#   bench/rtt.sh [contender...]   (default: vnet vnet-tls ovpn-udp ovpn-tcp)
#   N=500  PASSES=3  ROUNDS=2
set -euo pipefail
. "$(dirname "$0")/peers_env.sh"
N=${N:-500} PASSES=${PASSES:-3} ROUNDS=${ROUNDS:-2}
CONTENDERS=("$@")
[ ${#CONTENDERS[@]} -gt 0 ] || CONTENDERS=(vnet vnet-tls ovpn-udp ovpn-tcp)
PB_WORK=$(mktemp -d /tmp/vnet-rtt.XXXXXX)
export PB_WORK
. "$PEERS/lib.sh"
down() {
	pb_kill_all 2>/dev/null || true
	"$PEERS/testbed.sh" down quiet 2>/dev/null || true
}
trap 'down; rm -rf "$PB_WORK"' EXIT

# one contender up, PASSES x N pings, down: prints the averages (ms)
one() {
	local c=$1 p
	(
		. "$PEERS/contenders/$c.sh"
		export PB_LABEL=$c
		"$PEERS/testbed.sh" up 2>"$PB_WORK/testbed.log" || { echo "testbed up failed" >&2; exit 1; }
		c_start 2>>"$PB_WORK/harness.log" || { echo "$c: start failed" >&2; exit 1; }
		pb_wait_ping "$PB_NS_VM" "$PB_IP_PEER" 30 || { echo "$c: no ping within 30 s" >&2; exit 1; }
		ip netns exec "$PB_NS_VM" ping -c 5 -i 0.1 -q "$PB_IP_PEER" >/dev/null 2>&1 || true
		for p in $(seq "$PASSES"); do
			ip netns exec "$PB_NS_VM" timeout $((N / 50 + 30)) ping -c "$N" -i 0.01 -W 1 -q \
				"$PB_IP_PEER" | awk -F/ '/^rtt/ { printf "%s ", $5 }'
		done
		if declare -F c_stop >/dev/null; then c_stop 2>/dev/null || true; fi
	)
	down
}

declare -A ALL
for r in $(seq "$ROUNDS"); do
	for c in "${CONTENDERS[@]}"; do
		v=$(one "$c") || exit 1
		[ -n "$v" ] || { echo "$c: no RTT measured" >&2; exit 1; }
		ALL[$c]+="$v"
	done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '| contender | avg RTT ms, median | each pass (%d x %d pings at 10 ms) |\n' "$((ROUNDS * PASSES))" "$N"
echo "|---|---:|---|"
for c in "${CONTENDERS[@]}"; do
	printf '| %s | %s | %s |\n' "$c" "$(echo ${ALL[$c]} | median)" "${ALL[$c]% }"
done
