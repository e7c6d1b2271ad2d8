#!/bin/bash
# Address conflicts, both policies.  The client's python3 holds a connection
# A (198.18.1.10:P -> 198.18.2.20:7000) and moves to 198.18.3.10; before it
# resumes, socat opens a connection B from 198.18.3.10:P to the same server
# port: A's new tuple is B's.  With the default policy (abort) RESUME leaves
# A alone, says so, CONNS? shows it CONFLICT, and B keeps working; with
# "preempt" B is shut down and A is restored (it echoes).
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20 (echo on 7000)
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
vnat_topo_up
vnat_pair
[ "$(vc -c vadd -n python3)" = "added python3" ] || die "vadd"
nsx srv timeout 60 python3 "$ROOT/bench/conns.py" serve 7000 &
wait_for 5 "echo server" ss_has srv -tln "sport = :7000"
mkdir "$TMP/a"
nsx cli timeout 60 python3 "$ROOT/bench/conns.py" connect 198.18.2.20 7000 1 "$TMP/a" >"$TMP/a.out" &
apid=$!
wait_for 10 "connection A" test -f "$TMP/a/ready"
port=$(nsx cli ss -Htn "dport = :7000" | awk '{print $4}' | sed 's/.*://')
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
nsx cli timeout 60 socat -u EXEC:"sleep 60" TCP:198.18.2.20:7000,bind=198.18.3.10:$port &
wait_for 5 "connection B" ss_has cli -tn "src 198.18.3.10:$port"

out=$(vc -c resume) && die "RESUME took the tuple of B: $out"
[[ $out == *"NOK nothing resumed: 1 connection(s) in conflict"* ]] || die "RESUME (abort) said: $out"
[[ $(vc -c conns) == "tcp 198.18.1.10:$port 198.18.2.20:7000 198.18.1.10:$port 198.18.2.20:7000 CONFLICT "*" python3" ]] ||
	die "conns: $(vc -c conns)"
ss_has cli -tn state established "src 198.18.3.10:$port" || die "B was touched"
! nsx cli nft list ruleset | grep -q "tcp . $port ." || die "a translation for A in spite of the conflict"
[[ $(vc -c vstats) == *" conflicts=1 "* ]] || die "not counted: $(vc -c vstats)"
ok "abort: $out; A CONFLICT, B untouched"

[ "$(vc -c conflict -n python3 -m preempt)" = "conflict python3 preempt" ] || die "conflict preempt"
out=$(vc -c conflict -n python3 -m sideways) && die "a bad policy accepted"
[[ $out == *"use abort or preempt"* ]] || die "bad policy: $out"
out=$(vc -c resume) || die "RESUME (preempt): $out"
[[ $out =~ ^resumed\ 1\ of\ 1\ connection\(s\)\ in\ [0-9.]+\ ms\ \(conflicts:\ 0\ left\ in\ place,\ 1\ existing\ connection\(s\)\ preempted\)$ ]] ||
	die "RESUME (preempt) said: $out"
wait_for 5 "B to end" bash -c "[ -z \"\$(ip netns exec ${P}cli ss -Htn state established src 198.18.3.10:$port)\" ]"
touch "$TMP/a/go"
wait $apid || die "A does not echo after the preempting RESUME: $(cat "$TMP/a.out")"
ok "preempt: $out; B shut down, A restored ($(cat "$TMP/a.out"))"
finish
