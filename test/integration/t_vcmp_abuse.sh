#!/bin/bash
# VCMP cannot be held or flooded.  An attacker on a third LAN, 8 addresses,
# holds 64 VCMP sessions open on the server by trickling one byte a second
# (the message deadline off: only the rule "when every session is in use,
# the one idle longest gives way" lets anyone in); the client moves and its
# RESUME still gets through (resumed 1 of 1) and its live stream's bytes
# arrive intact.  Then, with the defaults: a 9th session from one address
# displaces that address's idle-longest one (--vcmp-per-source 8); the
# trickling sessions are closed by the deadline (5 s; bytes alone do not
# reset it); an exchange of 17 x 1024 entries (over --vcmp-entries 16384)
# is refused without an answer while one of 16 x 1024 is answered; and when
# the entries all sessions hold would pass --vcmp-pending, the session idle
# longest that holds some gives way.  Counted (refused=) and logged.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20 (vnet --vnat)
#         eth1 (after the move) 198.18.3.10 ── l3 ┘│
#   [atk] eth0 198.18.5.10-17, .130 ── l5 ───────────────┘
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FLOOD=$ROOT/test/tools/vcmp_flood.py
vnat_topo_up
attacker_up
for ns in cli srv; do
	stateful_fw $ns '{ 4455, 2031, 5001 }'
done

# sessions [DST]: established VCMP sessions on the server (from DST)
sessions() { nsx srv ss -Htn state established "( sport = :2031 ${1:+and dst $1} )" | wc -l; }
sessions_are() { [ "$(sessions "${2:-}")" = "$1" ]; }
vstat() { vs -c vstats | tr ' ' '\n' | sed -n "s/^$1=//p"; }
flood() { nsx atk timeout 60 python3 "$FLOOD" "$@"; }
lines_in() { [ "$(grep -c "${3:-.}" "$1" 2>/dev/null)" -ge "$2" ]; }

# --- 1. the deadline off (its loosest value): 64 sessions held ---------------
start_vnet cli cli pwc -h _ -p 4455 --vnat
start_vnet srv srv pws -h _ -p 4455 --vnat --vcmp-deadline 3600
wait_for 10 "client's vnet" port_open cli 127.0.0.1 4455
wait_for 10 "server's VCMP" port_open cli 198.18.2.20 2031
[ "$(vc -c vadd -n socat)" = "added socat" ] || die "vadd"
[ "$(vs -c vadd -n socat)" = "added socat" ] || die "vadd on the server"

SIZE=$((40 * 1024 * 1024))
shape cli
stream up up srv TCP-LISTEN:5001 cli TCP:198.18.2.20:5001 $SIZE
flood trickle 198.18.2.20 2031 "$ATK" 8 50 >"$TMP/hold.out" 2>&1 &
fpid=$!
wait_for 15 "64 trickling sessions" sessions_are 64 198.18.5.0/25
# a 65th, silent, from a fresh address of that LAN: every session is in
# use, so the idle longest (a trickling one) gives way
nsx atk ip addr add 198.18.5.130/24 dev eth0
nsx atk timeout 60 socat -u EXEC:"sleep 50" TCP:198.18.2.20:2031,bind=198.18.5.130 &
spid=$!
wait_for 5 "the 65th to be in" sessions_are 1 198.18.5.130
wait_for 5 "a trickling one to give way" sessions_are 63 198.18.5.0/25
sessions_are 64 || die "$(sessions) sessions, not 64"
[ "$(vstat refused)" = 1 ] || die "one session should have given way: $(vs -c vstats)"
grep -qE "vcmp 198.18.5.130:[0-9]+: all 64 sessions in use \(--vcmp-sessions\): 198.18.5.1[0-7]:[0-9]+, idle longest, gives way" \
	"$TMP/srv.log" || die "the eviction is not logged"
ok "64 trickling sessions held from 8 addresses; a 65th made the idle-longest give way"

move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
before=$(bytes_in up)
out=$(vc -c resume) || die "RESUME under the flood: $out"
[[ $out =~ ^resumed\ 1\ of\ 1\ connection\(s\)\ in\ [0-9.]+\ ms$ ]] || die "RESUME said: $out"
grep -qE "vcmp 198.18.3.10:[0-9]+: all 64 sessions in use \(--vcmp-sessions\): 198.18.5.1[0-7]:[0-9]+, idle longest, gives way" \
	"$TMP/srv.log" || die "the peer's session did not displace a trickling one"
grep -q "VNAT_UPD for 1 connection(s): 1 updated, 0 unknown" "$TMP/srv.log" || die "update not logged"
[ "$(vstat refused)" = 2 ] || die "the peer's way in not counted: $(vs -c vstats)"
ok "under the flood: $out (an attacker's session gave way)"
kill "$fpid" "$spid" 2>/dev/null || true
wait "$fpid" "$spid" 2>/dev/null || true
stream_end up
[ "$before" -lt $SIZE ] || die "the transfer ended before the move"
ok "40 MB intact, $((SIZE - before)) bytes after the move"
stop_vnet srv
ok "deadline off: RESUME through 64 held sessions"

# --- 2. the defaults (and --vcmp-pending 20480 for part 5) -------------------
start_vnet srv srv2 pws -h _ -p 4455 --vnat --vcmp-pending 20480
wait_for 10 "server's VCMP again" port_open cli 198.18.2.20 2031
wait_for 5 "the probe's session to go" sessions_are 0
[ "$(vstat refused)" = 0 ] || die "refused at start: $(vs -c vstats)"

# per source: 9 from one address, 8 stay; the 8 are closed by the deadline
t0=$SECONDS
flood trickle 198.18.2.20 2031 198.18.5.10 9 9 >"$TMP/src.out" 2>&1 &
fpid=$!
wait_for 10 "9 opened" grep -q "^opened 9" "$TMP/src.out"
wait_for 3 "8 sessions from 198.18.5.10" sessions_are 8 198.18.5.10
grep -qE "vcmp 198.18.5.10:[0-9]+: 8 sessions from its source \(--vcmp-per-source\): 198.18.5.10:[0-9]+, idle longest, gives way" \
	"$TMP/srv2.log" || die "the per-source eviction is not logged"
ok "a 9th session from 198.18.5.10: its own idle-longest gave way, 8 left"
wait_for 20 "the deadline to close the trickling sessions" sessions_are 0 198.18.5.10
wait "$fpid" || die "the flood tool failed: $(cat "$TMP/src.out")"
grep -q "^opened=9 server_closed=9$" "$TMP/src.out" || die "flood: $(tail -3 "$TMP/src.out")"
early=$(awk '/^closed /{ if ($2 < 3) n++ } END { print n + 0 }' "$TMP/src.out")
dl=$(awk '/^closed /{ if ($2 >= 4.5 && $2 < 15) n++ } END { print n + 0 }' "$TMP/src.out")
[ "$early" = 1 ] && [ "$dl" = 8 ] || die "closes: $early early (want 1), $dl by the deadline (want 8): $(cat "$TMP/src.out")"
[ "$(vstat refused)" = 9 ] || die "1 displaced + 8 past the deadline: $(vs -c vstats)"
grep -qE "vcmp 198.18.5.10:[0-9]+: closed: no whole message for 5 s \(--vcmp-deadline; [0-9]+ bytes of one, 0 message\(s\) of an exchange\)" \
	"$TMP/srv2.log" || die "the deadline is not logged"
ok "trickling sessions closed by the 5 s deadline ($dl, after $(awk '/^closed /{ if ($2 >= 4.5) print $2 }' "$TMP/src.out" | sort -n | tail -1) s at most; $((SECONDS - t0)) s in all); refused=9"

# an exchange over --vcmp-entries (17 x 1024 > 16384) is refused unanswered...
out=$(flood exchange 198.18.2.20 2031 17)
[[ $out == *" answered=0 closed=yes" ]] || die "oversize exchange: $out"
[ "$(vstat refused)" = 10 ] || die "oversize not counted: $(vs -c vstats)"
grep -q "refused: exchange over 16384 entries (--vcmp-entries)" "$TMP/srv2.log" || die "oversize not logged"
ok "17 x 1024 entries in one exchange: refused, counted, logged ($out)"
# ...and one at the cap is answered, message by message
out=$(flood exchange 198.18.2.20 2031 16)
[ "$out" = "sent=16 answered=$((16 * (8 + 1024 * 20))) closed=no" ] || die "exchange at the cap: $out"
[ "$(vstat refused)" = 10 ] || die "the exchange at the cap was counted refused: $(vs -c vstats)"
ok "16 x 1024 entries: answered ($out)"

# --- 5. --vcmp-pending 20480: the holder idle longest gives way --------------
msgs=$(vstat vcmp_msgs)
flood exchange 198.18.2.20 2031 16 hold >"$TMP/hold16.out" 2>&1 &
hpid=$!
msgs_over() { [ "$(vstat vcmp_msgs)" -ge "$1" ]; }
wait_for 10 "16 messages held" msgs_over $((msgs + 16))
out=$(nsx cli timeout 30 python3 "$FLOOD" exchange 198.18.2.20 2031 8)
[ "$out" = "sent=8 answered=$((8 * (8 + 1024 * 20))) closed=no" ] || die "exchange beside the holder: $out"
wait "$hpid" || true
grep -q "answered=0 closed=yes" "$TMP/hold16.out" || die "the holder: $(cat "$TMP/hold16.out")"
grep -qE "vcmp 198.18.3.10:[0-9]+: unvalidated entries at --vcmp-pending 20480: 198.18.5.10:[0-9]+ \(16384 held\), idle longest, gives way" \
	"$TMP/srv2.log" || die "the memory eviction is not logged"
[ "$(vstat refused)" = 11 ] || die "the holder's eviction not counted: $(vs -c vstats)"
ok "16,384 entries held unvalidated gave way to an exchange of 8,192 (--vcmp-pending 20480)"

finish
