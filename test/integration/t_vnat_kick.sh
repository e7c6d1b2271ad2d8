#!/bin/bash
# Instant resume (vnat/kick): an interactive-like session (a line each way
# every 0.2 s) between the client and the server, the client's old network
# silent for 30 s (12 s under the sanitizers: a router that drops without a
# word, so TCP backs off on both ends), then the move and RESUME.  The first
# new bytes in both directions must arrive within 1.5 s of RESUME returning
# (goal: a round trip + 0.1 s), where TCP's own timers, read with ss just
# before, would have waited longer; both vnets count and log their kicks.
# VNET_VNAT_KICK=no (kicks off) makes this test fail: the times then are
# the timers'.  Stateful firewalls on both hosts.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘   (l1 drops in the outage)
. "$(dirname "$0")/lib.sh"
TICK="python3 $(dirname "$0")/../tools/ticker.py"
OUT=30
[ -n "${VNET_SANITIZED:-}" ] && OUT=12
vnat_topo_up
for ns in cli srv; do stateful_fw $ns '{ 4455, 2031, 5001 }'; done
vnat_pair
[ "$(vc -c vadd -n python3)" = "added python3" ] || die "vadd"
[ "$(vs -c vadd -n python3)" = "added python3" ] || die "vadd on the server"

nsx srv timeout $((OUT + 60)) $TICK serve 5001 "$TMP/srv.rx" $((OUT + 40)) &
PIDS+=($!)
wait_for 5 "ticker listening" ss_has srv -tln "sport = :5001"
nsx cli timeout $((OUT + 60)) $TICK connect 198.18.2.20 5001 "$TMP/cli.rx" $((OUT + 40)) &
PIDS+=($!)
lines() { [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ]; }
wait_for 10 "ticks both ways" lines "$TMP/cli.rx" 3
wait_for 10 "ticks to the server" lines "$TMP/srv.rx" 3
ok "a line each way every 0.2 s"

nsx rtr nft -f - <<'NFT'
table inet cut {
	chain forward { type filter hook forward priority 0; iifname "l1" drop; oifname "l1" drop; }
}
NFT
sleep "$OUT"

# ss -tio: the back-off and what is left of the retransmission timer (ms)
sockinfo() { nsx "$1" ss -tioH state established "$2"; }
backoff_of() { sockinfo "$1" "$2" | grep -o 'backoff:[0-9]*' | cut -d: -f2; }
timer_ms() {
	sockinfo "$1" "$2" | grep -o 'timer:(on,[^,]*' | sed 's/timer:(on,//' |
		awk '{ s = $0; ms = 0
			if (match(s, /[0-9]+min/)) ms += substr(s, RSTART, RLENGTH - 3) * 60000
			if (match(s, /[0-9.]+sec/)) ms += substr(s, RSTART, RLENGTH - 3) * 1000
			if (match(s, /[0-9]+ms/)) ms += substr(s, RSTART, RLENGTH - 2)
			print int(ms) }'
}
bc=$(backoff_of cli "dport = :5001") bs=$(backoff_of srv "sport = :5001")
[ "${bc:-0}" -ge 3 ] && [ "${bs:-0}" -ge 3 ] ||
	die "not backed off after ${OUT}s: client ${bc:-none}, server ${bs:-none}: $(sockinfo cli "dport = :5001")"
nsx rtr nft delete table inet cut
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
# the timers as they stand: without a kick, nothing is sent before they fire
tc=$(timer_ms cli "dport = :5001") ts=$(timer_ms srv "sport = :5001")
out=$(vc -c resume) || die "RESUME: $out"
t0=$(date +%s.%N)
[[ $out == "resumed 1 of 1 connection(s) in "* ]] || die "RESUME said: $out"
ok "after ${OUT}s offline: back-off $bc (client), $bs (server); timers due in $tc ms, $ts ms"

# first_after FILE T0: seconds from T0 to the first bytes logged after it
first_after() { awk -v t0="$2" '$1 > t0 { printf "%.3f\n", $1 - t0; exit }' "$1"; }
got() { [ -n "$(first_after "$1" "$t0")" ]; }
wait_for 60 "bytes from the server after RESUME" got "$TMP/cli.rx"
wait_for 60 "bytes from the client after RESUME" got "$TMP/srv.rx"
down=$(first_after "$TMP/cli.rx" "$t0") up=$(first_after "$TMP/srv.rx" "$t0")
log "first new byte after RESUME returned: server -> client ${down} s, client -> server ${up} s"
log "without the kick TCP would have waited: client's timer $((tc / 1000)).$((tc % 1000 / 100)) s, server's $((ts / 1000)).$((ts % 1000 / 100)) s"
for d in "server -> client:$down:$ts" "client -> server:$up:$tc"; do
	IFS=: read -r what secs timer <<<"$d"
	awk -v s="$secs" 'BEGIN { exit !(s <= 1.5) }' ||
		die "$what: first new byte ${secs} s after RESUME (bound 1.5 s; kick: ${VNET_VNAT_KICK:-on})"
done
# the timers would have been later: the kick is what made it fast
[ "$tc" -gt 2000 ] && [ "$ts" -gt 2000 ] ||
	die "the timers were due soon anyway (${tc} ms, ${ts} ms): the test shows nothing"
ok "first new byte within 1.5 s of RESUME both ways (${down} s down, ${up} s up)"

for s in vc vs; do
	k=$($s -c vstats | sed -n 's/.* kicked=\([0-9]*\)$/\1/p')
	[ "${k:-0}" -ge 1 ] || die "$s: kicked=${k:-missing} in vstats: $($s -c vstats)"
done
grep -q "vnat: RESUME: kicked 198.18.1.10:[0-9]* -> 198.18.2.20:5001: back-off" "$TMP/cli.log" ||
	die "no kick logged by the client's vnet"
grep -q "vcmp: VNAT_UPD: kicked 198.18.2.20:5001 -> 198.18.1.10:[0-9]*: back-off" "$TMP/srv.log" ||
	die "no kick logged by the server's vnet"
ok "kicked=1 in both vstats; each vnet logged its kick"
finish
