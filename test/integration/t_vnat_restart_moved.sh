#!/bin/bash
# The host moves while no vnet runs: a stream's connection moved once
# (SUSPEND, move, RESUME), vnet stopped (SIGTERM), the host moved again
# (198.18.3.10 -> .11), vnet started: it adopts the translation whose
# physical address is gone and a RESUME re-homes it, accepted by the
# --vnat-secure peer (the kept key); stopped again, the host comes home
# (198.18.1.10 on eth0 again), started: the start's sweep lets the kept
# address go from lo (and ARP see it again), a RESUME brings the
# connection home and the peer's translation goes; the stream arrives whole.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10, then .11 ── l3 ┘
. "$(dirname "$0")/lib.sh"
vnat_topo_up
CLI_ARGS=(pwc -h _ -p 4455 --vnat --vnat-proc socat)
start_vnet cli cli "${CLI_ARGS[@]}"
start_vnet srv srv pws -h _ -p 4455 --vnat --vnat-secure --vnat-proc socat
wait_for 10 "client's vnet" port_open cli 127.0.0.1 4455
wait_for 10 "server's VCMP" port_open cli 198.18.2.20 2031
vstat() { "$1" -c vstats | tr ' ' '\n' | sed -n "s/^$2=//p"; }
stream_moved $((16 * 1024 * 1024))

# restart_cli: SIGTERM (exit 0), then a new vnet with the same options
n=0
restart_cli() {
	local what=$1
	kill -TERM "$PID_cli"
	wait "$PID_cli" || die "vnet exited with $? after SIGTERM"
	PID_cli=
	! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP/cli.log" || die "sanitizer report in cli.log"
	$what
	n=$((n + 1))
	mv "$TMP/cli.log" "$TMP/cli-$n.txt"
	start_vnet cli cli "${CLI_ARGS[@]}"
	wait_for 10 "client's vnet after restart $n" port_open cli 127.0.0.1 4455
	grep -q "adopted what the last vnet left .*: 1 translation(s), 1 kept address(es), 1 key(s)" \
		"$TMP/cli.log" || die "restart $n: not adopted: $(grep vnat "$TMP/cli.log" | head -5)"
}
again() {
	nsx cli ip addr del 198.18.3.10/24 dev eth1
	nsx cli ip addr add 198.18.3.11/24 dev eth1
	nsx cli ip route replace default via 198.18.3.1
}
restart_cli again
out=$(vc -c resume) || die "RESUME after moving while down: $out"
[[ $out =~ ^resumed\ 1\ of\ 1 ]] || die "RESUME after moving while down said: $out"
[ "$(vstat vs auth_refused)" = 0 ] && [ "$(vstat vs updated)" = 2 ] || die "peer: $(vs -c vstats)"
[[ $(vs -c conns) =~ 198\.18\.2\.20:5001\ 198\.18\.3\.11:[0-9]+\ ESTABLISHED ]] || die "peer: $(vs -c conns)"
ok "moved again while vnet was down: adopted, $out, the peer's update keyed"

home() { come_home cli 198.18.1.10 198.18.3.11 198.18.1.1; }
restart_cli home
wait_for 5 "the kept address released" grep -q "198.18.1.10 no longer kept: it is on an interface again" "$TMP/cli.log"
[ "$(vstat vc kept)" = 0 ] || die "kept after coming home: $(vc -c vstats)"
! nsx cli ip -o addr show dev lo | grep -q 198.18.1.10 || die "198.18.1.10 still on lo"
! nsx cli nft list table arp vnet >/dev/null 2>&1 || die "ARP still hidden for the address at home"
out=$(vc -c resume) || die "RESUME at home: $out"
[[ $out =~ ^resumed\ 1\ of\ 1 ]] || die "RESUME at home said: $out"
[ "$(vstat vs translations)" = 0 ] || die "peer's translation left: $(vs -c vstats)"
stream_end up
ok "came home while vnet was down: kept address released at start, $out, the peer's translation gone; 16 MB intact"
finish
