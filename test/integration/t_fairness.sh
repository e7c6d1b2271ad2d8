#!/bin/bash
# Fairness on one device: VM1 and VM2 behind the proxy's eth0 on two
# handlers.  VM1 runs iperf3 at full speed (the LAN peer sends, so the bulk
# goes through the proxy's one capture of eth0, as VM2's echo replies do);
# VM2's ping RTT is measured idle and under that load.  The goal (issue 14)
# is a loaded median within twice the idle one: bench/fairness.sh measures
# that; here, on a shared 2-core machine, the median under load must stay
# within FACTOR x idle + SLACK_MS, and VM1's throughput must be real.
#
#   vm  ── vmnet1 ─┐                                        ┌─ [peer] iperf3 -s, pinged
#   vm2 ── vmnet2 ─┴ [host] 198.18.44.2 ── [rtr] ── [lan] ──┤
#                                                            └─ [proxy] eth0 (2 handlers)
. "$(dirname "$0")/lib.sh"
FACTOR=3 SLACK_MS=1
[ -n "${VNET_SANITIZED:-}" ] && FACTOR=4 SLACK_MS=2
LOAD_S=6; [ -n "${VNET_SANITIZED:-}" ] && LOAD_S=4
MIN_MBIT=50; [ -n "${VNET_SANITIZED:-}" ] && MIN_MBIT=10
topo_up two
two_vm_handlers
ok "two handlers on the proxy's eth0, VM1 and VM2 reach the LAN peer"

nsx vm2 ping -c 20 -i 0.05 -W 2 198.18.42.20 >"$TMP/idle.txt" || die "idle ping"
idle=$(rtt_median "$TMP/idle.txt") || die "no RTT in the idle ping"

nsx peer timeout $((LOAD_S + 15)) iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
srv=$!
wait_for 5 "iperf3 server" ss_has peer -tln "sport = :5201"
nsx vm timeout $((LOAD_S + 10)) iperf3 -c 198.18.42.20 -R -t "$LOAD_S" -p 5201 -J >"$TMP/iperf.json" 2>&1 &
cl=$!
sleep 1.5	# past slow start
n=$(((LOAD_S - 3) * 10))
nsx vm2 ping -c $n -i 0.1 -W 2 198.18.42.20 >"$TMP/load.txt" || die "VM2's ping under load: $(tail -2 "$TMP/load.txt")"
wait $cl || die "iperf3 failed: $(tail -5 "$TMP/iperf.json")"
wait $srv 2>/dev/null || true
loaded=$(rtt_median "$TMP/load.txt") || die "no RTT under load"
mbit=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6))' "$TMP/iperf.json")
grep -q " 0% packet loss" "$TMP/load.txt" || die "VM2 lost pings under load: $(grep transmitted "$TMP/load.txt")"
[ "$mbit" -ge $MIN_MBIT ] || die "VM1's iperf3: $mbit Mbit/s, no load (want >= $MIN_MBIT)"
awk -v l="$loaded" -v i="$idle" -v f=$FACTOR -v s=$SLACK_MS 'BEGIN { exit !(l <= f * i + s) }' ||
	die "VM2's median RTT $loaded ms under VM1's $mbit Mbit/s, idle $idle ms (bound $FACTOR x idle + $SLACK_MS ms)"
ok "VM2's median RTT: idle $idle ms, $loaded ms while VM1 ran $mbit Mbit/s through the same capture ($n pings, none lost)"
finish
