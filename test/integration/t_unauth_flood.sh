#!/bin/bash
# Connections that never authenticate cannot exhaust the server.  vnet runs
# with 256 descriptors (soft and hard), so at most 64 unauthenticated
# connections (a quarter) and 32 per source.
#  1. 400 idle connections from a: the server keeps a's newest 32 and
#     closes the older ones; meanwhile b's vnetclient is answered within a
#     second, the server's CPU stays under 10 % and its log small.
#  2. Out of descriptors (b's authenticated sessions take them all, a holds
#     20 idle ones): a's idle ones are dropped to make room, then accept
#     pauses with one warning per episode, no busy loop; when b's sessions
#     end, "accepting again" is logged and a is served.  Twice: two episodes,
#     two warnings.
#
#   [a] eth0 198.18.54.2 ── s1 198.18.54.1 ┐
#                                        [srv] prlimit --nofile=256:256 vnet
#   [b] eth0 198.18.55.2 ── s2 198.18.55.1 ┘
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CONNS="python3 $ROOT/test/tools/conns.py"
srv_ab 54 55
mkdir -p "$TMP/home-srv"
HOME="$TMP/home-srv" ip netns exec "${P}srv" prlimit --nofile=256:256 "$VNET_BIN/vnet" pw -h _ -p 4455 --control-socket "$(ctl_sock srv)" \
	-d s1 -v >"$TMP/srv.log" 2>&1 &
PIDS+=($!)
PID_srv=$!
wait_for 10 "vnet" port_open a 198.18.54.1 4455
grep -q "descriptor limit 256 (was 256, hard limit 256)" "$TMP/srv.log" || die "descriptor limit not logged"
grep -q "at most 64 unauthenticated connections" "$TMP/srv.log" || die "cap from the descriptor limit not logged"
ok "descriptor limit and the cap it sets logged"

ticks() { awk '{print $14 + $15}' "/proc/$PID_srv/stat"; }
# cpu_under PCT SECONDS WHAT: the server's CPU over SECONDS stays under PCT %
cpu_under() {
	local t0 t1 hz pct
	hz=$(getconf CLK_TCK)
	t0=$(ticks)
	sleep "$2"
	t1=$(ticks)
	pct=$(( (t1 - t0) * 100 / hz * 100 / ($2 * 100) ))
	[ $pct -lt "$1" ] || die "$3: server CPU ${pct}% over $2 s"
	ok "$3: server CPU ${pct}% over $2 s"
}
# answered_fast NS ADDR WHAT: vnetclient -c devices answered within a second
answered_fast() {
	local t0 t1 out s
	t0=$(date +%s.%N)
	out=$(client "$1" -q -p pw -h "$2" -c devices 2>&1) || die "$3: vnetclient: $out"
	t1=$(date +%s.%N)
	s=$(echo "$t1 - $t0" | bc)
	[ "$out" = s1 ] || die "$3: vnetclient said: $out"
	(( $(echo "$s < 1" | bc) )) || die "$3: answered after ${s}s"
	ok "$3: vnetclient answered in ${s}s"
}

# 1. the idle flood
log0=$(stat -c %s "$TMP/srv.log")
nsx a timeout 40 $CONNS hold 198.18.54.1 4455 400 9 >"$TMP/flood.out" 2>"$TMP/flood.err" &
F=$!
wait_for 20 "400 connections open" grep -q "opened=400" "$TMP/flood.err"
answered_fast b 198.18.55.1 "during 400 idle connections from a"
cpu_under 10 3 "400 idle connections held"
nfd=$(ls "/proc/$PID_srv/fd" | wc -l)
[ "$nfd" -lt 60 ] || die "server holds $nfd descriptors under the flood"
wait $F
out=$(cat "$TMP/flood.out")
[ "$out" = "opened=400 answered=0 unanswered=0 closed=368 open=32 first_open=368" ] ||
	die "flood: $out"
ok "400 idle connections from one address: its newest 32 kept, the older 368 closed ($nfd descriptors in use)"
logb=$(( $(stat -c %s "$TMP/srv.log") - log0 ))
[ $logb -lt 20000 ] || die "the flood wrote $logb bytes of log"
ok "the flood wrote $logb bytes of log"

# 2. out of descriptors, twice
episode() { # episode N
	local stop=$TMP/stop$1 out
	log0=$(stat -c %s "$TMP/srv.log")
	nsx a timeout 60 $CONNS hold 198.18.54.1 4455 20 30 >"$TMP/idle$1.out" 2>"$TMP/idle$1.err" &
	local I=$!
	wait_for 10 "a's 20 idle connections" grep -q "opened=20" "$TMP/idle$1.err"
	CONNS_STOP=$stop nsx b timeout 60 $CONNS hold 198.18.55.1 4455 300 30 pw >"$TMP/auth$1.out" \
		2>"$TMP/auth$1.err" &
	local A=$!
	wait_for 30 "b's sessions to reach the limit" grep -q "opened=" "$TMP/auth$1.err"
	wait_for 10 "the pause" grep -q "out of descriptors, listener paused" "$TMP/srv.log"
	# 5 more wait in the listen backlog: every retry fails on them
	nsx a timeout 60 $CONNS hold 198.18.54.1 4455 5 30 >/dev/null 2>"$TMP/backlog$1.err" &
	local B=$!
	wait_for 10 "5 connections in the backlog" grep -q "opened=5" "$TMP/backlog$1.err"
	cpu_under 10 3 "episode $1, paused at the descriptor limit, 5 connections waiting"
	touch "$stop"
	wait $A
	out=$(cat "$TMP/auth$1.out")
	[[ $out =~ ^opened=([0-9]+)\ answered=([0-9]+)\ unanswered=1\  ]] || die "b's sessions: $out"
	[ "${BASH_REMATCH[2]}" -gt 200 ] || die "only ${BASH_REMATCH[2]} sessions authenticated: $out"
	ok "episode $1: ${BASH_REMATCH[2]} authenticated sessions took the descriptors, the next one waited"
	grep -q "dropped, the oldest unauthenticated connection: out of descriptors" "$TMP/srv.log" ||
		die "no idle connection dropped to make room"
	answered_fast a 198.18.54.1 "episode $1, after the sessions ended"
	wait_for 10 "accepting again" test "$(grep -c "accepting again after" "$TMP/srv.log")" = "$1"
	kill $I $B 2>/dev/null || true
	wait $I $B 2>/dev/null || true
	[[ $(cat "$TMP/idle$1.out" 2>/dev/null) != *" open=20 "* ]] || die "a's idle connections all stayed"
	[ $(( $(stat -c %s "$TMP/srv.log") - log0 )) -lt 20000 ] || die "episode $1 wrote too much log"
}
episode 1
[ "$(grep -c "listener paused" "$TMP/srv.log")" = 1 ] || die "pause warnings: $(grep -c "listener paused" "$TMP/srv.log")"
episode 2
[ "$(grep -c "listener paused" "$TMP/srv.log")" = 2 ] || die "pause warnings after 2 episodes: $(grep -c "listener paused" "$TMP/srv.log")"
[ "$(grep -c "accepting again after" "$TMP/srv.log")" = 2 ] || die "resume lines: $(grep -c "accepting again" "$TMP/srv.log")"
ok "one pause warning and one resume line per episode: $(grep -m1 "accepting again" "$TMP/srv.log" | sed 's/.*accept: //')"
finish
