#!/bin/bash
# Long suspensions: with SUSPEND, a connection whose two ends keep writing
# through a silent outage outlives TCP's give-up time on both ends, with the
# default helper (keepalive: TCP_USER_TIMEOUT a day on the peer, and on the
# host that suspends for its own end), and dies without it (helper none).
# net.ipv4.tcp_retries2 is 5 in both namespaces, so that an unprotected
# connection gives up after about 13 s (ssh's default, 15, is about 15 min).
# Two interactive-like sessions, a line each way every 0.2 s: "kept" (comm
# python3, no helper set: the default) and "bare" (comm pynone, helper none
# on both hosts).  After SUSPEND the client's old network is silent for 60 s
# (20 s under the sanitizers): bare must be gone on both ends by then, kept
# still established on both, backed off past where it would have given up;
# after the move and RESUME kept carries data both ways again, and both
# vnets restore the sockets.  Stateful firewalls on both hosts.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘   (l1 drops in the outage)
. "$(dirname "$0")/lib.sh"
TICK="$(dirname "$0")/../tools/ticker.py"
OUT=60
[ -n "${VNET_SANITIZED:-}" ] && OUT=20
# by hand (not under run.sh's 300 s): LONGSUSP_OUTAGE=3600
# LONGSUSP_RETRIES2=15 is the hour with the kernel's default give-up
OUT=${LONGSUSP_OUTAGE:-$OUT}
R2=${LONGSUSP_RETRIES2:-5}
LIFE=$((OUT + 40))
vnat_topo_up
for ns in cli srv; do
	stateful_fw $ns '{ 4455, 2031, 5001, 5002 }'
	nsx $ns sysctl -qw net.ipv4.tcp_retries2=$R2
done
vnat_pair
ln -s /usr/bin/python3 "$TMP/pynone"	# its comm: pynone
for p in python3 pynone; do [ "$(vc -c vadd -n $p)" = "added $p" ] || die "vadd $p"; done
# the default, as HELPERS? says it: keepalive for every name without one
[ "$(vs -c helpers)" = "* keepalive" ] || die "the default helper: $(vs -c helpers)"
for s in vc vs; do
	[ "$($s -c helper -n pynone -m none)" = "helper pynone none" ] || die "$s: helper none"
done
[ "$(vs -c helpers)" = $'pynone none\n* keepalive' ] || die "helpers: $(vs -c helpers)"
ok "HELPERS?: '* keepalive' is the default; pynone set to none on both hosts"

lines() { [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ]; }
# ticker NAME PORT INTERPRETER: a session to the server's PORT
ticker() {
	nsx srv timeout $((LIFE + 20)) "$3" "$TICK" serve "$2" "$TMP/$1.srv.rx" $LIFE \
		2>"$TMP/$1.srv.err" &
	PIDS+=($!)
	wait_for 5 "ticker listening on $2" ss_has srv -tln "sport = :$2"
	nsx cli timeout $((LIFE + 20)) "$3" "$TICK" connect 198.18.2.20 "$2" "$TMP/$1.cli.rx" $LIFE \
		2>"$TMP/$1.cli.err" &
	PIDS+=($!)
	wait_for 10 "$1: ticks to the client" lines "$TMP/$1.cli.rx" 3
	wait_for 10 "$1: ticks to the server" lines "$TMP/$1.srv.rx" 3
}
ticker kept 5001 python3
ticker bare 5002 "$TMP/pynone"
[ "$(nsx srv ss -Htnp "sport = :5002" | grep -c '"pynone"')" = 1 ] || die "bare is not pynone's"

out=$(vc -c suspend) || die "SUSPEND: $out"
[ "$out" = "suspended 2 connection(s); 1 of 1 peer(s) told, 2 connection(s) confirmed" ] ||
	die "SUSPEND said: $out"
wait_for 5 "the peer's keepalive helper" \
	grep -q "keepalive helper: python3 (pid [0-9]*) 198.18.2.20:5001 <-> 198.18.1.10:[0-9]*: keepalive off, TCP_USER_TIMEOUT 86400000 ms" "$TMP/srv.log"
grep -q "keepalive helper (suspended here): python3 (pid [0-9]*) 198.18.1.10:[0-9]* <-> 198.18.2.20:5001: keepalive off" "$TMP/cli.log" ||
	die "no keepalive helper on the host that suspends: $(grep -i helper "$TMP/cli.log")"
! grep -q "keepalive helper.*pynone" "$TMP/srv.log" "$TMP/cli.log" || die "a helper acted for pynone"
ok "SUSPEND: keepalive helper on both ends of kept, none for bare"

nsx rtr nft -f - <<'NFT'
table inet cut {
	chain forward { type filter hook forward priority 0; iifname "l1" drop; oifname "l1" drop; }
}
NFT
t0=$SECONDS
established() { ss_has "$1" -tn state established "$2"; }
gone() { ! established cli "dport = :$1" && ! established srv "sport = :$1"; }
# the negative case first: without a helper both ends give up
wait_for $((OUT - 5)) "bare to die on both ends (tcp_retries2=$R2)" gone 5002
died=$((SECONDS - t0))
# by TCP's give-up (the namespace's own counter), on both ends
aborts() { nsx "$1" nstat -asz TcpExtTCPAbortOnTimeout | awk '$1 == "TcpExtTCPAbortOnTimeout" { print $2 }'; }
for ns in cli srv; do
	[ "$(aborts $ns)" = 1 ] || die "$ns: TcpExtTCPAbortOnTimeout $(aborts $ns), not 1"
done
ok "bare (helper none): given up by TCP on both ends after ${died} s offline"
while [ $((SECONDS - t0)) -lt $OUT ]; do
	established cli "dport = :5001" && established srv "sport = :5001" ||
		die "kept died after $((SECONDS - t0)) s offline (aborts on timeout: client $(aborts cli), server $(aborts srv))"
	sleep 1
done
backoff_of() { nsx "$1" ss -tioH state established "$2" | grep -o 'backoff:[0-9]*' | cut -d: -f2; }
bc=$(backoff_of cli "dport = :5001") bs=$(backoff_of srv "sport = :5001")
# tcp_retries2=5 gives up at the timer after the 5th retransmission (with
# 15, the back-off stops at 120 s: 9)
b=$((R2 + 1 < 9 ? R2 + 1 : 9))
[ "${bc:-0}" -ge $b ] && [ "${bs:-0}" -ge $b ] ||
	die "kept not retransmitting past the give-up: back-off client ${bc:-none}, server ${bs:-none}"
ok "kept (default helper): established on both ends after $((SECONDS - t0)) s offline, back-off $bc (client) and $bs (server)"

nsx rtr nft delete table inet cut
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
out=$(vc -c resume) || die "RESUME: $out"
t1=$(date +%s.%N)
[[ $out == "resumed 1 of 1 connection(s) in "*" suspended" ]] || die "RESUME said: $out"
first_after() { awk -v t="$2" '$1 > t { printf "%.3f\n", $1 - t; exit }' "$1"; }
got() { [ -n "$(first_after "$1" "$t1")" ]; }
wait_for 10 "bytes from the server after RESUME" got "$TMP/kept.cli.rx"
wait_for 10 "bytes from the client after RESUME" got "$TMP/kept.srv.rx"
ok "RESUME: $out; kept carries data again: server -> client $(first_after "$TMP/kept.cli.rx" "$t1") s, client -> server $(first_after "$TMP/kept.srv.rx" "$t1") s after it"
# once what each sent while away is acknowledged
for h in srv cli; do
	wait_for 10 "$h: the socket's settings restored" \
		grep -q "keepalive helper: python3 (pid [0-9]*) restored (resumed" "$TMP/$h.log"
done
# and it keeps flowing with its own settings back
n=$(wc -l <"$TMP/kept.srv.rx")
wait_for 10 "more ticks after the restore" lines "$TMP/kept.srv.rx" $((n + 5))
established srv "sport = :5001" || die "kept died after the restore"
ok "both vnets restored the socket's settings; kept still flows"
finish
