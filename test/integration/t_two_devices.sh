#!/bin/bash
# One server, two devices: the proxy bridges two separate LANs, eth0 (the
# LAN peer) and eth1 (a second LAN with peer2), to two groups of VMs on the
# host, vmnet1 (VM1) and vmnet2 (VM2).  One capture per device; both carry
# a TCP stream at once (VM1 -> peer, peer2 -> VM2), each arrives whole
# (sha256) within a time bound, each handler's counters carry its own
# stream, and neither LAN sees the other's traffic.  Then the first path is
# cut (a drop in rtr for its connection) while the second keeps carrying a
# stream while VM1 floods into the cut one (its queue on the host fills):
# handlers of different devices do not block each other.
#
#   vm  ── vmnet1 ─┐                            ┌─ [lan]  ── [proxy] eth0 ── [peer]  198.18.42.20
#   vm2 ── vmnet2 ─┴ [host] 198.18.44.2 ── [rtr]┤             (-d eth0 eth1)
#                                               └─ (proxy's 198.18.42.2)   eth1 ── [lan2] ── [peer2] 198.18.42.21
. "$(dirname "$0")/lib.sh"
BYTES=$((24 * 1024 * 1024)); [ -n "${VNET_SANITIZED:-}" ] && BYTES=$((8 * 1024 * 1024))
BOUND_S=25
BC=ff:ff:ff:ff:ff:ff
topo_up two
mkns lan2
mkns peer2
ip -n "${P}lan2" link add sw2 type bridge
ip -n "${P}lan2" link set sw2 up
link proxy eth1 lan2 proxyport
link peer2 eth0 lan2 peer2port
ip -n "${P}lan2" link set proxyport master sw2
ip -n "${P}lan2" link set peer2port master sw2
ip -n "${P}peer2" addr add 198.18.42.21/24 dev eth0
start_vnet host host "$PW_H" -h _ -p 4455 -d vmnet1 vmnet2
start_vnet proxy proxy "$PW_P" -h _ -p 4455 -d eth0 eth1
wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
wait_for 10 "vnet on proxy" port_open cli 198.18.42.2 4455
for v in "eth0 vmnet1 $VM_MAC" "eth1 vmnet2 $VM2_MAC"; do
	set -- $v
	client cli -q -p "$PW_P" -h 198.18.42.2 -c handle -b "$PW_H" -d 198.18.44.2 -e "$1" -f "$2" \
		-g local -j "$3" $BC >/dev/null || die "handle $1 <-> $2"
done
# the negative first: VM2's LAN is not VM1's
nsx vm2 ping -c2 -W1 198.18.42.20 >/dev/null 2>&1 && die "VM2 reached peer on the other LAN"
nsx vm ping -c2 -W1 198.18.42.21 >/dev/null 2>&1 && die "VM1 reached peer2 on the other LAN"
nsx vm ping -c2 -W2 198.18.42.20 >/dev/null || die "VM1 -> peer (eth0)"
nsx vm2 ping -c2 -W2 198.18.42.21 >/dev/null || die "VM2 -> peer2 (eth1)"
for d in eth0 eth1; do
	[ "$(grep -c "capture on $d opened" "$TMP/proxy.log")" = 1 ] || die "the proxy opened not one capture on $d"
done
ok "two handlers on two devices of one server: VM1 reaches only eth0's LAN, VM2 only eth1's; one capture each"

id_of_dev() { handlers cli 198.18.42.2 "$PW_P" | awk -v d="$1" '$5 == d { print $1 }'; }
id1=$(id_of_dev eth0)
id2=$(id_of_dev eth1)
[ -n "$id1" ] && [ -n "$id2" ] || die "handler ids: eth0 '$id1', eth1 '$id2': $(handlers cli 198.18.42.2 "$PW_P")"
r1=$(stat_of cli 198.18.42.2 "$PW_P" "$id1" recv_bytes)
s2=$(stat_of cli 198.18.42.2 "$PW_P" "$id2" sent_bytes)
t0=$SECONDS
stream a up peer TCP-LISTEN:5001 vm TCP:198.18.42.20:5001 $BYTES
stream b down peer2 TCP-LISTEN:5002 vm2 TCP:198.18.42.21:5002 $BYTES
stream_end a
stream_end b
dt=$((SECONDS - t0))
[ $dt -le $BOUND_S ] || die "two streams of $BYTES bytes took $dt s (bound $BOUND_S s)"
r1b=$(stat_of cli 198.18.42.2 "$PW_P" "$id1" recv_bytes)
s2b=$(stat_of cli 198.18.42.2 "$PW_P" "$id2" sent_bytes)
[ $((r1b - r1)) -ge $BYTES ] || die "eth0's handler injected $((r1b - r1)) bytes for a $BYTES-byte stream"
[ $((s2b - s2)) -ge $BYTES ] || die "eth1's handler captured $((s2b - s2)) bytes for a $BYTES-byte stream"
ok "both at once: $BYTES bytes VM1 -> peer over eth0 and peer2 -> VM2 over eth1, sha256 equal, in $dt s (handler $id1 injected $((r1b - r1)), handler $id2 sent $((s2b - s2)) bytes)"

# cut eth0's handler's connection in rtr (no reset, no ICMP); eth1's goes on
port1=$(handlers cli 198.18.42.2 "$PW_P" | awk -v d=eth0 '$5 == d { print $4 }')
nsx rtr nft add table inet cut
nsx rtr nft add chain inet cut fw '{ type filter hook forward priority 0; }'
nsx rtr nft add rule inet cut fw tcp sport "$port1" drop
nsx rtr nft add rule inet cut fw tcp dport "$port1" drop
nsx vm ping -c1 -W1 198.18.42.20 >/dev/null 2>&1 && die "VM1's path was not cut (port $port1)"
nsx vm timeout 8 "$VNET_TOOLS/l2probe" send eth0 "$(mac_of "${P}peer" eth0)" 0x88b5 20000 \
	"$(head -c 1400 /dev/zero | tr '\0' x)" >/dev/null 2>&1 &
fl=$!
hid1=$(handlers cli 198.18.44.2 "$PW_H" | awk '$5 == "vmnet1" { print $1 }')
queued1() { [ "$(stat_of cli 198.18.44.2 "$PW_H" "$hid1" queued_bytes)" -gt 100000 ]; }
wait_for 5 "VM1's flood filling its handler's queue on the host (handler $hid1)" queued1
t0=$SECONDS
stream c down peer2 TCP-LISTEN:5003 vm2 TCP:198.18.42.21:5003 $BYTES
stream_end c
dt=$((SECONDS - t0))
q1=$(stat_of cli 198.18.44.2 "$PW_H" "$hid1" queued_bytes)
kill $fl 2>/dev/null || true
wait $fl 2>/dev/null || true
[ $dt -le $BOUND_S ] || die "eth1's stream took $dt s while eth0's path was cut (bound $BOUND_S s)"
nsx rtr nft delete table inet cut
ok "eth0's handler's path cut (its port $port1 dropped in rtr) and flooded by VM1 ($q1 bytes queued on the host): $BYTES bytes peer2 -> VM2 over eth1 in $dt s, sha256 equal"
wait_for 20 "VM1's handler back after the cut" nsx vm ping -c1 -W1 198.18.42.20
ok "VM1's handler carries traffic again once the path is back"
finish
