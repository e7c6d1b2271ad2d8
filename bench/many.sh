#!/bin/bash
# bench/many.sh: one proxy for many VMs (issue 14).  On the namespace
# topology of test/integration/lib.sh (names vm<pid>...), with 1, 10, 100
# and 1000 handlers present between the proxy and the host (the VMs' own
# and made-up ones, set up over one control connection by
# test/integration/handles.py), in one run: resident memory per handler on
# each server, the median time of the HANDLEs that reached that count, one
# VM's iperf3 TCP throughput VM -> LAN peer and ping RTT, and the aggregate
# throughput of 4 VMs at once (from 10 handlers on: the four VMs' handlers
# are among them).  The first row is the baseline: each figure of the others
# is also shown as a ratio to it.  Not a timed test; t_many_handlers
# asserts the bounds.
#
#   LEVELS="1 10 100 1000"  T=5 (iperf3 seconds)  PINGS=50
#   VNET_BIN=...  (another build's bin/ to measure that one)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/target.sh"
[ "$(id -u)" = 0 ] || { echo "bench: run as root (network namespaces)" >&2; exit 1; }
LEVELS=${LEVELS:-"1 10 100 1000"} T=${T:-5} PINGS=${PINGS:-50}
VNET_NS_PREFIX=vm
. "$ROOT/test/integration/lib.sh"
BC=ff:ff:ff:ff:ff:ff
MAX=$(tr ' ' '\n' <<<"$LEVELS" | sort -n | tail -1)

topo_up two
mkns vm3; mkns vm4
vm_bridge host vmnet3 vm3 vmport3 02:00:00:00:42:13 198.18.42.13
vm_bridge host vmnet4 vm4 vmport4 02:00:00:00:42:14 198.18.42.14
HOST_DEVS="vmnet2 vmnet3 vmnet4" servers_up "--max-handlers $((MAX + 4))"
rss() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
drive() { nsx cli timeout 900 python3 "$ROOT/test/integration/handles.py" 198.18.42.2 4455 pw2 "$@"; }
pre="pw1 local eth0 remote 198.18.44.2 4455"
rss_p0=$(rss "$PID_proxy")
rss_h0=$(rss "$PID_host")
for p in 5201 5202 5203 5204; do nsx peer iperf3 -s -p $p -D --logfile "$TMP/iperf-$p.log"; done
wait_for 10 "iperf3 servers" ss_has peer -tln "sport = :5204"

# iperf3 from VM NS to port PORT: Mbit/s received
iperf() {
	nsx "$1" timeout $((T + 20)) iperf3 -c 198.18.42.20 -p "$2" -t "$T" -J 2>/dev/null |
		python3 -c 'import json,sys; print("%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))'
}
rtt() {
	nsx vm ping -c "$PINGS" -i 0.02 -q -W 1 198.18.42.20 | awk -F/ '/^rtt/ { print $5 }'
}
aggregate() {
	local i pids=()
	for i in 1 2 3 4; do
		local ns=vm$i; [ $i = 1 ] && ns=vm
		iperf $ns 520$i >"$TMP/agg.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	cat "$TMP"/agg.? | awk '{ s += $1 } END { print s }'
}

have=0 fake=0
printf '%-9s %-12s %-12s %-12s %-13s %-10s %-12s\n' handlers "proxy kB/h" "host kB/h" "HANDLE ms" "1 VM Mbit/s" "RTT ms" "4 VMs Mbit/s"
for L in $LEVELS; do
	{
		if [ $have = 0 ]; then echo "HANDLE $pre vmnet1 $VM_MAC $BC"; fi
		if [ $have -lt 4 ] && [ "$L" -ge 4 ]; then
			echo "HANDLE $pre vmnet2 $VM2_MAC $BC"
			echo "HANDLE $pre vmnet3 02:00:00:00:42:13 $BC"
			echo "HANDLE $pre vmnet4 02:00:00:00:42:14 $BC"
		fi
	} >"$TMP/reqs"
	vms=$(( $(wc -l <"$TMP/reqs") ))
	n=$((L - have - vms))
	[ $n -le 0 ] || echo "HANDLES $n $(python3 -c "h='%012x' % (0x020001000000 + $fake); print(':'.join(h[i:i+2] for i in range(0, 12, 2)))") $BC" >>"$TMP/reqs"
	drive --handle "$pre vmnet1" --times <"$TMP/reqs" >"$TMP/handles.out" ||
		die "a HANDLE was refused: $(grep -v '^OK' "$TMP/handles.out" | head -2)"
	[ $n -le 0 ] || fake=$((fake + n))
	have=$L
	ms=$(tail -1 "$TMP/handles.out" | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p')
	sleep 1
	kp=$(( ($(rss "$PID_proxy") - rss_p0) / L ))
	kh=$(( ($(rss "$PID_host") - rss_h0) / L ))
	wait_for 10 "VM -> peer" nsx vm ping -c1 -W1 198.18.42.20
	one=$(iperf vm 5201)
	r=$(rtt)
	agg=-
	[ "$L" -lt 4 ] || agg=$(aggregate)
	if [ -z "${B_ONE:-}" ]; then B_ONE=$one B_RTT=$r; fi
	[ "$agg" = - ] || [ -n "${B_AGG:-}" ] || B_AGG=$agg
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "" || a == "-") print ""; else printf " (%.2f)", a / b }'; }
	printf '%-9s %-12s %-12s %-12s %-13s %-10s %-12s\n' "$L" "$kp" "$kh" "$ms" \
		"$one$(ratio "$one" "$B_ONE")" "$r$(ratio "$r" "$B_RTT")" "$agg$(ratio "$agg" "${B_AGG:-}")"
	if [ "$L" = 1000 ]; then
		G_MEM=$(( (kp > kh ? kp : kh) * 1000 / 1024 )) G_ONE=$(bench_ratio "$one" "$B_ONE") G_MS=$ms
	fi
done
bench_target "1000 handlers in under 1 GB per server" "${G_MEM:-}" "v < 1024" "${G_MEM:-} MB"
bench_target "one VM with 1000 handlers within 10% of alone" "${G_ONE:-}" "v >= 90" "${G_ONE:-}%"
bench_target "HANDLE under 50 ms at 1000" "${G_MS:-}" "v < 50" "${G_MS:-} ms"
finish 2>/dev/null
