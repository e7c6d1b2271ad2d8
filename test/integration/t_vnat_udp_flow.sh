#!/bin/bash
# VNAT and an unconnected UDP server (seed 001, 3.4.1; issue 16): a client
# on a connected UDP socket sends a datagram every 50 ms to an echo server
# that answers with recvfrom/sendto on one unconnected socket.  The
# client's host moves and runs RESUME: the server's vnet accepts the update
# for the flow (its socket owns the port, conntrack knows the flow), its
# replies to the old address go to the new one, and the echoes resume
# within a bounded gap.  Without `hide` the server sees the truth: the new
# sender address after the move.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20 (stateful firewall)
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
ECHO="$(dirname "$0")/udp_echo.py"
vnat_topo_up
# the server's firewall is what makes conntrack track there (vnat/flows.h)
stateful_fw srv '{ 4455, 2031 }'
nsx srv nft add rule inet fw input udp dport 6100 accept
vnat_pair
[ "$(vc -c vadd -n '*')" = "added *" ] || die "vadd"
[ "$(vs -c vadd -n '*')" = "added *" ] || die "vadd on the server"

nsx srv timeout 60 python3 "$ECHO" server 6100 "$TMP/senders" &
wait_for 5 "UDP echo server" ss_has srv -uln "sport = :6100"
nsx cli timeout 60 python3 "$ECHO" client 198.18.2.20 6100 24 "$TMP/echoes" connected &
cpid=$!
echoes() { wc -l <"$TMP/echoes" 2>/dev/null || echo 0; }
echoes_over() { [ "$(echoes)" -gt "$1" ]; }
wait_for 10 "20 echoes before the move" echoes_over 20
conns=$(vc -c conns | grep ' 198.18.2.20:6100 ' || true)
[[ $conns == "udp 198.18.1.10:"*" 198.18.2.20:6100 198.18.1.10:"*" 198.18.2.20:6100 CONNECTED "*" python3" ]] ||
	die "conns: $(vc -c conns)"
ok "CONNS? on the client: $conns"

move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
before=$(echoes)
t_move=$(date +%s.%N)
out=$(vc -c resume) || die "RESUME: $out"
[[ $out =~ ^resumed\ 1\ of\ 1\ connection ]] || die "RESUME said: $out | server: $(grep VNAT_UPD "$TMP/srv.log")"
grep -q "VNAT_UPD for 1 connection(s): 1 updated, 0 unknown" "$TMP/srv.log" ||
	die "the server did not update the flow: $(grep VNAT_UPD "$TMP/srv.log")"
ok "RESUME: $out; the server: 1 updated, 0 unknown"
wait_for 10 "40 echoes after the move" echoes_over $((before + 40))

# the longest silence between two echoes, from a little before the move on
gap=$(awk -v t="$t_move" '$1 > t - 2 { if (p) { g = $1 - p; if (g > m) m = g } p = $1 } END { printf "%.2f", m }' "$TMP/echoes")
awk -v g="$gap" 'BEGIN { exit !(g < 5.0) }' || die "echoes stopped for $gap s around the move"
new=$(grep -c '^198\.18\.3\.10:' "$TMP/senders" || true)
old=$(grep -c '^198\.18\.1\.10:' "$TMP/senders" || true)
[ "$old" -gt 10 ] && [ "$new" -gt 20 ] || die "the server saw $old datagrams from the old address, $new from the new"
ok "echoes resumed: $before before the move, $(($(echoes) - before)) after, longest gap $gap s; the server saw $old from 198.18.1.10, $new from 198.18.3.10 (no hide: the truth)"
nsx srv nft list table inet vnet | grep -q '198.18.1.10 . 6100\|6100 . 198.18.1.10' ||
	die "no translation on the server: $(nsx srv nft list table inet vnet 2>&1 | head -20)"
ok "the server translates its replies to the old address"
wait $cpid || die "the UDP client failed"
finish
