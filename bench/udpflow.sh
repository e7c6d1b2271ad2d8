#!/bin/bash
# bench/udpflow.sh: what vnet's own flow sets (vnat/flowset: table inet
# vnetflow, made where conntrack is not active) cost the traffic of two
# namespaces joined by a veth pair.  Not a timed test.
#
# Three cases, the rules in both namespaces (made by test/tools/flowset-text,
# the very batch vnet applies):
#   none      no table
#   set       the table, its port set holding two ports the traffic does
#             not use (53, 6100): every packet pays the port lookup only
#   followed  the same with iperf3's ports in it too: every UDP packet
#             also updates its flow's element (a flow vnet follows)
# For each, one iperf3 stream a -> b, TCP and UDP (-b 0, 1400-byte
# datagrams, the receiver's rate), T seconds, REPS runs interleaved in
# rotating order; the table shows the median and its ratio to none.
#
# Measured on the shared 2-CPU build machine (REPS=5 T=4; run to run noise
# there is 10-20%): tcp set 0.957 followed 0.971, udp set 1.233 followed
# 1.222 (REPS=3 T=5: tcp 1.134 / 0.881, udp 1.130 / 0.776): no cost that
# stands out of the noise.
#
#   T=5  REPS=3  IPERF_CPUS=0,1 (empty: not pinned)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "bench: run as root (network namespaces)" >&2; exit 1; }
T=${T:-5}
REPS=${REPS:-3}
if [ "$(nproc)" -ge 2 ]; then IPERF_CPUS=${IPERF_CPUS-0,1}; else IPERF_CPUS=${IPERF_CPUS-}; fi
make -C "$ROOT" -s tools
TEXT="$ROOT/build/test/flowset-text"
P="udpflow$$-"
TMP=$(mktemp -d)
cleanup() {
	ip netns pids "${P}b" 2>/dev/null | xargs -r kill 2>/dev/null || true
	ip netns del "${P}a" 2>/dev/null || true
	ip netns del "${P}b" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "${P}a"
ip netns add "${P}b"
ip link add "${P}x" netns "${P}a" type veth peer name "${P}y" netns "${P}b"
ip -n "${P}a" addr add 198.18.60.1/24 dev "${P}x"
ip -n "${P}b" addr add 198.18.60.2/24 dev "${P}y"
for n in a b; do
	ip -n "$P$n" link set lo up
	ip -n "$P$n" link set "${P}$([ $n = a ] && echo x || echo y)" up
done
PIN=()
[ -n "$IPERF_CPUS" ] && PIN=(taskset -c "$IPERF_CPUS")
ip netns exec "${P}b" timeout $((REPS * 6 * (T + 5) + 60)) "${PIN[@]}" iperf3 -s -p 5201 >/dev/null 2>&1 &
sleep 1

rules() {	# rules CASE: the table of that case in both namespaces
	local n
	for n in a b; do
		ip netns exec "$P$n" nft -f - <<<"add table inet vnetflow
delete table inet vnetflow"
		case $1 in
		set) "$TEXT" 120 53 6100 | ip netns exec "$P$n" nft -f - ;;
		followed) "$TEXT" 120 53 6100 5201 5301 | ip netns exec "$P$n" nft -f - ;;
		esac
	done
}

# one run: PROTO CASE -> Mbit/s on stdout
run() {
	local proto=$1 args=()
	[ "$proto" = udp ] && args=(-u -b 0 -l 1400)
	rules "$2"
	ip netns exec "${P}a" timeout $((T + 20)) "${PIN[@]}" iperf3 -c 198.18.60.2 -p 5201 --cport 5301 \
		-t "$T" -J "${args[@]}" >"$TMP/out.json"
	if [ "$proto.$2" = udp.followed ]; then
		ip netns exec "${P}b" nft list set inet vnetflow f4 | grep -q '198.18.60.2 . 5201 . 198.18.60.1 . 5301' ||
			{ echo "bench: the followed case did not record the flow" >&2; exit 1; }
	fi
	python3 - "$TMP/out.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))["end"]
s = e.get("sum_received") or e["sum"]
print("%.0f" % (s["bits_per_second"] / 1e6))
PY
	sleep 1
}

cases=(none set followed)
for proto in tcp udp; do
	for r in $(seq 1 "$REPS"); do
		for i in 0 1 2; do
			c=${cases[$(((i + r) % 3))]}
			run "$proto" "$c" >>"$TMP/$proto.$c"
		done
	done
done
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
printf '%-5s %-9s %12s %8s   (median of %d runs of %d s)\n' proto case Mbit/s ratio "$REPS" "$T"
for proto in tcp udp; do
	base=$(med "$TMP/$proto.none")
	for c in "${cases[@]}"; do
		m=$(med "$TMP/$proto.$c")
		printf '%-5s %-9s %12s %8s\n' "$proto" "$c" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.3f", a / b }')"
	done
done
