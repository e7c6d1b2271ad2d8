#!/bin/bash
# The server-wide bound on queued bytes (--queue-total) over the
# per-handler one (--queue-limit): 30 handlers on the proxy's eth0, each
# allowed 256 KiB, all together 1 MiB; the path to the host is shaped to
# 4 Mbit/s and the LAN peer floods frames to all 30 VMs at once.  The total
# queued, scraped from /metrics (vnet_queued_bytes, and the sum of
# vnet_handler_queued_bytes) while the flood lasts, stays within 1 MiB (a
# frame over at most); the excess is counted in drop_queue_total; nothing
# crashes, the queues drain, and the VM's handler carries traffic after.
#
#   vm ── vmnet1 [host] 198.18.44.2 ── [rtr] 4 Mbit/s ── [lan] ── [proxy] eth0
#                                                           ├─ [peer] floods 30 MACs
#                                                           └─ [cli]  (handles.py)
. "$(dirname "$0")/lib.sh"
FAKES=29
FIRST=02:00:03:00:00:00
BC=ff:ff:ff:ff:ff:ff
TOTAL=$((1 << 20))
SLACK=$((64 * 1024))	# one frame (with its header) may cross the bound
SCRAPE=$(cd "$(dirname "$0")/../tools" && pwd)/prom_scrape.py
FLOOD_S=4; [ -n "${VNET_SANITIZED:-}" ] && FLOOD_S=3
topo_up
nsx rtr tc qdisc add dev wan root tbf rate 4mbit burst 32kbit latency 200ms
start_vnet host host "$PW_H" -h _ -p 4455 -d vmnet1
start_vnet proxy proxy "$PW_P" -h _ -p 4455 -d eth0 --queue-limit 256 --queue-total 1 \
	--metrics 127.0.0.1:9100
wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
wait_for 10 "vnet on proxy" port_open cli 198.18.42.2 4455
wait_for 10 "metrics on proxy" port_open proxy 127.0.0.1 9100

pre="pw1 local eth0 remote 198.18.44.2 4455"
{
	echo "HANDLES $FAKES $FIRST $BC"
	echo "HANDLE $pre vmnet1 $VM_MAC $BC"
} | nsx cli timeout 60 python3 "$(dirname "$0")/handles.py" 198.18.42.2 4455 "$PW_P" \
	--handle "$pre vmnet1" >"$TMP/handles.out" || die "a HANDLE was refused: $(grep -v '^OK' "$TMP/handles.out" | head -3)"
N=$(grep -c '^OK handler .* established' "$TMP/handles.out")
[ "$N" = $((FAKES + 1)) ] || die "$N handlers, not $((FAKES + 1))"
nsx vm ping -c2 -W2 198.18.42.20 >/dev/null || die "ping before the flood"
ok "$N handlers on the proxy's eth0 (--queue-limit 256 KiB each, --queue-total 1 MiB)"

# queued: "TOTAL SUM": vnet_queued_bytes and the sum over the handlers
queued() {
	nsx proxy "$SCRAPE" http://127.0.0.1:9100/metrics vnet_queued_bytes:gauge \
		vnet_handler_queued_bytes:gauge 2>/dev/null |
		awk -F'|' '$1 == "vnet_queued_bytes" { t = $3 } $1 == "vnet_handler_queued_bytes" { s += $3 }
			END { printf "%d %d\n", t, s }'
}
# the flood: 1400-byte frames to the 30 MACs in turn, for FLOOD_S seconds
nsx peer timeout $((FLOOD_S + 5)) python3 - "$FIRST" $FAKES "$VM_MAC" $FLOOD_S <<'PY' &
import socket, sys, time
first, n, vm, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
base = int(first.replace(":", ""), 16)
macs = [(base + i).to_bytes(6, "big") for i in range(n)] + [bytes.fromhex(vm.replace(":", ""))]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
src = bytes.fromhex("020000004220")
frames = [m + src + b"\x88\xb5" + bytes(1386) for m in macs]
end = time.monotonic() + secs
while time.monotonic() < end:
    for f in frames:
        try:
            s.send(f)
        except OSError:
            pass
PY
flood=$!
max_t=0 max_s=0 samples=0
end=$((SECONDS + FLOOD_S + 3))
while kill -0 $flood 2>/dev/null && [ $SECONDS -lt $end ]; do
	read -r t s <<<"$(queued)"
	samples=$((samples + 1))
	[ "${t:-0}" -gt $max_t ] && max_t=$t
	[ "${s:-0}" -gt $max_s ] && max_s=$s
	sleep 0.2
done
wait $flood || true
kill -0 "$PID_proxy" 2>/dev/null || die "the proxy's vnet died under the flood"
[ $samples -ge 3 ] || die "only $samples scrapes during the flood"
[ $max_t -le $((TOTAL + SLACK)) ] && [ $max_s -le $((TOTAL + SLACK)) ] ||
	die "queued over --queue-total 1 MiB: vnet_queued_bytes up to $max_t, handlers' sum up to $max_s"
# the bound was reached: without it 30 x 256 KiB could wait
[ $max_t -ge $((TOTAL / 2)) ] || die "the queues never filled (vnet_queued_bytes at most $max_t): the test tests nothing"
dqt=0
for i in $(seq 1 "$N"); do
	v=$(stat_of cli 198.18.42.2 "$PW_P" "$i" drop_queue_total)
	dqt=$((dqt + ${v:-0}))
done
[ $dqt -gt 100 ] || die "drop_queue_total summed over the handlers: $dqt (want > 100)"
ok "flood of ${FLOOD_S}s to $N VMs: at most $max_t bytes queued (handlers' sum at most $max_s; bound $TOTAL, $samples scrapes); $dqt frames counted in drop_queue_total"

drained() { local t s; read -r t s <<<"$(queued)"; [ "$t" -lt 4096 ] && [ "$s" -lt 4096 ]; }
wait_for 20 "the queues to drain" drained
# the kernel's side of each link may still hold tens of KiB of the flood,
# paced at the share the congestion left (BBR takes seconds to probe back
# up): the VM's pings are answered once that is through
t0=$SECONDS
wait_for 20 "the VM's ping to be answered after the flood" nsx vm ping -c1 -W1 198.18.42.20
ok "queues drained (vnet_queued_bytes $(queued | cut -d' ' -f1)); the VM's handler carries traffic $((SECONDS - t0)) s after"
finish
