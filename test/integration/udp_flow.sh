# shellcheck shell=bash
# The UDP echo scenario of issue 16 (seed 001, 3.4.1), for the
# t_vnat_udp_* tests.  udp_flow_run connected|unconnected [hide]: that of
# t_vnat_udp_flow, t_vnat_udp_sendto and t_vnat_udp_hide.  A client sends a datagram
# every 50 ms to an echo server that answers with recvfrom/sendto on one
# unconnected socket; the client's socket is connected (send), or
# unconnected and bound to the client's address (sendto: its datagrams then
# need vnet's translation after the move).  The client's host moves and runs
# RESUME: the server's vnet accepts the update for the flow, and the echoes
# resume within a bounded gap.  Without `hide` the server sees the truth:
# the new sender address after the move; with `hide` on the server's side
# (vadd -m hide) it sees one sender address, the old one, from start to end.  Both hosts have a stateful
# firewall: it is what makes conntrack track there (vnat/flows.h).  With
# conntrack's UDP timeouts at 5 s, the unconnected client's flow, idle
# after its last datagram with its socket still open, is no longer listed
# within a bound, and both hosts remove its translation.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
UDP_ECHO="$(dirname "${BASH_SOURCE[0]}")/udp_echo.py"
echoes() { wc -l <"$TMP/echoes" 2>/dev/null || echo 0; }
echoes_over() { [ "$(echoes)" -gt "$1" ]; }

# udp_echo_up SECONDS MODE [BIND [IDLE]]: the echo server on srv's port
# 6100 (IPv4, senders in $TMP/senders) and a client in cli sending to it for
# SECONDS (udp_echo.py client, echoes in $TMP/echoes), once it has had 20
# echoes; the client's pid in ECHO_CPID
udp_echo_up() {
	local secs=$1; shift
	nsx srv timeout 60 python3 "$UDP_ECHO" server 6100 "$TMP/senders" &
	wait_for 5 "UDP echo server" ss_has srv -uln "sport = :6100"
	nsx cli timeout 60 python3 "$UDP_ECHO" client 198.18.2.20 6100 "$secs" "$TMP/echoes" "$@" &
	ECHO_CPID=$!
	wait_for 10 "20 echoes" echoes_over 20
}

# resume_one cli|srv: RESUME on that host says "resumed 1 of 1" and the
# other host's vnet updated the one flow; the answer in RESUMED
resume_one() {
	local peer=srv run=vc
	[ "$1" = srv ] && peer=cli run=vs
	RESUMED=$($run -c resume) || die "RESUME on $1: $RESUMED"
	[[ $RESUMED =~ ^resumed\ 1\ of\ 1\ connection ]] ||
		die "RESUME on $1 said: $RESUMED | $peer: $(grep VNAT_UPD "$TMP/$peer.log")"
	grep -q "VNAT_UPD for 1 connection(s): 1 updated, 0 unknown" "$TMP/$peer.log" ||
		die "$peer did not update the flow: $(grep VNAT_UPD "$TMP/$peer.log")"
}

# move_resume: the client's host moves and runs RESUME (resume_one cli);
# the echo count before it in before, the time of the move in t_move
move_resume() {
	move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
	before=$(echoes)
	t_move=$(date +%s.%N)
	resume_one cli
	ok "RESUME: $RESUMED; the server: 1 updated, 0 unknown"
}

udp_flow_run() {
	local mode=$1 hide=${2:-} state conns before t_move out gap new old what
	state=CONNECTED
	[ "$mode" = connected ] || state=FLOW
	vnat_topo_up
	for ns in cli srv; do
		stateful_fw $ns '{ 4455, 2031 }'
		nsx $ns nft add rule inet fw input udp dport 6100 accept
	done
	for ns in cli srv; do
		nsx $ns sysctl -qw net.netfilter.nf_conntrack_udp_timeout=5 \
			net.netfilter.nf_conntrack_udp_timeout_stream=5
	done
	vnat_pair
	[ "$(vc -c vadd -n '*')" = "added *" ] || die "vadd"
	if [ "$hide" = hide ]; then
		[[ $(vs -c vadd -n python3 -m bogus) == *"vadd -m 'bogus': the one mode is hide"* ]] ||
			die "vadd -m bogus: $(vs -c vadd -n python3 -m bogus)"
		out=$(echo "VNAT ADD python3 bogus" | vs -c echo)
		[[ $out == *"NOK unknown mode 'bogus' (the one mode is hide)"* ]] || die "VNAT ADD python3 bogus: $out"
		[ "$(vs -c vadd -n python3 -m hide)" = "added python3 hide" ] || die "vadd -m hide"
		[ "$(vs -c procs)" = "python3 hide" ] || die "procs: $(vs -c procs)"
		ok "vadd -n python3 -m hide on the server; procs says: $(vs -c procs)"
	else
		[ "$(vs -c vadd -n '*')" = "added *" ] || die "vadd on the server"
	fi

	udp_echo_up 12 "$mode" 198.18.1.10 40
	conns=$(vc -c conns | grep ' 198.18.2.20:6100 ' || true)
	[[ $conns == "udp 198.18.1.10:"*" 198.18.2.20:6100 198.18.1.10:"*" 198.18.2.20:6100 $state "*" python3" ]] ||
		die "conns: $(vc -c conns)"
	ok "CONNS? on the client: $conns"

	move_resume
	nsx srv nft list table inet vnet | grep -q '198.18.1.10 . 6100\|6100 . 198.18.1.10' ||
		die "no translation on the server: $(nsx srv nft list table inet vnet 2>&1 | head -20)"
	ok "the server translates its replies to the old address"
	wait_for 10 "40 echoes after the move" echoes_over $((before + 40))

	# the longest silence between two echoes, from a little before the move on
	gap=$(awk -v t="$t_move" '$1 > t - 2 { if (p) { g = $1 - p; if (g > m) m = g } p = $1 } END { printf "%.2f", m }' "$TMP/echoes")
	awk -v g="$gap" 'BEGIN { exit !(g < 5.0) }' || die "echoes stopped for $gap s around the move"
	new=$(grep -c '^198\.18\.3\.10:' "$TMP/senders" || true)
	old=$(grep -c '^198\.18\.1\.10:' "$TMP/senders" || true)
	if [ "$hide" = hide ]; then
		[ "$new" = 0 ] && [ "$old" -gt 60 ] && [ "$old" = "$(wc -l <"$TMP/senders")" ] ||
			die "hide: the server saw $old datagrams from the old address, $new from the new: $(sort "$TMP/senders" | uniq -c | tr '\n' ';')"
		what="hide: one sender address from start to end"
	else
		[ "$old" -gt 10 ] && [ "$new" -gt 20 ] || die "the server saw $old datagrams from the old address, $new from the new"
		what="no hide: the truth"
	fi
	ok "echoes resumed: $before before the move, $(($(echoes) - before)) after, longest gap $gap s; the server saw $old from 198.18.1.10, $new from 198.18.3.10 ($what)"
	[ "$mode" = unconnected ] && flow_expires "$conns"
	kill $ECHO_CPID
	wait $ECHO_CPID || true
}

# flow_expires LINE: the flow of the CONNS? line LINE is no longer listed
# once idle past conntrack's timeout, its socket still open, and both
# translations are gone
flow_expires() {
	local port t0 t1 listed
	port=$(awk '{ split($2, a, ":"); print a[2] }' <<<"$1")
	listed() { vc -c conns | grep -q "^udp 198.18.1.10:$port "; }
	wait_for 20 "the client's last echo" sh -c "[ \$(( \$(date +%s) - \$(stat -c %Y '$TMP/echoes') )) -ge 1 ]"
	t0=$(tail -n 1 "$TMP/echoes" | cut -d' ' -f1)
	listed || die "the flow is not listed right after its last datagram"
	wait_for 20 "the idle flow no longer listed" eval '! listed'
	t1=$(date +%s.%N)
	ss_has cli -uan "sport = :$port" || die "the client's socket is gone: the test proves nothing"
	wait_for 10 "the client's translation removed" eval '! nsx cli nft list ruleset | grep -q " . $port . "'
	wait_for 10 "the server's translation removed" eval '! nsx srv nft list ruleset | grep -q "198.18.1.10 . $port"'
	ok "the idle flow left CONNS? $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s after its last datagram (conntrack's UDP timeout 5 s), its socket open; both translations removed"
}
