#!/bin/bash
# 300 handlers between one proxy and one host, set up over one control
# connection (handles.py speaks the text protocol): every HANDLE answered
# quickly, the 301st refused (--max-handlers), a bounded resident memory per
# handler on both servers, one capture for all on each device.  The last
# handler's VM reaches the LAN; two VMs on two handlers of the proxy's eth0
# never see each other's unicast; closing 150 handlers one by one while a
# VM pings loses none of its pings; after the closes the kernel filter
# refuses frames to a closed handler's address (dev_unmatched unchanged)
# while frames that pass it and no handler takes are still counted.  A LAN
# broadcast crosses once per peer device, not once per handler.
#
#   vm  ── vmnet1 ─┐                           297 handlers with made-up MACs
#   vm2 ── vmnet2 ─┴ [host] 198.18.44.2 ── [rtr] ── [lan] ── [proxy] eth0
#                                                       ├─ [peer] 198.18.42.20
#                                                       ├─ [cli]  (handles.py)
#                                                       └─ [odd]  MAC $ODD_MAC
. "$(dirname "$0")/lib.sh"
N=300
FAKES=297		# made-up VMs on vmnet1; with Y, VM2 and VM1: $N
FIRST=02:00:01:00:00:00
BC=ff:ff:ff:ff:ff:ff
KB_PER_HANDLER=1024	# bound on resident memory per handler (kB), each server
HANDLE_MEDIAN_MS=200	# measured ~5 ms; headroom for a loaded machine
HANDLE_MAX_MS=3000
topo_up two
HOST_DEVS=vmnet2 servers_up "--max-handlers $N"
rss() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
drive() { nsx cli timeout 300 python3 "$(dirname "$0")/handles.py" 198.18.42.2 4455 pw2 "$@"; }
mac_n() { python3 -c "import sys; v=int('${FIRST//:/}',16)+$1; h='%012x'%v; print(':'.join(h[i:i+2] for i in range(0,12,2)))"; }
id_of() { sed -n "s/^OK handler \([0-9]*\) established/\1/p" "$TMP/handles.out" | sed -n "$1p"; }
# handler Y's list also holds ODD_MAC, the MAC of a LAN port that sends
# nothing else: frames from it to Y pass the union filter, and Y refuses
# them (a source in its own list)
Y_MAC=02:00:01:aa:aa:aa
ODD_MAC=02:00:01:bb:bb:bb
mkns odd
link odd eth0 lan oddport
ip -n "${P}lan" link set oddport master sw
ip -n "${P}odd" link set eth0 address $ODD_MAC

rss_p0=$(rss "$PID_proxy")
rss_h0=$(rss "$PID_host")
pre="pw1 local eth0 remote 198.18.44.2 4455"
{
	echo "HANDLES $FAKES $FIRST $BC"
	echo "HANDLE $pre vmnet1 $Y_MAC $ODD_MAC $BC"
	echo "HANDLE $pre vmnet2 $VM2_MAC $BC"
	echo "HANDLE $pre vmnet1 $VM_MAC $BC"
} | drive --handle "$pre vmnet1" --times >"$TMP/handles.out" || die "a HANDLE was refused: $(grep -v '^OK' "$TMP/handles.out" | head -3)"
[ "$(grep -c '^OK handler .* established' "$TMP/handles.out")" = $N ] || die "not $N handlers: $(tail -3 "$TMP/handles.out")"
summary=$(tail -1 "$TMP/handles.out")
median=$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' <<<"$summary")
max=$(sed -n 's/.*max_ms=\([0-9.]*\).*/\1/p' <<<"$summary")
awk -v m="$median" -v x="$max" -v bm=$HANDLE_MEDIAN_MS -v bx=$HANDLE_MAX_MS 'BEGIN { exit !(m < bm && x < bx) }' ||
	die "HANDLE too slow: $summary (bounds: median $HANDLE_MEDIAN_MS ms, max $HANDLE_MAX_MS ms)"
ok "$N HANDLEs on one connection answered OK ($summary)"

# the limit: the next one is refused, before the host is dialled
out=$(echo "HANDLE $pre vmnet1 02:00:02:00:00:01 $BC" | drive) && die "HANDLE $((N + 1)) accepted: $out"
[[ $out == *"NOK too many handlers: this server has $N, its limit (--max-handlers $N)"* ]] || die "HANDLE $((N + 1)): $out"
[ "$(handlers cli 198.18.44.2 pw1 | wc -l)" = $N ] || die "the host has not $N handlers after the refused one"
ok "HANDLE $((N + 1)) refused: ${out#*NOK }"

rss_p1=$(rss "$PID_proxy")
rss_h1=$(rss "$PID_host")
per_p=$(((rss_p1 - rss_p0) / N))
per_h=$(((rss_h1 - rss_h0) / N))
[ $per_p -lt $KB_PER_HANDLER ] && [ $per_h -lt $KB_PER_HANDLER ] ||
	die "memory per handler: proxy $per_p kB, host $per_h kB (bound $KB_PER_HANDLER kB)"
for srv in proxy host; do
	dev=eth0; [ $srv = host ] && dev=vmnet1
	n=$(grep -c "capture on $dev opened" "$TMP/$srv.log")
	[ "$n" = 1 ] || die "$srv opened $n captures on $dev"
done
ok "resident memory per handler: proxy $per_p kB ($rss_p0 -> $rss_p1 kB), host $per_h kB ($rss_h0 -> $rss_h1 kB); one capture per device"

# the last handler's VM reaches the LAN; the two VMs' unicast stays apart
nsx vm ping -c3 -i0.2 -W2 198.18.42.20 >/dev/null || die "the last handler's VM -> LAN peer"
nsx vm2 ping -c2 -W2 198.18.42.20 >/dev/null || die "VM2 -> LAN peer"
ok "the last handler's VM (and VM2) reach the LAN"
probe_unicast $VM_MAC vm vm2
probe_unicast $VM2_MAC vm2 vm
ok "two VMs on two handlers of the proxy's eth0 never see each other's unicast"

# one LAN broadcast: $((FAKES + 2)) handlers to the host's vmnet1 take it, it
# crosses once and VM1 sees it once (VM2, behind its own handler, once too)
nsx vm "$VNET_TOOLS/l2probe" recv eth0 0x88b5 3 promisc >"$TMP/bc1.txt" &
a=$!
nsx vm2 "$VNET_TOOLS/l2probe" recv eth0 0x88b5 3 promisc >"$TMP/bc2.txt" &
b=$!
wait_for 5 "listeners" grep -q listening "$TMP/bc1.txt"
wait_for 5 "listeners" grep -q listening "$TMP/bc2.txt"
nsx peer "$VNET_TOOLS/l2probe" send eth0 $BC 0x88b5 1 one-broadcast
wait $a $b
grep -q "frames=1 first=one-broadcast" "$TMP/bc1.txt" || die "VM1 and the broadcast: $(cat "$TMP/bc1.txt")"
grep -q "frames=1 first=one-broadcast" "$TMP/bc2.txt" || die "VM2 and the broadcast: $(cat "$TMP/bc2.txt")"
ok "one LAN broadcast, taken by $((FAKES + 2)) handlers to vmnet1, reached VM1 once (and VM2 once)"

vm1_id=$(id_of $N)
y_id=$(id_of $((FAKES + 1)))
x_mac=$(mac_n 4)
x_id=$(id_of 5)
unmatched() { stat_of cli 198.18.42.2 pw2 "$vm1_id" dev_unmatched; }
# frames to X while its handler is open: passed by the kernel, taken by X
x_took() { [ "$(stat_of cli 198.18.42.2 pw2 "$x_id" sent_frames)" -ge 20 ]; }
nsx peer "$VNET_TOOLS/l2probe" send eth0 "$x_mac" 0x88b5 20 to-x
wait_for 5 "handler $x_id ($x_mac) taking 20 frames" x_took

# close 150 made-up handlers one by one (X among them) while VM2 pings
nsx vm2 ping -c 300 -i 0.01 -W 2 198.18.42.20 >"$TMP/ping.txt" 2>&1 &
pp=$!
for i in $(seq 1 150); do echo "CLOSE $(id_of "$i")"; echo "SLEEP 0.01"; done | drive >"$TMP/close.out" ||
	die "a CLOSE failed: $(grep -v '^OK' "$TMP/close.out" | head -3)"
wait $pp || die "VM2's ping failed during the closes: $(tail -2 "$TMP/ping.txt")"
grep -q "300 packets transmitted, 300 received" "$TMP/ping.txt" ||
	die "VM2 lost pings while handlers closed: $(grep transmitted "$TMP/ping.txt")"
[ "$(handlers cli 198.18.42.2 pw2 | wc -l)" = $((N - 150)) ] || die "not $((N - 150)) handlers left"
nsx vm ping -c2 -W2 198.18.42.20 >/dev/null || die "VM1 -> LAN after the closes"
ok "150 handlers closed one by one while VM2 pinged: 300 of 300 pings answered"

# the filter after adds and removes: frames to closed X are refused by the
# kernel (not even counted as unmatched) ...
u0=$(unmatched)
nsx peer "$VNET_TOOLS/l2probe" send eth0 "$x_mac" 0x88b5 20 to-closed-x
sleep 1
u1=$(unmatched)
[ "$u1" = "$u0" ] || die "frames to closed handler $x_id's $x_mac reached user space: dev_unmatched $u0 -> $u1"
# ... while frames the union passes and no handler takes (to Y, from an
# address in Y's own list) are counted
nsx odd "$VNET_TOOLS/l2probe" send eth0 "$Y_MAC" 0x88b5 20 to-y
y_counted() { [ "$(unmatched)" -ge $((u1 + 20)) ]; }
wait_for 5 "frames passed by the union filter and refused by Y ($y_id) counted in dev_unmatched (from $u1)" y_counted
u2=$(unmatched)
ok "after $N adds and 150 removes the kernel filter refuses a closed handler's frames (dev_unmatched $u0 -> $u1; passed but refused ones counted: -> $u2)"
finish
