#!/bin/bash
# A restart while a SUSPEND is in force (vnet(8) RESTARTS): the state file
# records the SUSPEND (susp, sconn lines) with the keys it agreed, and the
# next vnet adopts it.  SIGTERM, stream at home: after the start VNAT
# STATS? says suspended=yes, the peer still shows the connection
# SUSPENDED; a RESUME with no move tells the peer (a --vnat-secure one: no
# update refused), which ends its SUSPENDED state, and the stream arrives
# whole.  SIGKILL, and the host moves while no vnet runs: the new vnet is
# suspended again, the RESUME re-homes the connection and the peer ends
# its SUSPENDED state; the stream, stalled by the move, arrives whole.
# The peer's stop helper keeps its socat stopped over each restart and
# continues it at the RESUME.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 198.18.3.10 ── l3 ┘   (after the move)
. "$(dirname "$0")/lib.sh"
vnat_topo_up
CLI_ARGS=(pwc -h _ -p 4455 --vnat --vnat-proc socat)
STATE="$TMP/home-cli/.vnet/vnat.state"
start_vnet cli cli "${CLI_ARGS[@]}"
start_vnet srv srv pws -h _ -p 4455 --vnat --vnat-secure --vnat-proc socat
wait_for 10 "client's vnet" port_open cli 127.0.0.1 4455
wait_for 10 "server's VCMP" port_open cli 198.18.2.20 2031
[ "$(vs -c helper -n socat -m stop)" = "helper socat stop" ] || die "helper stop"
state() { awk '{print $3}' "/proc/$1/stat" 2>/dev/null; }
pid_of() { nsx "$1" ss -Htnp "$2" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }
stopped() { [ "$(state "$sp")" = T ]; }
running() { [ -n "$(state "$sp")" ] && ! stopped; }
vstat() { "$1" -c vstats | tr ' ' '\n' | sed -n "s/^$2=//p"; }
susp_saved() { grep -q '^susp [0-9]' "$STATE" && [ "$(grep -c '^sconn ' "$STATE")" = 1 ]; }
shape cli

# restart_cli SIG N: SUSPEND in force, vnet on cli stopped by SIG (TERM,
# KILL), started again (its log: cli-N.txt before); suspended=yes after
restart_cli() {
	local sig=$1 n=$2 rc=0
	sp=$(pid_of srv "sport = :5001")
	[ -n "$sp" ] || die "no server socat"
	out=$(vc -c suspend) || die "SUSPEND: $out"
	[ "$(vstat vs peer_suspended)" = 1 ] || die "peer: $(vs -c vstats)"
	wait_for 5 "the peer's socat stopped" stopped
	wait_for 10 "the SUSPEND in the state file" susp_saved
	grep -q '^sconn 0 4 6 0 198.18.1.10 [0-9]* 198.18.1.10 [0-9]* 198.18.2.20 5001 198.18.2.20 5001$' \
		"$STATE" || die "sconn line: $(cat "$STATE")"
	kill -"$sig" "$PID_cli"
	wait "$PID_cli" 2>/dev/null || rc=$?
	PID_cli=
	[ "$sig" = KILL ] || [ $rc -eq 0 ] || die "vnet exited with $rc after SIGTERM"
	! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP/cli.log" || die "sanitizer report in cli.log"
	[ "$sig" = KILL ] || grep -q "left for the next start: .* 1 key(s), the SUSPEND in force, recorded in" \
		"$TMP/cli.log" || die "SIGTERM: nothing said left: $(tail -5 "$TMP/cli.log")"
	! grep -q "SUSPEND is in force.*not recorded" "$TMP/cli.log" || die "still says it is not recorded"
	susp_saved || die "$sig: state file: $(cat "$STATE")"
	grep -q '^key 4 6 198.18.1.10 ' "$STATE" || die "key not recorded"
	mv "$TMP/cli.log" "$TMP/cli-$n.txt"
	[ "$sig" = TERM ] || move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
	start_vnet cli cli "${CLI_ARGS[@]}"
	wait_for 10 "client's vnet after the restart" port_open cli 127.0.0.1 4455
	[ "$(vstat vc suspended)" = yes ] && [ "$(vstat vc keys)" = 1 ] || die "after the restart: $(vc -c vstats)"
	grep -q "vnat: the SUSPEND of 1 connection(s) [0-9]* s ago is in force again" "$TMP/cli.log" ||
		die "no word of the adopted SUSPEND: $(tail -5 "$TMP/cli.log")"
	[[ $(vs -c conns) == *" SUSPENDED "* ]] || die "peer: $(vs -c conns)"
	stopped || die "the peer's socat not stopped after the restart (state $(state "$sp"))"
	ok "SIG$sig during SUSPEND: recorded; after the restart suspended=yes, the key kept, the peer SUSPENDED, its socat stopped"
}

# resumed: the RESUME (in $out) told the peer; its SUSPENDED state is over
resumed() {
	[[ $out =~ ^resumed\ 1\ of\ 1\ .*after\ [0-9]+\ s\ suspended ]] || die "RESUME said: $out"
	[ "$(vstat vc suspended)" = no ] || die "after RESUME: $(vc -c vstats)"
	[ "$(vstat vs peer_suspended)" = 0 ] && [ "$(vstat vs auth_refused)" = 0 ] || die "peer: $(vs -c vstats)"
	[[ $(vs -c conns) != *" SUSPENDED "* ]] && [[ $(vs -c conns) == *" ESTABLISHED "* ]] ||
		die "peer: $(vs -c conns)"
	wait_for 10 "the SUSPEND gone from the state file" bash -c "! grep -q '^susp' '$STATE'"
	wait_for 5 "the peer's socat continued" running
}

# 1: SIGTERM at home; the stream lasts over the restart (the peer's socat stopped: it stalls until the RESUME)
stream up up srv TCP-LISTEN:5001 cli TCP:198.18.2.20:5001 $((32 * 1024 * 1024))
restart_cli TERM 1
out=$(vc -c resume) || die "RESUME with no move: $out"
resumed
b=$(bytes_in up)
wait_for 20 "data flowing after the RESUME" rx_over up "$b"
stream_end up
ok "RESUME with no move: $out; the peer's SUSPENDED state ended, its socat continued, 32 MB intact"

# 2: SIGKILL, the host moves while no vnet runs; the stream stalls until RESUME
# (its own name: up.rx, whole, would count as data flowing at once)
stream up2 up srv TCP-LISTEN:5001 cli TCP:198.18.2.20:5001 $((16 * 1024 * 1024))
restart_cli KILL 2
b=$(bytes_in up2)
out=$(vc -c resume) || die "RESUME after the move: $out"
resumed
wait_for 20 "data flowing after the RESUME" rx_over up2 "$b"
stream_end up2
ok "RESUME after the move: $out; the peer's SUSPENDED state ended, its socat continued, 16 MB intact"
finish
