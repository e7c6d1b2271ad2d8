#!/bin/bash
# VNAT over IPv6: a 20 MB TCP stream over IPv6 survives the client's move
# from fd00:1::/64 to fd00:3::/64 under stateful firewalls; VCMP goes over
# IPv6 to the server's dual-stack port 2031 (version 2, family 6); the old
# address is kept on lo (/128) while the stream lives and removed after.
#
#   [cli] eth0 fd00:1::10 ── l1 [rtr] l2 ── eth0 [srv] fd00:2::20
#         eth1 (after the move) fd00:3::10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
vnat_topo_up
vnat_topo_v6
for ns in cli srv; do stateful_fw $ns '{ 4455, 2031, 5001 }'; done
vnat_pair fd00:2::20
[ "$(vc -c vadd -n socat)" = "added socat" ] || die "vadd"

SIZE=$((20 * 1024 * 1024))
shape cli
stream up up srv TCP6-LISTEN:5001 cli TCP6:[fd00:2::20]:5001 $SIZE

# the move, IPv6 only: fd00:1::10 goes with eth0, fd00:3::10 comes on eth1
nsx cli ip addr del fd00:1::10/64 dev eth0
nsx cli ip link set eth0 down
nsx cli ip addr add fd00:3::10/64 dev eth1 nodad
nsx cli ip -6 route replace default via fd00:3::1
before=$(bytes_in up)
out=$(vc -c resume) || die "RESUME: $out"
[[ $out =~ ^resumed\ 1\ of\ 1\ connection\(s\)\ in\ [0-9.]+\ ms$ ]] || die "RESUME said: $out"
grep -q "VNAT_UPD for 1 connection(s): 1 updated, 0 unknown" "$TMP/srv.log" || die "server log"
nsx cli ip -o addr show dev lo | grep -q "fd00:1::10/128" || die "old address not kept on lo"
conns=$(vc -c conns)
[[ $conns =~ ^tcp\ \[fd00:1::10\]:[0-9]+\ \[fd00:2::20\]:5001\ \[fd00:3::10\]:[0-9]+\ \[fd00:2::20\]:5001\ ESTABLISHED\ [0-9]+\ socat$ ]] ||
	die "conns: $conns"
ok "RESUME over IPv6: $out; CONNS?: $conns"

stream_end up
[ "$before" -lt $SIZE ] || die "the transfer ended before the move"
ok "20 MB intact over IPv6, $((SIZE - before)) bytes after the move"
wait_for 10 "the client's table and kept address to go" vnat_gone cli fd00:1::10
wait_for 10 "the server's table to go" vnat_gone srv fd00:2::99
ok "stream closed: nothing of vnet's left"
finish
