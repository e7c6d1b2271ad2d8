#!/bin/bash
# Authenticated control sessions that send no request for --idle-timeout
# seconds are closed with "NOK idle for S s: closing": an idle one, and one
# that trickles a byte every 0.5 s without ever ending a line.  A session
# that sends a whole line every second stays; a HANDLE being answered (for
# longer than the limit) is not idleness; a handler (after BEGIN) is not a
# control session and stays.
#
#   [a] eth0 198.18.52.2 ── s1 198.18.52.1 [srv] vnet pw --idle-timeout 2
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CONNS="python3 $ROOT/test/tools/conns.py"
for ns in srv a; do mkns $ns; done
link a eth0 srv s1
ip -n "${P}srv" addr add 198.18.52.1/24 dev s1
ip -n "${P}a" addr add 198.18.52.2/24 dev eth0
# a second server that never answers: a does not forward, SYNs are dropped
ip -n "${P}srv" route add 198.18.53.0/24 via 198.18.52.2
start_vnet srv srv pw -h _ -p 4455 -d s1 --idle-timeout 2 --dial-timeout 4
wait_for 10 "vnet" port_open a 198.18.52.1 4455

# closed=S: within 2-5 s of the HELLO's OK
closed_in_time() { # closed_in_time WHAT OUTPUT
	local s
	[[ $2 == "closed="*" NOK idle for 2 s: closing" ]] || die "$1: $2"
	s=${2#closed=}; s=${s%% *}
	(( $(echo "$s >= 1.8 && $s <= 5" | bc) )) || die "$1: closed after ${s}s (want 2-5 s)"
	ok "$1: closed after ${s}s with 'NOK idle for 2 s: closing'"
}

# a handler made from a raw BEGIN, whose peer then says nothing
# (its input ends after 15 s, after the check below; cleanup ends socat)
(printf 'HELLO pw 1.0\nBEGIN LOCAL eth0 REMOTE s1 02:00:00:00:52:10\n'; sleep 15) |
	nsx a timeout 20 socat -t 1 - TCP:198.18.52.1:4455 >"$TMP/handler.out" 2>&1 &

nsx a timeout 20 $CONNS trickle 198.18.52.1 4455 pw 0 10 >"$TMP/idle.out" &
I=$!
nsx a timeout 20 $CONNS trickle 198.18.52.1 4455 pw 0.5 10 >"$TMP/trickle.out" &
T=$!
nsx a timeout 20 $CONNS trickle 198.18.52.1 4455 pw 1 6 line >"$TMP/lines.out" &
L=$!
t0=$(date +%s.%N)
out=$( (printf 'HELLO pw 1.0\nHANDLE pw LOCAL s1 REMOTE 198.18.53.99 4455 eth0 02:00:00:00:52:10\n'; sleep 10) |
	nsx a timeout 15 socat -t 1 - TCP:198.18.52.1:4455 2>&1 || true)
t1=$(date +%s.%N)
wait $I $T $L

closed_in_time "idle session" "$(cat "$TMP/idle.out")"
closed_in_time "session trickling a byte every 0.5 s" "$(cat "$TMP/trickle.out")"
[ "$(cat "$TMP/lines.out")" = open ] || die "session sending a line a second: $(cat "$TMP/lines.out")"
ok "a session sending a whole line every second stays open (6 s)"

# HANDLE answered after 4 s (> 2): its answer, then idle 2 s later
mapfile -t lines <<<"$out"
[ "${lines[0]}" = "OK 1.0" ] && [[ ${lines[1]} == "NOK cannot reach second server: no connection within 4 s" ]] &&
	[ "${lines[2]}" = "NOK idle for 2 s: closing" ] || die "HANDLE then idle: $(printf '%q' "$out")"
(( $(echo "$t1 - $t0 >= 5.5" | bc) )) || die "HANDLE session closed after $(echo "$t1 - $t0" | bc)s"
ok "a HANDLE answered after 4 s is not idleness; the session is closed 2 s after the answer"

# the handler made before all this is still there, and its peer got no NOK
h=$(client a -q -p pw -h 198.18.52.1 -c handlers)
[ "$(wc -l <<<"$h")" = 1 ] && [[ $h == "1 REMOTE "* ]] || die "handler after 6+ s of silence: $h"
[ "$(head -1 "$TMP/handler.out")" = "OK 1.0" ] && ! grep -q "idle" "$TMP/handler.out" ||
	die "handler's peer got: $(cat "$TMP/handler.out")"
ok "a handler whose peer is silent past the idle limit stays"
grep -q "idle for 2 s: closing" "$TMP/srv.log" || die "idle close not logged"
finish
