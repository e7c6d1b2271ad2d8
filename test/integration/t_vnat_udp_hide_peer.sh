#!/bin/bash
# Mode hide when the other end moves (issue 16, seed 001 3.4.1: "before
# and after either end moves"): the client sends with sendto from an
# unconnected socket and is in mode hide on its host; the echo server's
# host moves and resumes.  The client's vnet, as the peer, translates the
# flow both ways: every echo the client receives, before and after the
# move, comes from the server's first address 198.18.2.20:6100, while the
# server is at 198.18.4.20.  (Without hide the client's stateful firewall
# drops the echoes from the server's new address, a new flow to an
# ephemeral port: measured, they stop; doc/PROTOCOL.md says so.)
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#                                   l4 ── eth1 (after the move) 198.18.4.20
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/udp_flow.sh"
vnat_topo_up four
for ns in cli srv; do
	stateful_fw $ns '{ 4455, 2031 }'
	nsx $ns nft add rule inet fw input udp dport 6100 accept
done
vnat_pair
[ "$(vc -c vadd -n python3 -m hide)" = "added python3 hide" ] || die "vadd -m hide"
[ "$(vs -c vadd -n python3)" = "added python3" ] || die "vadd on the server"
udp_echo_up 12 unconnected 198.18.1.10
vs -c conns | grep -q "^udp 198.18.2.20:6100 198.18.1.10:.* FLOW " || die "server conns: $(vs -c conns)"

move_host srv 198.18.2.20 198.18.4.20 198.18.4.1
before=$(echoes)
resume_one srv
wait_for 10 "40 echoes after the move" echoes_over $((before + 40))
others=$(awk '$3 != "198.18.2.20:6100"' "$TMP/echoes" | wc -l)
[ "$others" = 0 ] || die "hide: $others echoes from another address: $(awk '{print $3}' "$TMP/echoes" | sort | uniq -c | tr '\n' ';')"
ok "the server moved: $RESUMED; $(($(echoes) - before)) echoes since, every one of the $(echoes) from 198.18.2.20:6100 (hide)"
kill $ECHO_CPID
wait $ECHO_CPID || true
finish
