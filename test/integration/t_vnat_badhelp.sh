#!/bin/bash
# What can go wrong around a suspension, each reported with a reason: an exec
# helper that fails (its status logged) and one that hangs (killed after
# 10 s, logged); a stopped peer process killed meanwhile (RESUME logs that it
# exited while stopped; nothing else is left stopped); SUSPEND while the only
# peer's VCMP port refuses (answered "0 of 1 peer(s) told", the reason
# logged).
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
. "$(dirname "$0")/lib.sh"
state() { awk '{print $3}' "/proc/$1/stat" 2>/dev/null; }
vnat_topo_up
vnat_pair
printf '#!/bin/sh\nexit 3\n' >"$TMP/fail.sh"
printf '#!/bin/sh\nexec sleep 60\n' >"$TMP/hang.sh"
chmod 755 "$TMP/fail.sh" "$TMP/hang.sh"
cp "$(command -v socat)" "$TMP/xfail"
cp "$(command -v socat)" "$TMP/xhang"
for n in socat xfail xhang; do [ "$(vc -c vadd -n $n)" = "added $n" ] || die "vadd $n"; done
vs -c helper -n xfail -m "exec:$TMP/fail.sh" >/dev/null || die "helper"
vs -c helper -n xhang -m "exec:$TMP/hang.sh" >/dev/null || die "helper"
vs -c helper -n socat -m stop >/dev/null || die "helper"
p=5001
for n in socat xfail xhang; do
	bin=$(command -v socat); [ $n = socat ] || bin=$TMP/$n
	nsx srv timeout 60 "$bin" -u TCP-LISTEN:$p,reuseaddr OPEN:/dev/null &
	wait_for 5 "listener $p" ss_has srv -tln "sport = :$p"
	nsx cli timeout 60 "$bin" -u EXEC:"sleep 60" TCP:198.18.2.20:$p &
	wait_for 5 "connection $p" ss_has srv -tn "sport = :$p"
	p=$((p + 1))
done
sp=$(nsx srv ss -Htnp "sport = :5001" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
out=$(vc -c suspend) || die "SUSPEND: $out"
[ "$(state "$sp")" = T ] || die "socat not stopped"
wait_for 5 "the failing helper" grep -q "helper program [0-9]* failed with status 3" "$TMP/srv.log"
ok "an exec helper that fails: its status logged"
kill -9 "$sp"
wait_for 5 "the stopped process to die" bash -c "[ ! -e /proc/$sp ]"
out=$(vc -c resume)	# nothing moved: only the suspension ends
grep -q "stop helper: socat (pid $sp) exited while stopped" "$TMP/srv.log" || die "not reported: $out"
ok "a stopped process killed during the suspension: reported at RESUME"
wait_for 15 "the hanging helper to be killed" grep -q "still running after 10 s: killed" "$TMP/srv.log"
wait_for 5 "its end logged" grep -q "killed by signal 9" "$TMP/srv.log"
ok "an exec helper that hangs: killed after 10 s, logged"
# a stop helper for a process that also serves a connection nobody suspends
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(vc -c vadd -n python3)" = "added python3" ] || die "vadd"
vs -c helper -n python3 -m stop >/dev/null || die "helper"
nsx srv timeout 60 python3 "$ROOT/bench/conns.py" serve 7000 &
wait_for 5 "echo server" ss_has srv -tln "sport = :7000"
mkdir "$TMP/a" "$TMP/b"
nsx cli timeout 60 python3 "$ROOT/bench/conns.py" connect 198.18.2.20 7000 1 "$TMP/a" >/dev/null &
nsx rtr timeout 60 python3 "$ROOT/bench/conns.py" connect 198.18.2.20 7000 1 "$TMP/b" >/dev/null &
wait_for 10 "both connections" bash -c "[ -f $TMP/a/ready ] && [ -f $TMP/b/ready ]"
pp=$(nsx srv ss -Htlnp "sport = :7000" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
out=$(vc -c suspend) || die "SUSPEND: $out"
wait_for 5 "the refusal" grep -q "stop helper: python3 (pid $pp) also serves connections that are not suspended: not stopped" "$TMP/srv.log"
[ "$(state "$pp")" != T ] || die "a process serving another connection was stopped"
vc -c resume >/dev/null || true
ok "stop helper: a process that also serves an unsuspended connection is not stopped"
stop_vnet srv
out=$(vc -c suspend) || die "SUSPEND with the peer gone: $out"
[[ $out == "suspended 4 connection(s); 0 of 1 peer(s) told, 0 connection(s) confirmed" ]] ||
	die "SUSPEND with no peer said: $out"
grep -q "SUSPEND: peer 198.18.2.20: Connection refused" "$TMP/cli.log" || die "reason not logged"
ok "SUSPEND with no peer reachable: $out (reason logged)"
finish
