#!/bin/bash
# Back-pressure: the WAN is shaped to 20 Mbit/s and the VM floods UDP at
# 400 Mbit/s.  The host's server drops frames and counts them (drop_queue)
# instead of queueing; its memory stays bounded; once the flood ends the
# queue drains and the handler still carries traffic.  Without and with TLS.
. "$(dirname "$0")/lib.sh"
topo_up
nsx rtr tc qdisc add dev wan root tbf rate 20mbit burst 32kbit latency 100ms
nsx host tc qdisc add dev eth0 root tbf rate 20mbit burst 32kbit latency 100ms
for S in "" -s; do
	start_vnet host host pw1 $S -h _ -p 4455 -d vmnet1 --queue-limit 512
	start_vnet proxy proxy pw2 $S -h _ -p 4455 -d eth0
	wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
	wait_for 10 "vnet on proxy" port_open cli 198.18.42.2 4455
	client cli $S -q -p pw2 -h 198.18.42.2 -c handle -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 -g local \
		-j $VM_MAC ff:ff:ff:ff:ff:ff >/dev/null || die "handle"
	nsx vm ping -c2 -W2 198.18.42.20 >/dev/null || die "ping before the flood"
	rss() { awk '/^VmHWM/ {print $2}' "/proc/$PID_host/status"; }
	before=$(rss)

	nsx peer timeout 20 iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
	srv=$!
	wait_for 5 "iperf3 server" ss_has peer -tln "sport = :5201"
	nsx vm timeout 20 iperf3 -c 198.18.42.20 -u -b 400M -l 1400 -t 4 -p 5201 >"$TMP/iperf.txt" 2>&1 || true
	wait $srv 2>/dev/null || true
	after=$(rss)
	dq=$(stat_of cli 198.18.44.2 "pw1 $S" 1 drop_queue)
	sent=$(stat_of cli 198.18.44.2 "pw1 $S" 1 sent_bytes)
	[ "${dq:-0}" -gt 1000 ] || die "drop_queue=$dq: no frames dropped by the flood"
	ok "${S:-plain}: flood: $dq frames dropped and counted, $sent bytes sent"
	growth=$(( (after - before) / 1024 ))
	[ $growth -lt 48 ] || die "peak memory grew by $growth MiB under the flood (from $before KiB)"
	ok "${S:-plain}: peak memory grew by $growth MiB (queue limit 512 KiB)"
	wait_for 10 "queue to drain" test "$(stat_of cli 198.18.44.2 "pw1 $S" 1 queued_bytes)" -lt 4096
	nsx vm ping -c3 -i0.2 -W2 198.18.42.20 >/dev/null || die "ping after the flood"
	ok "${S:-plain}: queue drained; traffic flows after the flood"
	# for good, or the proxy would bring it back at its next start
	client cli $S -q -p pw2 -h 198.18.42.2 -c close -i 1 >/dev/null || die "close"
	stop_vnet host
	stop_vnet proxy
done
finish
