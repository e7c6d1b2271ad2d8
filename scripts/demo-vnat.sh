#!/bin/bash
# make demo, part two: a live TCP session survives its host's move to
# another network (VNAT).  A server sends a numbered line every half
# second to a client; the client's host leaves its LAN for another one
# (its address changes), `vnetclient -c resume` re-homes the connection,
# and the same connection goes on: no line lost, none twice.  Everything it
# creates (namespaces, processes, nftables tables) is removed on exit.
T_SUFFIX=demv
. "$(dirname "$0")/demo-lib.sh"

say "VNAT: a laptop on LAN 1 talks to a server on LAN 2 (namespaces $P*)"
cat <<'PIC'
   [laptop] 198.18.1.10 ── LAN 1 ──[router]── LAN 2 ── [server] 198.18.2.20
            (later 198.18.3.10) ── LAN 3 ──┘
PIC
vnat_topo_up
run "laptop# vnet pwc -h _ -p 4455 --vnat        server# vnet pws -h _ -p 4455 --vnat"
vnat_pair
run "laptop# vnetclient -h 127.0.0.1 -c vadd -n socat   (its connections are virtualized)"
vc -c vadd -n socat | indent
vs -c vadd -n socat >/dev/null

say "A live session: the server sends a numbered line every half second"
nsx srv timeout 300 socat TCP-LISTEN:5000,reuseaddr \
	SYSTEM:'i=0; while [ $i -lt 400 ]; do i=$((i+1)); echo "line $i"; sleep 0.5; done' &
PIDS+=($!)
wait_for 5 "the server listening" ss_has srv -tln "sport = :5000"
nsx cli timeout 300 socat -u TCP:198.18.2.20:5000 OPEN:"$TMP/session.txt",creat,trunc &
PIDS+=($!)
lines() { { wc -l <"$TMP/session.txt"; } 2>/dev/null || echo 0; }
more_than() { [ "$(lines)" -gt "$1" ]; }
wait_for 10 "the first lines" more_than 3
run "tail -2 session.txt   (on the laptop)"
tail -2 "$TMP/session.txt" | indent
run "laptop$ vnetclient -h 127.0.0.1 -c conns"
vc -c conns | indent

say "The laptop moves: LAN 1's address is gone, LAN 3 gives it 198.18.3.10"
run "laptop# ip addr del 198.18.1.10/24 dev eth0; ip addr add 198.18.3.10/24 dev eth1"
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
before=$(lines)
sleep 3
echo "     3 s later the session has received $(($(lines) - before)) new line(s): it is cut off"

say "RESUME: vnet re-homes the connection and tells the server's vnet (VCMP)"
run "laptop# vnetclient -h 127.0.0.1 -c resume"
t0=$(date +%s.%N)
vc -c resume | indent
wait_for 60 "lines flowing again" more_than "$before"
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "     new lines again %.1f s after RESUME, on the same connection\n", b - a }'
sleep 1.5
run "tail -3 session.txt"
tail -3 "$TMP/session.txt" | indent
n=$(lines)
last=$(tail -1 "$TMP/session.txt")
if [ "$last" = "line $n" ] && [ "$(sort -u "$TMP/session.txt" | wc -l)" = "$n" ]; then
	echo "     $n lines, numbered 1 to $n: none lost, none twice, one TCP connection"
else
	echo "     the session's lines are not 1 to $n: $last" >&2
	exit 1
fi
run "laptop$ vnetclient -h 127.0.0.1 -c conns   (virtual end 198.18.1.10 kept, physical 198.18.3.10)"
vc -c conns | indent
say "Done; removing the namespaces and vnet's nftables tables"
