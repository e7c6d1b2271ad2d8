#!/bin/bash
# Where nothing uses conntrack (issue 16, the scenario as reported): no
# firewall on either host, so the kernel tracks nothing; a connected UDP
# client, an unconnected echo server, both hosts `vnet --vnat` with
# `vadd -n '*'`.  vnet does not turn conntrack on (every packet of the host
# would then go through it): it follows the flows itself in table inet
# vnetflow (vnat/flowset), whose sets only UDP packets of ports that
# unconnected sockets own touch.  The server lists the flow (FLOW), accepts
# the update after the client's host moves ("1 updated, 0 unknown"), the
# echoes resume, and conntrack still tracks nothing on either host; a
# SUSPEND then pins the flow in the server's set (timeout an hour).  The
# same behind a stateful firewall, through conntrack: t_vnat_udp_flow.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/udp_flow.sh"
ct_empty() {
	[ -z "$(nsx "$1" conntrack -L 2>/dev/null)" ] ||
		die "conntrack tracks in $1: the test proves nothing ($(nsx "$1" conntrack -L 2>&1 | head -3))"
}
vnat_topo_up
vnat_pair
[ "$(vc -c vadd -n '*')" = "added *" ] || die "vadd"
[ "$(vs -c vadd -n '*')" = "added *" ] || die "vadd on the server"
udp_echo_up 12 connected
ct_empty cli
ct_empty srv
wait_for 10 "the server's flow set" eval 'nsx srv nft list set inet vnetflow f4 2>/dev/null | grep -q "198.18.2.20 . 6100 . 198.18.1.10 . "'
conns=$(vs -c conns | grep ' 198.18.2.20:6100 198.18.1.10:' || true)
[[ $conns == "udp 198.18.2.20:6100 198.18.1.10:"*" FLOW "*" python3" ]] || die "server conns: $(vs -c conns)"
grep -q "followed in table inet vnetflow" "$TMP/srv.log" || die "the server's log does not say so"
ok "no conntrack: the server follows the flow itself: $conns"

move_resume
wait_for 10 "40 echoes after the move" echoes_over $((before + 40))
gap=$(awk -v t="$t_move" '$1 > t - 2 { if (p) { g = $1 - p; if (g > m) m = g } p = $1 } END { printf "%.2f", m }' "$TMP/echoes")
awk -v g="$gap" 'BEGIN { exit !(g < 5.0) }' || die "echoes stopped for $gap s around the move"
ct_empty cli
ct_empty srv
ok "echoes resumed: $before before the move, $(($(echoes) - before)) after, longest gap $gap s; conntrack still tracks nothing on either host"
# SUSPEND: the server pins the flow in its set (an hour), as in conntrack
out=$(vc -c suspend) || die "SUSPEND: $out"
[[ $out == "suspended 1 connection(s); 1 of 1 peer(s) told, 1 connection(s) confirmed" ]] || die "SUSPEND said: $out"
grep -q "flows: 1 of 1 UDP flow(s) pinned" "$TMP/srv.log" || die "not pinned on the server: $(grep flows "$TMP/srv.log")"
pinned=$(nsx srv nft list set inet vnetflow f4 | grep -o '198.18.2.20 . 6100 . 198.18.1.10 . [0-9]* timeout 1h' || true)
[ -n "$pinned" ] || die "the server's flow set: $(nsx srv nft list set inet vnetflow f4)"
ok "SUSPEND: the server pinned the flow in its set: $pinned"
kill $ECHO_CPID
wait $ECHO_CPID || true
finish
