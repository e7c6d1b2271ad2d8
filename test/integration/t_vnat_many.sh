#!/bin/bash
# 100 concurrent connections survive one move: iperf3 with 100 parallel TCP
# streams (plus its control connection) from the client; the client moves
# and resumes; RESUME restores all 101 in one VCMP exchange and iperf3 (the
# server side on IPv6 sockets carrying IPv4, v4-mapped) ends without an error.
. "$(dirname "$0")/lib.sh"
vnat_topo_up
vnat_pair
[ "$(vc -c vadd -n iperf3)" = "added iperf3" ] || die "vadd"

nsx srv timeout 40 iperf3 -s -1 -p 5201 >"$TMP/iperf-s.txt" 2>&1 &
spid=$!
wait_for 5 "iperf3 server" ss_has srv -tln "sport = :5201"
nsx cli timeout 40 iperf3 -c 198.18.2.20 -p 5201 -P 100 -b 1M -t 8 -i 0 --json >"$TMP/iperf.json" 2>&1 &
cpid=$!
count() { [ "$(nsx cli ss -Htn "dport = :5201" | wc -l)" -ge "$1" ]; }
wait_for 10 "101 connections" count 101
sleep 2
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
out=$(vc -c resume) || die "RESUME: $out"
[[ $out =~ ^resumed\ 101\ of\ 101\ connection\(s\)\ in\ [0-9.]+\ ms$ ]] || die "RESUME said: $out"
ok "RESUME: $out"
wait $cpid || die "iperf3 client failed: $(tail -5 "$TMP/iperf.json")"
wait $spid || die "iperf3 server failed: $(tail -5 "$TMP/iperf-s.txt")"
grep -q "\"error\"" "$TMP/iperf.json" && die "iperf3 reported an error: $(grep "\"error\"" "$TMP/iperf.json")"
streams=$(grep -c '"socket":' "$TMP/iperf.json")
[ "$streams" -ge 100 ] || die "only $streams streams in iperf3's report"
ok "iperf3 with 100 streams ended without an error after the move"
finish
