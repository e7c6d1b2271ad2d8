#!/bin/bash
# VNAT's UDP flows over IPv6 (issue 16): an echo server on one unconnected
# dual-stack socket ([::]:6100, recvfrom/sendto) and a client sending with
# sendto from an unconnected socket bound to fd00:1::10.  CONNS? lists the
# client's flow as FLOW, the client moves to fd00:3::/64 and resumes: the
# server's vnet finds the flow (its wildcard socket owns the port,
# conntrack knows it), the echoes go on, the server sees the new address.
#
#   [cli] eth0 fd00:1::10 ── l1 [rtr] l2 ── eth0 [srv] fd00:2::20
#         eth1 (after the move) fd00:3::10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/udp_flow.sh"
vnat_topo_up
vnat_topo_v6
for ns in cli srv; do
	stateful_fw $ns '{ 4455, 2031 }'
	nsx $ns nft add rule inet fw input udp dport 6100 accept
done
vnat_pair fd00:2::20
[ "$(vc -c vadd -n python3)" = "added python3" ] || die "vadd"

nsx srv timeout 60 python3 "$UDP_ECHO" server 6100 "$TMP/senders" 6 &
wait_for 5 "UDP echo server" ss_has srv -uln "sport = :6100"
nsx cli timeout 60 python3 "$UDP_ECHO" client fd00:2::20 6100 12 "$TMP/echoes" unconnected fd00:1::10 &
cpid=$!
wait_for 10 "20 echoes before the move" echoes_over 20
conns=$(vc -c conns | grep ' \[fd00:2::20\]:6100 ' || true)
[[ $conns =~ ^udp\ \[fd00:1::10\]:[0-9]+\ \[fd00:2::20\]:6100\ \[fd00:1::10\]:[0-9]+\ \[fd00:2::20\]:6100\ FLOW\ [0-9]+\ python3$ ]] ||
	die "conns: $(vc -c conns)"
ok "CONNS?: $conns"

nsx cli ip addr del fd00:1::10/64 dev eth0
nsx cli ip link set eth0 down
nsx cli ip addr add fd00:3::10/64 dev eth1 nodad
nsx cli ip -6 route replace default via fd00:3::1
before=$(echoes)
resume_one cli
wait_for 10 "40 echoes after the move" echoes_over $((before + 40))
new=$(grep -c '^fd00:3::10:' "$TMP/senders" || true)
[ "$new" -gt 20 ] || die "the server saw $new datagrams from the new address"
ok "RESUME over IPv6: $RESUMED; $(($(echoes) - before)) echoes after the move, $new from fd00:3::10 at the server"
kill $cpid
wait $cpid || true
finish
