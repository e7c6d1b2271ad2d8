#!/bin/bash
# A suspension longer than conntrack's UDP timeouts (issue 16): with them at
# 3 s on both hosts, a sendto client's flow is suspended, then both of the
# client's flows fall silent for 9 s: the suspended one (pinned in
# conntrack for an hour by both vnets) is still listed and still known to
# the server, the one opened after SUSPEND (not pinned: the control) is
# gone.  The client moves and resumes: "resumed 1 of 1", the server
# updates the flow, the echoes go on.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/udp_flow.sh"
ECHO=$UDP_ECHO
# echoes N, echoes_over N COUNT: of client N ($TMP/echoesN)
echoes() { wc -l <"$TMP/echoes$1" 2>/dev/null || echo 0; }
echoes_over() { [ "$(echoes "$1")" -gt "$2" ]; }
vnat_topo_up
for ns in cli srv; do
	stateful_fw $ns '{ 4455, 2031 }'
	nsx $ns nft add rule inet fw input udp dport 6100 accept
	nsx $ns sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3 net.netfilter.nf_conntrack_udp_timeout_stream=3
done
vnat_pair
[ "$(vc -c vadd -n python3)" = "added python3" ] || die "vadd"
export UDP_ECHO_PAUSE="$TMP/pause"

nsx srv timeout 60 python3 "$ECHO" server 6100 "$TMP/senders" &
wait_for 5 "UDP echo server" ss_has srv -uln "sport = :6100"
nsx cli timeout 60 python3 "$ECHO" client 198.18.2.20 6100 30 "$TMP/echoes1" unconnected 198.18.1.10 &
c1=$!
wait_for 10 "20 echoes" echoes_over 1 20
port1=$(vc -c conns | awk '$3 == "198.18.2.20:6100" && $6 == "FLOW" { split($2, a, ":"); print a[2] }')
[ -n "$port1" ] || die "no FLOW line: $(vc -c conns)"
out=$(vc -c suspend) || die "SUSPEND: $out"
[[ $out == "suspended 1 connection(s); 1 of 1 peer(s) told, 1 connection(s) confirmed" ]] || die "SUSPEND said: $out"
grep -q "flows: 1 of 1 UDP flow(s) pinned" "$TMP/cli.log" || die "not pinned on the client: $(grep flows "$TMP/cli.log")"
grep -q "flows: 1 of 1 UDP flow(s) pinned" "$TMP/srv.log" || die "not pinned on the server: $(grep flows "$TMP/srv.log")"
nsx cli timeout 60 python3 "$ECHO" client 198.18.2.20 6100 30 "$TMP/echoes2" unconnected 198.18.1.10 &
c2=$!
wait_for 10 "the second flow's echoes" echoes_over 2 10
port2=$(vc -c conns | awk -v p="$port1" '$3 == "198.18.2.20:6100" && $6 == "FLOW" { split($2, a, ":"); if (a[2] != p) print a[2] }')
[ -n "$port2" ] || die "the second flow is not listed: $(vc -c conns)"
ok "SUSPEND of the flow from port $port1 pinned it on both hosts; a second flow from port $port2"

touch "$TMP/pause"
sleep 9	# three times conntrack's UDP timeout, silent
conns=$(vc -c conns)
grep -q "^udp 198.18.1.10:$port2 " <<<"$conns" && die "the unpinned flow is still listed after 9 s idle: $conns"
grep -q "^udp 198.18.1.10:$port1 .* SUSPENDED " <<<"$conns" || die "the suspended flow is gone: $conns"
nsx srv conntrack -L -p udp --dport 6100 2>/dev/null | grep -q "sport=$port1 " ||
	die "the server's conntrack forgot the suspended flow: $(nsx srv conntrack -L -p udp 2>&1 | head -3)"
ok "after 9 s of silence (timeouts 3 s): the suspended flow listed and in the server's conntrack, the other gone"

move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
resume_one cli
before=$(echoes 1)
rm "$TMP/pause"
wait_for 10 "40 echoes after the move" echoes_over 1 $((before + 40))
ok "RESUME after the long suspension: $RESUMED; $(($(echoes 1) - before)) echoes since"
kill $c1 $c2
wait $c1 $c2 || true
finish
