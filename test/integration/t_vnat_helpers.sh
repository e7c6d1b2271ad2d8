#!/bin/bash
# Migration helpers on the peer.  The server's application gives up after 5 s
# of silence (keepalive probes every second, TCP_USER_TIMEOUT 5 s).  The
# client suspends and moves, and stays away 10 s (twice that): with the keepalive helper
# the application survives (and its settings come back at RESUME), without
# it the application dies.  A stop helper stops the server's socat during
# the suspension and continues it at RESUME, and again when vnet exits in
# the middle of a suspension; an exec helper runs with the documented
# arguments at suspend and at resume.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
IDLE=$ROOT/test/tools/idle_peer.py
state() { awk '{print $3}' "/proc/$1/stat" 2>/dev/null; }
pid_of() { nsx "$1" ss -Htnp "$2" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }

round() {	# round MODE: one suspension of 10 s with the python3 helper MODE
	vnat_topo_up
	vnat_pair
	[ "$(vc -c vadd -n python3)" = "added python3" ] || die "vadd"
	[ "$(vs -c helper -n python3 -m "$1")" = "helper python3 $1" ] || die "helper $1"
	nsx srv timeout 90 python3 "$IDLE" serve 5003 2>"$TMP/idle.err" &
	spid=$!
	wait_for 5 "listener" ss_has srv -tln "sport = :5003"
	nsx cli timeout 90 python3 "$IDLE" connect 198.18.2.20 5003 "$TMP/go" &
	cpid=$!
	wait_for 5 "connection" ss_has srv -tn "sport = :5003"
	sleep 2	# keepalive probes answered: the application is content
	out=$(vc -c suspend) || die "SUSPEND: $out"
	move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
}

# with the keepalive helper: 10 s away, then back
round keepalive
grep -q "keepalive helper: python3 (pid [0-9]*) .*: keepalive off, TCP_USER_TIMEOUT 86400000 ms (were 1, 5000)" \
	"$TMP/srv.log" || die "keepalive helper not active"
sleep 10
kill -0 $spid 2>/dev/null || die "the application died during the suspension: $(cat "$TMP/idle.err")"
out=$(vc -c resume) || die "RESUME: $out"
grep -q "keepalive helper: python3 (pid [0-9]*) restored (resumed)" "$TMP/srv.log" || die "not restored"
sleep 3	# its own keepalive again, now through the translation
touch "$TMP/go"
wait $spid || die "the application failed after the resume: $(cat "$TMP/idle.err")"
wait $cpid || true
ok "keepalive helper: the application survived 10 s of suspension; its settings restored"
finish
cleanup; NSS=() PIDS=(); TMP=$(mktemp -d /tmp/vnet-test.XXXXXX); P="vt$$h"

# without a helper the same application gives up
round none
wait_for 15 "the application to give up" bash -c "! kill -0 $spid 2>/dev/null"
wait $spid && die "the application survived without a helper"
grep -q "gave up: .*timed out" "$TMP/idle.err" || die "it died of something else: $(cat "$TMP/idle.err")"
ok "without a helper: the application gave up ($(cat "$TMP/idle.err"))"
vc -c resume >/dev/null || true
finish
cleanup; NSS=() PIDS=(); TMP=$(mktemp -d /tmp/vnet-test.XXXXXX); P="vt$$s"

# stop and exec helpers
vnat_topo_up
vnat_pair
cp "$(command -v socat)" "$TMP/xsocat"
cat >"$TMP/hook.sh" <<HOOK
#!/bin/sh
echo "\$* \$VNAT_EVENT \$VNAT_PID \$VNAT_COMM" >>"$TMP/hook.out"
HOOK
chmod 755 "$TMP/hook.sh"
for n in socat xsocat; do [ "$(vc -c vadd -n $n)" = "added $n" ] || die "vadd $n"; done
[ "$(vs -c helper -n socat -m stop)" = "helper socat stop" ] || die "helper stop"
[ "$(vs -c helper -n xsocat -m "exec:$TMP/hook.sh")" = "helper xsocat exec:$TMP/hook.sh" ] || die "helper exec"
nsx srv timeout 60 socat -u TCP-LISTEN:5001,reuseaddr OPEN:/dev/null &
nsx srv timeout 60 "$TMP/xsocat" -u TCP-LISTEN:5002,reuseaddr OPEN:/dev/null &
wait_for 5 "listeners" ss_has srv -tln "sport = :5002"
wait_for 5 "listeners" ss_has srv -tln "sport = :5001"
nsx cli timeout 60 socat -u EXEC:"sleep 60" TCP:198.18.2.20:5001 &
nsx cli timeout 60 "$TMP/xsocat" -u EXEC:"sleep 60" TCP:198.18.2.20:5002 &
wait_for 5 "connections" ss_has srv -tn "sport = :5002"
wait_for 5 "connections" ss_has srv -tn "sport = :5001"
sp=$(pid_of srv "sport = :5001")
[ -n "$sp" ] || die "no server socat"
out=$(vc -c suspend) || die "SUSPEND: $out"
[ "$(state "$sp")" = T ] || die "socat not stopped (state $(state "$sp"))"
wait_for 5 "the exec helper at suspend" grep -q " suspend " "$TMP/hook.out"
lport=$(nsx cli ss -Htn "dport = :5002" | awk '{print $4}' | sed 's/.*://')
grep -q "^suspend tcp 198.18.2.20:5002 198.18.1.10:$lport suspend [0-9]* xsocat$" "$TMP/hook.out" ||
	die "exec helper arguments: $(cat "$TMP/hook.out")"
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
out=$(vc -c resume) || die "RESUME: $out"
[ "$(state "$sp")" != T ] || die "socat still stopped after RESUME"
wait_for 5 "the exec helper at resume" grep -q "^resume tcp 198.18.2.20:5002" "$TMP/hook.out"
ok "stop helper: stopped during the suspension, continued at RESUME; exec helper ran at both"
# a second suspension, and vnet on the server stops in the middle of it
out=$(vc -c suspend) || die "second SUSPEND: $out"
[ "$(state "$sp")" = T ] || die "socat not stopped the second time"
stop_vnet srv
[ "$(state "$sp")" != T ] || die "socat left stopped after vnet exited"
grep -q "stop helper: socat (pid $sp) continued (vnet stopping)" "$TMP/srv.log" || die "not logged"
ok "vnet exiting mid-suspension continues the stopped process"
finish
