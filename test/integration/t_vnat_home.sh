#!/bin/bash
# Away and back home: the client moves to another LAN and resumes, then
# comes back to its first LAN with its first address and resumes again.
# The connection is then its own virtual tuple again: no translation is
# left on either host, the address is no longer kept on lo nor hidden from
# ARP, and the 20 MB stream arrives intact.
#
#   [cli] eth0 198.18.1.10 (home, and again after) ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 198.18.3.10 (away) ── l3 ┘
. "$(dirname "$0")/lib.sh"
vnat_topo_up
for ns in cli srv; do stateful_fw $ns '{ 4455, 2031, 5001 }'; done
vnat_pair
[ "$(vc -c vadd -n socat)" = "added socat" ] || die "vadd"
shape cli
stream up up srv TCP-LISTEN:5001 cli TCP:198.18.2.20:5001 $((20 * 1024 * 1024))

move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
out=$(vc -c resume) || die "RESUME away: $out"
[[ $out =~ ^resumed\ 1\ of\ 1 ]] || die "RESUME away said: $out"
nsx cli nft list table inet vnet >/dev/null || die "no translation while away"
wait_for 10 "data while away" rx_over up $(($(bytes_in up) + 2000000))
ok "away: $out"

# home again: the first address back on eth0, the other LAN gone
come_home cli 198.18.1.10 198.18.3.10 198.18.1.1
out=$(vc -c resume) || die "RESUME at home: $out"
[[ $out =~ ^resumed\ 1\ of\ 1\ connection\(s\)\ in\ [0-9.]+\ ms$ ]] || die "RESUME at home said: $out"
for ns in cli srv; do
	! nsx $ns nft list ruleset | grep -q vnet || die "a table of vnet's left in $ns at home"
done
! nsx cli ip -o addr show dev lo | grep -q 198.18.1.10 || die "198.18.1.10 still kept on lo"
nsx rtr ip neigh show 198.18.1.10 dev l1 | grep -qE "REACHABLE|STALE|DELAY|PROBE" ||
	die "the router has no neighbour entry for the address at home"
conns=$(vc -c conns)
[[ $conns =~ ^tcp\ 198.18.1.10:([0-9]+)\ 198.18.2.20:5001\ 198.18.1.10:([0-9]+)\ 198.18.2.20:5001\ ESTABLISHED ]] ||
	die "conns at home: $conns"
wait_for 10 "data at home" rx_over up $(($(bytes_in up) + 2000000))
ok "home: $out; no translation, no kept address, ARP answered"
stream_end up
ok "20 MB intact: home, away, home"
finish
