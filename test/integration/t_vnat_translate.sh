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
shape cli

SIZE=$((30 * 1024 * 1024))
stream up up srv TCP-LISTEN:5001 cli TCP:198.18.2.20:5001 $SIZE
wait_for 10 "data flowing" rx_over up 2000000
lport=$(nsx cli ss -Htn "dport = :5001" | awk '{split($4, a, ":"); print a[2]}')
[ -n "$lport" ] || die "no client connection"

# the move: the old address stays usable locally (on lo), the new LAN is eth1
before=$(bytes_in up)
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
nsx cli ip addr add 198.18.1.10/32 dev lo
# without translation the stream stalls: the server knows only 198.18.1.10
sleep 0.5
stalled=$(bytes_in up)
sleep 1.5
[ "$(bytes_in up)" = "$stalled" ] || die "data flowed after the move without translation"
ok "after the move, without translation, the stream stalls at $stalled bytes"
nsx cli "$VNET_TOOLS/vnat-tr" add 1 tcp 198.18.1.10:$lport 198.18.3.10:$lport \
	198.18.2.20:5001 198.18.2.20:5001 base || die "client translation"
nsx srv "$VNET_TOOLS/vnat-tr" add 1 tcp 198.18.2.20:5001 198.18.2.20:5001 \
	198.18.1.10:$lport 198.18.3.10:$lport base || die "server translation"
ok "client moved to 198.18.3.10 with $before bytes sent; translations applied"


# then the server moves as well: both ends of the connection have moved
wait_for 20 "data after the client's move" rx_over up $((before + 4000000))
before2=$(bytes_in up)
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

stream_end up
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
