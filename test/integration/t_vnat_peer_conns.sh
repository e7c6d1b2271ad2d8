#!/bin/bash
# What a peer sees: the server runs vnet --vnat with no VNAT list of its own
# (no vadd).  Its conns lists nothing while nobody suspended or moved
# anything; after the client's SUSPEND it lists the client's connection as
# PEER_SUSPENDED (and not the client's other connection, of a process not on
# the client's list); after the move and RESUME, as PEER_MOVED with the
# client's new address as the physical remote end, in text and JSON; once
# the connection closes, nothing.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
vnat_topo_up
vnat_pair
[ "$(vc -c vadd -n socat)" = "added socat" ] || die "vadd"
nsx srv timeout 60 socat -u TCP-LISTEN:5001,reuseaddr OPEN:/dev/null &
spid=$!
nsx srv timeout 60 socat -u TCP-LISTEN:5002,reuseaddr OPEN:/dev/null &
PIDS+=($!)
wait_for 5 "the server listening" ss_has srv -tln "sport = :5002"
mkfifo "$TMP/idle"
nsx cli timeout 60 socat -u OPEN:"$TMP/idle" TCP:198.18.2.20:5001 &
cpid=$!
exec 7<>"$TMP/idle"	# keeps the connection open and silent
# the client's other connection: held by sleep, not on its list
nsx cli timeout 60 bash -c 'exec 3<>/dev/tcp/198.18.2.20/5002; exec sleep 50' >/dev/null 2>&1 7>&- &
PIDS+=($!)
wait_for 5 "both connections" bash -c "[ \$(ip netns exec ${P}srv ss -Htn state established | wc -l) = 2 ]"
port=$(nsx cli ss -Htn state established "dport = :5001" | awk '{print $3}' | sed 's/.*://')
[ -n "$port" ] || die "no client port"

[ -z "$(vs -c conns)" ] || die "conns before anything happened: $(vs -c conns)"
ok "a peer with no VNAT list: conns empty while nothing is suspended or moved"

out=$(vc -c suspend) || die "SUSPEND: $out"
[[ $out == "suspended 1 connection(s); 1 of 1 peer(s) told, 1 connection(s) confirmed" ]] ||
	die "SUSPEND said: $out"
# peer_sees STATE REMOTE WHEN: the peer's conns is one line, the client's
# connection in STATE with physical remote end REMOTE, as text and as JSON
peer_sees() {
	local out st
	out=$(vs -c conns)
	[[ $out =~ ^tcp\ 198.18.2.20:5001\ 198.18.1.10:$port\ 198.18.2.20:5001\ $2:$port\ $1\ [0-9]+\ socat$ ]] ||
		die "the peer's conns after $3: '$out'"
	st=$(vs --json -c conns | python3 -c 'import json,sys; d=json.load(sys.stdin)["conns"]
print(len(d), d[0]["state"], d[0]["physical_remote"]["address"], d[0]["name"])')
	[ "$st" = "1 $1 $2 socat" ] || die "as JSON after $3: $st"
}
peer_sees PEER_SUSPENDED 198.18.1.10 SUSPEND
ok "after SUSPEND: one line, PEER_SUSPENDED (JSON too); the unlisted connection not shown"

move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
out=$(vc -c resume) || die "RESUME: $out"
[[ $out == "resumed 1 of 1 connection(s) in "* ]] || die "RESUME said: $out"
peer_sees PEER_MOVED 198.18.3.10 RESUME
ok "after RESUME: PEER_MOVED, its physical remote end the client's new address"

exec 7>&-	# the client's socat ends, and so does the connection
wait $cpid 2>/dev/null || true
wait $spid 2>/dev/null || true
wait_for 10 "the closed connection to leave conns" bash -c "[ -z \"\$(HOME=$TMP/home-srv ip netns exec ${P}srv $VNET_BIN/vnetclient -q -p pws -h 127.0.0.1 -c conns)\" ]"
ok "closed: gone from the peer's conns"
finish
