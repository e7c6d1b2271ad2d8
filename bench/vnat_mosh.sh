#!/bin/bash
# bench/vnat_mosh.sh OUTAGE FILE: one measurement of Mosh for
# bench/vnat_resume.sh, in the same topology as vnet's (test/integration/
# lib.sh: a client and a server on two LANs joined by a router that drops
# silently; stateful firewalls on both hosts).  mosh-server (bootstrapped by
# hand, no ssh) runs a command that prints a counter every 0.2 s;
# mosh-client runs in a tmux in the client's namespace.  The client's
# network goes silent for OUTAGE seconds, then the host comes up on another
# LAN (the move vnet's case makes).  Written to FILE: "v4 down SECONDS", the
# time from the path being back (the move done) to the first screen that
# shows a higher counter than before the outage, read with tmux
# capture-pane every 20 ms (the resolution: about 20-40 ms).  Not a timed
# test.
set -euo pipefail
OUT=$1 MEASURE=$2
VNET_NS_PREFIX=vbm . "$(dirname "$0")/../test/integration/lib.sh"
for b in mosh-server mosh-client tmux; do
	command -v $b >/dev/null || die "$b missing (scripts/install-deps.sh)"
done
export LANG=C.UTF-8
vnat_topo_up
stateful_fw cli '{ 4455 }'
stateful_fw srv '{ 4455 }'
nsx srv nft add rule inet fw input udp dport 60001 accept

out=$(nsx srv mosh-server new -s -i 198.18.2.20 -p 60001 -- \
	sh -c 'i=0; while [ $i -lt 100000 ]; do i=$((i + 1)); echo "tick $i"; sleep 0.2; done' 2>"$TMP/mosh-server.err")
read -r _ _ port key <<<"$(grep '^MOSH CONNECT' <<<"$out")"
[ "$port" = 60001 ] && [ -n "$key" ] || die "mosh-server said: $out $(cat "$TMP/mosh-server.err")"
mpid=$(nsx srv ss -Hulnp "sport = :60001" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
[ -n "$mpid" ] && PIDS+=("$mpid")
TM=(tmux -S "$TMP/tmux" -f /dev/null)
nsx cli "${TM[@]}" new-session -d -x 100 -y 30 "MOSH_KEY=$key mosh-client 198.18.2.20 60001"
# counter: the highest tick on the client's screen
counter() { nsx cli "${TM[@]}" capture-pane -p 2>/dev/null | sed -n 's/.*tick \([0-9]*\).*/\1/p' | sort -n | tail -1; }
above() { [ "$(counter)" -gt "$1" ] 2>/dev/null; }
wait_for 20 "ticks on the client's screen" above 5
ok "mosh session up (counter $(counter))"

nsx rtr nft -f - <<'NFT'
table inet cut {
	chain forward { type filter hook forward priority 0; iifname "l1" drop; oifname "l1" drop; }
}
NFT
sleep 1
c0=$(counter)
sleep "$((OUT - 1))"
c1=$(counter)
[ "$c1" = "$c0" ] || die "the counter moved during the outage ($c0 -> $c1)"
nsx rtr nft delete table inet cut
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
t0=$EPOCHREALTIME
dt=
for _ in $(seq 6000); do	# 120 s at most
	if above "$c1"; then dt=$(awk -v a="$EPOCHREALTIME" -v b="$t0" 'BEGIN { printf "%.3f", a - b }'); break; fi
	sleep 0.02
done
[ -n "$dt" ] || die "no new screen within 120 s of the path's return"
log "mosh: counter $c1 during the outage; a higher one on the screen ${dt} s after the path was back"
echo "v4 down $dt" >>"$MEASURE"
nsx cli "${TM[@]}" kill-server 2>/dev/null || true
