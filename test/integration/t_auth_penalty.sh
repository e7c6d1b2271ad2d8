#!/bin/bash
# Wrong passwords cost their source address time, and only that address:
# 30 wrong HELLOs from one address (10 of them at once, on parallel
# connections, then one after the other) take over 20 seconds and all get
# "NOK wrong password", while another address logs in at once; the right
# password from the guessing address waits its turn too.  Without the
# penalty (--auth-penalty 0, a second server) the same guesses take well
# under a second.  Under the sanitizers: 15 guesses.
#
#   [a] eth0 198.18.50.2 ── s1 198.18.50.1 ┐
#                                        [srv] vnet pw (port 4455), vnet pw
#   [b] eth0 198.18.51.2 ── s2 198.18.51.1 ┘      --auth-penalty 0 (4456)
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CONNS="python3 $ROOT/test/tools/conns.py"
srv_ab 50 51
start_vnet srv srv pw -h _ -p 4455 -d s1
start_vnet srv free pw -h _ -p 4456 -d s1 --auth-penalty 0
wait_for 10 "vnet" port_open a 198.18.50.1 4455
wait_for 10 "vnet without penalty" port_open a 198.18.50.1 4456

if [ -n "${VNET_SANITIZED:-}" ]; then PAR=5 SER=10; else PAR=10 SER=20; fi
N=$((PAR + SER))
# answers come no faster than sum of min(n, 10) x 100 ms for n = 1..N-1
# (24.5 s for 30, 9.5 s for 15); the bound leaves room for rounding
if [ $N -ge 30 ]; then LOW=20; else LOW=7; fi

# without the penalty first: the guessing rate it takes away
t0=$(date +%s.%N)
out=$(nsx a timeout 60 $CONNS hello 198.18.50.1 4456 wrong $N serial)
t1=$(date +%s.%N)
[[ $out == "nok=$N ok=0 other=0 "* ]] || die "without penalty: $out"
free_s=$(echo "$t1 - $t0" | bc)
(( $(echo "$free_s < 5" | bc) )) || die "$N wrong passwords took ${free_s}s without the penalty"
ok "no penalty: $N wrong passwords in ${free_s}s ($(echo "$N * 60 / $free_s" | bc) a minute)"

# the other address logs in at once while the guessing goes on
other() {
	local i t0 t1 out
	sleep 3
	for i in 1 2 3; do
		t0=$(date +%s.%N)
		out=$(client b -q -p pw -h 198.18.51.1 -c devices 2>&1) || { echo "fail: $out"; return; }
		t1=$(date +%s.%N)
		echo "$(echo "$t1 - $t0" | bc) $out"
		sleep 2
	done
}
other >"$TMP/other.txt" &
OTHER=$!

t0=$(date +%s.%N)
par=$(nsx a timeout 90 $CONNS hello 198.18.50.1 4455 wrong $PAR parallel)
t1=$(date +%s.%N)
ser=$(nsx a timeout 120 $CONNS hello 198.18.50.1 4455 wrong $SER serial)
t2=$(date +%s.%N)
wait $OTHER
[[ $par == "nok=$PAR ok=0 other=0 "* ]] || die "parallel guesses: $par"
[[ $ser == "nok=$SER ok=0 other=0 "* ]] || die "serial guesses: $ser"
par_s=$(echo "$t1 - $t0" | bc)
all_s=$(echo "$t2 - $t0" | bc)
# $PAR at once are answered one after the other: 0.1+0.2+... s
par_low=$(echo "scale=1; ($PAR - 1) * $PAR / 20 * 0.8" | bc)
(( $(echo "$par_s >= $par_low" | bc) )) || die "$PAR parallel guesses answered in ${par_s}s (want >= ${par_low}s)"
ok "$PAR wrong passwords at once, on parallel connections: the last answered after ${par_s}s"
(( $(echo "$all_s >= $LOW" | bc) )) || die "$N wrong passwords took only ${all_s}s (want >= ${LOW}s)"
ok "$N wrong passwords from one address took ${all_s}s, all 'NOK wrong password' ($(echo "$N * 60 / $all_s" | bc) a minute)"

n=0
while read -r secs rest; do
	[ "$secs" != fail: ] || die "the other address failed: $rest"
	[[ $rest == *s1* ]] || die "the other address got: $rest"
	(( $(echo "$secs < 1" | bc) )) || die "the other address waited ${secs}s for its answer"
	n=$((n + 1))
done <"$TMP/other.txt"
[ $n = 3 ] || die "the other address: $(cat "$TMP/other.txt")"
ok "meanwhile another address logged in 3 times, each answered in under 1 s ($(cut -d' ' -f1 "$TMP/other.txt" | tr '\n' ' '))"

# the right password from the guessing address waits its turn (1 s)
t0=$(date +%s.%N)
out=$(nsx a timeout 30 $CONNS hello 198.18.50.1 4455 pw 1 serial)
t1=$(date +%s.%N)
[[ $out == "nok=0 ok=1 other=0 "* ]] || die "right password after guesses: $out"
(( $(echo "$t1 - $t0 >= 0.5" | bc) )) || die "right password from the guessing address answered at once"
ok "the right password from the guessing address is answered after the wait ($(echo "$t1 - $t0" | bc)s)"

# the unpenalized server got $N guesses within a second: at most 10 lines
w=$(grep -c "wrong password in HELLO" "$TMP/free.log" || true)
[ "$w" -ge 1 ] && [ "$w" -le 10 ] || die "$w lines about $N wrong passwords in one second"
ok "a burst of wrong passwords is logged within the rate limit ($w lines for $N)"
finish
