#!/bin/bash
# The VNAT translation design, before the daemon drives it: a live TCP
# stream survives when the client moves to another LAN and gets a new
# address, and then when the server moves too, with vnat/nftx's batches
# applied on both hosts (test/tools/vnat-tr) and a stateful firewall on both
# (ct state established,related accept; invalid drop; policy drop).
# Conntrack only ever sees the virtual tuple.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘ l4 ── eth1 (after its move) 198.18.4.20
. "$(dirname "$0")/lib.sh"
vnat_topo_up four
for ns in cli srv; do
	stateful_fw $ns '5001'
	nsx $ns "$VNET_TOOLS/vnat-tr" reset || die "vnat-tr reset in $ns"
done
# 40 Mbit/s on the client's links, so that 20 MB take a few seconds
for dev in eth0 eth1; do nsx cli tc qdisc add dev $dev root tbf rate 40mbit burst 64kbit latency 200ms; done

SIZE=$((30 * 1024 * 1024))
head -c $SIZE /dev/urandom >"$TMP/tx.bin"
nsx srv timeout 60 socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$TMP/rx.bin",creat,trunc &
lpid=$!
wait_for 5 "server listening" ss_has srv -tln "sport = :5001"
nsx cli timeout 60 socat -u OPEN:"$TMP/tx.bin" TCP:198.18.2.20:5001 &
spid=$!
rx_over() { [ "$(stat -c %s "$TMP/rx.bin" 2>/dev/null || echo 0)" -gt "$1" ]; }
wait_for 10 "data flowing" rx_over 2000000
lport=$(nsx cli ss -Htn "dport = :5001" | awk '{split($4, a, ":"); print a[2]}')
[ -n "$lport" ] || die "no client connection"

# the move: the old address stays usable locally (on lo), the new LAN is eth1
before=$(stat -c %s "$TMP/rx.bin")
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
nsx cli ip addr add 198.18.1.10/32 dev lo
# without translation the stream stalls: the server knows only 198.18.1.10
sleep 0.5
stalled=$(stat -c %s "$TMP/rx.bin")
sleep 1.5
[ "$(stat -c %s "$TMP/rx.bin")" = "$stalled" ] || die "data flowed after the move without translation"
ok "after the move, without translation, the stream stalls at $stalled bytes"
nsx cli "$VNET_TOOLS/vnat-tr" add 1 tcp 198.18.1.10:$lport 198.18.3.10:$lport \
	198.18.2.20:5001 198.18.2.20:5001 base || die "client translation"
nsx srv "$VNET_TOOLS/vnat-tr" add 1 tcp 198.18.2.20:5001 198.18.2.20:5001 \
	198.18.1.10:$lport 198.18.3.10:$lport base || die "server translation"
ok "client moved to 198.18.3.10 with $before bytes sent; translations applied"


# then the server moves as well: both ends of the connection have moved
wait_for 20 "data after the client's move" rx_over $((before + 4000000))
before2=$(stat -c %s "$TMP/rx.bin")
move_host srv 198.18.2.20 198.18.4.20 198.18.4.1
nsx srv ip addr add 198.18.2.20/32 dev lo
nsx cli "$VNET_TOOLS/vnat-tr" del 1 tcp 198.18.1.10:$lport 198.18.3.10:$lport \
	198.18.2.20:5001 198.18.2.20:5001 || die "client translation removal"
nsx cli "$VNET_TOOLS/vnat-tr" add 1 tcp 198.18.1.10:$lport 198.18.3.10:$lport \
	198.18.2.20:5001 198.18.4.20:5001 || die "client translation, both moved"
nsx srv "$VNET_TOOLS/vnat-tr" del 1 tcp 198.18.2.20:5001 198.18.2.20:5001 \
	198.18.1.10:$lport 198.18.3.10:$lport || die "server translation removal"
nsx srv "$VNET_TOOLS/vnat-tr" add 1 tcp 198.18.2.20:5001 198.18.4.20:5001 \
	198.18.1.10:$lport 198.18.3.10:$lport || die "server translation, both moved"
ok "server moved to 198.18.4.20 with $before2 bytes received; translations updated"

wait $spid || die "the sender failed after the moves"
wait $lpid || die "the receiver failed"
[ "$(sum256 "$TMP/tx.bin")" = "$(sum256 "$TMP/rx.bin")" ] ||
	die "sha256 differs: $(stat -c %s "$TMP/rx.bin") bytes arrived"
[ "$before2" -lt $SIZE ] || die "the transfer ended before the server's move"
ok "30 MB arrived intact, $((SIZE - before2)) bytes of them after both moves"
# conntrack saw the virtual tuple only
nsx srv conntrack -L 2>/dev/null | grep -q 'src=198.18.1.10 dst=198.18.2.20' ||
	die "no conntrack entry with the virtual tuple on the server"
for ns in cli srv; do
	nsx $ns conntrack -L 2>/dev/null | grep -Eq '198\.18\.(3\.10|4\.20)' &&
		die "conntrack in $ns saw a physical address"
done
for ns in cli srv; do
	nsx $ns "$VNET_TOOLS/vnat-tr" destroy || die "vnat-tr destroy in $ns"
	! nsx $ns nft list tables | grep -q "inet vnet" || die "table left in $ns"
done
ok "conntrack saw only virtual tuples; tables removed"
