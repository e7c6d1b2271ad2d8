#!/bin/bash
# VNAT end to end with vnet --vnat on both hosts, under stateful firewalls:
# the processes are on the VNAT lists; the client moves to another LAN;
# `vnetclient -c resume` on the client re-homes its connections (keeping
# its old address on lo, unanswered by ARP on the new LAN), tells the server
# in one VCMP exchange, and two live TCP streams (60 MB each way) go on;
# then the server moves and resumes too (sha256 at the end).  RESUME with
# nothing moved is refused with a reason.  When the streams have closed,
# vnet (still running) removes its tables and the kept addresses.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘ l4 ── eth1 (after its move) 198.18.4.20
. "$(dirname "$0")/lib.sh"
vnat_topo_up four
for ns in cli srv; do
	stateful_fw $ns '{ 4455, 2031, 5001, 5002 }'
done
vnat_pair
[ "$(vc -c vadd -n socat)" = "added socat" ] || die "vadd"
[ "$(vs -c vadd -n socat)" = "added socat" ] || die "vadd on the server"

SIZE=$((60 * 1024 * 1024))	# 12 s at 40 Mbit/s: both moves happen while it flows, on a loaded machine too
shape cli
shape srv
stream up up srv TCP-LISTEN:5001 cli TCP:198.18.2.20:5001 $SIZE		# client -> server
stream down down srv TCP-LISTEN:5002 cli TCP:198.18.2.20:5002 $SIZE	# server -> client
! nsx cli nft list ruleset | grep -q vnet || die "a table of vnet's before anything moved"
ok "streams flowing both ways; no table of vnet's while nothing moved"

out=$(vc -c resume) && die "RESUME with nothing moved accepted: $out"
[[ $out == *"NOK nothing to resume: 2 virtual connection(s), none moved"* ]] || die "RESUME before the move: $out"
ok "RESUME before the move: refused, nothing moved"

# the move: the old address disappears, the new LAN comes up.  Its gateway
# is slow to answer ARP (1.2 s), so the client resolves it while its
# streams' packets, still from the old address, wait: its ARP requests must
# not name the kept address as sender (vnet raises arp_announce), or vnet's
# own ARP rule drops them and RESUME never reaches the server.
[ "$(nsx cli sysctl -n net.ipv4.conf.all.arp_announce)" = 0 ] || die "arp_announce not 0 at start"
nsx rtr sysctl -qw net.ipv4.conf.l3.arp_ignore=8
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
(sleep 1.2; nsx rtr sysctl -qw net.ipv4.conf.l3.arp_ignore=0) &
before_b=$(bytes_in down)
out=$(vc -c resume) || die "RESUME: $out"
[[ $out =~ ^resumed\ 2\ of\ 2\ connection\(s\)\ in\ [0-9.]+\ ms$ ]] || die "RESUME said: $out"
[ "$(nsx cli sysctl -n net.ipv4.conf.all.arp_announce)" = 2 ] || die "arp_announce not 2 while an address is kept"
ok "vnetclient -c resume (the gateway slow to answer ARP): $out"
nsx cli ip -o addr show dev lo | grep -q "198.18.1.10/32" || die "old address not kept on lo"
out=$(vc -c resume) && die "a second RESUME was accepted: $out"
[[ $out == *"NOK nothing to resume: 2 virtual connection(s), none moved"* ]] || die "RESUME twice: $out"
ok "RESUME twice: the second one finds nothing moved"
conns=$(vc -c conns)
for p in 5001 5002; do
	grep -qE "^tcp 198.18.1.10:[0-9]+ 198.18.2.20:$p 198.18.3.10:[0-9]+ 198.18.2.20:$p ESTABLISHED [0-9]+ socat$" <<<"$conns" ||
		die "conns after RESUME: $conns"
done
ok "CONNS?: $(echo "$conns" | tr '\n' ';')"

# the new LAN must not learn the kept address: the router asks for it there.
# Linux answers ARP for any local address, lo's included: 198.18.9.9 on lo
# (not vnet's) shows it, then the kept 198.18.1.10 must get no answer.
neigh_ok() { nsx rtr ip neigh show "$1" dev l3 | grep -qE "REACHABLE|STALE|DELAY|PROBE"; }
nsx cli ip addr add 198.18.9.9/32 dev lo
for a in 198.18.9.9 198.18.1.10; do
	nsx rtr ip route add $a/32 dev l3
	nsx rtr ping -c 2 -W 1 $a >/dev/null 2>&1 || true	# the firewall drops the echo; ARP comes first
done
neigh_ok 198.18.9.9 || die "control: no ARP answer for a plain lo address"
neigh_ok 198.18.1.10 && die "ARP answered for the kept address: $(nsx rtr ip neigh show 198.18.1.10 dev l3)"
nsx cli nft list table arp vnet | grep -qE "counter packets [1-9]" || die "no ARP dropped by vnet's arp table"
for a in 198.18.9.9 198.18.1.10; do nsx rtr ip route del $a/32 dev l3; done
nsx cli ip addr del 198.18.9.9/32 dev lo
ok "no ARP answer for the kept address 198.18.1.10 on the new LAN (the new one answers)"


# the server moves as well, and resumes
wait_for 20 "data after the client's move" rx_over up $(($(bytes_in up) + 4000000))
move_host srv 198.18.2.20 198.18.4.20 198.18.4.1
before2=$(bytes_in up)
out=$(vs -c resume) || die "server RESUME: $out"
[[ $out =~ ^resumed\ 2\ of\ 2\ connection ]] || die "server RESUME said: $out"
ok "server moved too: $out"
conns=$(vc -c conns)
for p in 5001 5002; do
	grep -qE "^tcp 198.18.1.10:[0-9]+ 198.18.2.20:$p 198.18.3.10:[0-9]+ 198.18.4.20:$p ESTABLISHED [0-9]+ socat$" <<<"$conns" ||
		die "client conns after both moves: $conns"
done

stream_end up
stream_end down
[ "$before2" -lt $SIZE ] || die "the transfer ended before the server's move"
[ "$before_b" -lt $SIZE ] || die "the transfer back ended before the client's move"
ok "60 MB intact each way, $((SIZE - before2)) bytes after both moves"

# the connections closed: vnet, still running, removes what it added
wait_for 10 "the client's table and kept address to go" vnat_gone cli 198.18.1.10
wait_for 10 "the server's table and kept address to go" vnat_gone srv 198.18.2.20
grep -q "198.18.1.10 no longer kept" "$TMP/cli.log" || die "the removal is not logged"
[ "$(nsx cli sysctl -n net.ipv4.conf.all.arp_announce)" = 0 ] || die "arp_announce not put back to 0"
ok "connections closed: no table and no kept address left on either host (vnet running)"

finish
for ns in cli srv; do
	! nsx $ns nft list tables | grep -q "table inet vnet" || die "vnet's table left in $ns"
done
! nsx cli ip -o addr show dev lo | grep -q "198.18.1.10" || die "kept address left on lo"
! nsx srv ip -o addr show dev lo | grep -q "198.18.2.20" || die "kept address left on the server's lo"
ok "after exit: no table, no kept address"
