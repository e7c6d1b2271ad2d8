#!/bin/bash
# Restart safety: vnet on a host that has moved is stopped and started
# again (SIGTERM, then SIGKILL), then its peer's (SIGTERM), while a
# connection they migrated carries a numbered, timestamped line every
# 50 ms.  The translations and the kept address stay in the kernel, the
# state file records them and the keys, the new vnet adopts them: no gap
# over 1 s in what arrives, every line in order; VNAT STATS? and CONNS? of
# the new process show the adopted translations; a connection closed after
# the restart is swept; a later move and RESUME works against the
# restarted --vnat-secure peer (keys and counters kept).  A vnet without
# --vnat warns and leaves the state alone; then `vnet --vnat-flush` removes
# everything: no table, no kept address, arp_announce back, no state file.
# Before all this, a hostile state file is refused and set aside.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10, then .11 ── l3 ┘
. "$(dirname "$0")/lib.sh"
vnat_topo_up
for ns in cli srv; do
	stateful_fw $ns '{ 4455, 2031, 5003, 5004 }'
done
CLI_ARGS=(pwc -h _ -p 4455 --vnat --vnat-proc socat)
STATE="$TMP/home-cli/.vnet/vnat.state"
# a hostile state file (a translation cut short) is refused, set aside, and
# vnet starts clean
mkdir -p -m 0700 "$TMP/home-cli/.vnet"
printf 'vnet-vnat-state 1\nannounce 0\nnextid 1\ntr 1 4 6 0 198.18.1.10 1 198.18.3.10\nend\n' >"$STATE"
chmod 600 "$STATE"
start_vnet cli cli "${CLI_ARGS[@]}"
SRV_ARGS=(pws -h _ -p 4455 --vnat --vnat-secure --vnat-proc socat)
start_vnet srv srv "${SRV_ARGS[@]}"
wait_for 10 "client's vnet" port_open cli 127.0.0.1 4455
wait_for 10 "server's VCMP" port_open cli 198.18.2.20 2031
grep -q "vnat: state file $STATE refused: line 4: not a state line: 'tr 1 4 6 0 198.18.1.10 1 198.18.3.10'; moved to $STATE.bad" \
	"$TMP/cli.log" || die "hostile state file not refused: $(grep state "$TMP/cli.log")"
[ -f "$STATE.bad" ] && [ ! -e "$STATE" ] || die "the refused file was not set aside"
ok "a hostile state file is refused, named in the log and set aside; vnet starts clean"
vstat() { vc -c vstats | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# A: a numbered line every 50 ms from the client; the server stamps each
# line with its arrival time.  B: an idle connection, closed later.
nsx srv bash -c 'socat -u TCP-LISTEN:5003,reuseaddr STDOUT | while IFS= read -r l; do
	printf "%s %s\n" "$l" "$EPOCHREALTIME"; done' >"$TMP/a.rx" &
APID=$!
nsx srv timeout 300 socat -u TCP-LISTEN:5004,reuseaddr OPEN:/dev/null &
wait_for 5 "listeners" ss_has srv -tln "sport = :5004"
wait_for 5 "listener" ss_has srv -tln "sport = :5003"
nsx cli timeout 300 bash -c 'for ((i = 1; i <= 6000; i++)); do printf "%06d %s\n" $i "$EPOCHREALTIME"; sleep 0.05; done' |
	nsx cli timeout 300 socat -u STDIN TCP:198.18.2.20:5003 &
SPID=$!
nsx cli timeout 300 socat -u EXEC:"sleep 300" TCP:198.18.2.20:5004 &
lines() { wc -l <"$TMP/a.rx"; }
lines_over() { [ "$(lines)" -gt "$1" ]; }
wait_for 10 "lines arriving" lines_over 5
wait_for 5 "connection B" ss_has cli -tn "dport = :5004"

out=$(vc -c suspend) || die "SUSPEND: $out"
[ "$(vstat keys)" = 2 ] || die "no keys after SUSPEND: $(vc -c vstats)"
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
out=$(vc -c resume) || die "RESUME: $out"
[[ $out =~ ^resumed\ 2\ of\ 2 ]] || die "RESUME said: $out"
[ "$(vstat translations)" = 2 ] || die "translations after RESUME: $(vc -c vstats)"
n=$(lines)
wait_for 10 "lines after the move" lines_over $((n + 10))
T0=$EPOCHREALTIME
ok "moved, resumed, lines flowing again: $out"

# restart NAME SIG: stop vnet NAME (cli, the mover, or srv, its peer) with
# SIG, check what it left, start it again and check that it adopted it
restart() {
	local name=$1 sig=$2 pid rc=0 nkept=0 ctl=vc state=$STATE args=("${CLI_ARGS[@]}")
	local want="^tcp 198.18.1.10:[0-9]+ 198.18.2.20:5003 198.18.3.10:[0-9]+ 198.18.2.20:5003 ESTABLISHED"
	if [ "$name" = cli ]; then
		nkept=1
	else
		ctl=vs state="$TMP/home-srv/.vnet/vnat.state" args=("${SRV_ARGS[@]}")
		want="^tcp 198.18.2.20:5003 198.18.1.10:[0-9]+ 198.18.2.20:5003 198.18.3.10:[0-9]+ ESTABLISHED"
	fi
	eval "pid=\$PID_$name"
	kill -"$sig" "$pid"
	wait "$pid" 2>/dev/null || rc=$?
	eval "PID_$name="
	[ "$sig" = KILL ] || [ $rc -eq 0 ] || die "$name: vnet exited with $rc after SIGTERM"
	! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP/$name.log" || die "sanitizer report in $name.log"
	[ "$sig" = KILL ] || grep -q "left for the next start: 2 translation(s), $nkept kept address(es), 2 key(s)" \
		"$TMP/$name.log" || die "$name SIGTERM: nothing said left: $(tail -5 "$TMP/$name.log")"
	nsx $name nft list table inet vnet >/dev/null 2>&1 || die "$name $sig: the table went with vnet"
	[ $nkept = 0 ] || nsx cli ip -o addr show dev lo | grep -q "198.18.1.10/32" || die "$sig: the kept address went"
	[ "$(stat -c %a "$state")" = 600 ] || die "$name $sig: state file mode $(stat -c %a "$state")"
	[ "$(grep -c '^tr ' "$state")" = 2 ] && [ "$(grep -c '^key ' "$state")" = 2 ] &&
		[ "$(grep -c '^kept ' "$state")" = $nkept ] || die "$name $sig: state file: $(cat "$state")"
	# the counters RESUME used (sent here, accepted by the peer) are recorded
	[ "$(grep -cE '^key .* [1-9][0-9]*$' "$state")" = 2 ] || die "$name $sig: counters not kept: $(grep '^key' "$state")"
	[ $nkept = 0 ] || { grep -q "^kept 4 198.18.1.10$" "$state" && grep -q "^announce 0$" "$state"; } ||
		die "$sig: state file: $(cat "$state")"
	sleep 1.5	# no vnet at all for a while: the kernel alone carries the connection
	mv "$TMP/$name.log" "$TMP/$name-before-$sig.txt"
	start_vnet $name $name "${args[@]}"
	wait_for 10 "$name's vnet after $sig" port_open $name 127.0.0.1 4455
	grep -q "adopted what the last vnet left .*: 2 translation(s), $nkept kept address(es), 2 key(s)" \
		"$TMP/$name.log" || die "$name $sig: not adopted: $(cat "$TMP/$name.log")"
	[[ $($ctl -c vstats) == "vstats translations=2 kept=$nkept "*" keys=2 "* ]] ||
		die "$name $sig: VNAT STATS? after the restart: $($ctl -c vstats)"
	conns=$($ctl -c conns)
	grep -qE "$want" <<<"$conns" || die "$name $sig: CONNS? after the restart: $conns"
	ok "$name $sig: table, kept addresses ($nkept) and state file left; adopted: $($ctl -c vstats | cut -d' ' -f1-6)"
	sleep 2
}
restart cli TERM
restart cli KILL
restart srv TERM	# the peer: its translations, and the keys with the last counters accepted

# every line once, in order; since the move (the restarts included) no gap
# over 1 s in arrivals that the sender did not make itself (a loaded machine
# may stall it), and no line later than 1 s (lines: SEQ SENT ARRIVED)
n=$(lines)
awk -v t0="$T0" 'BEGIN { gap = 0; late = 0 }
	{ if ($1 + 0 != NR || NF != 3) { print "line " NR ": " $0; bad = 1; exit }
	  if (NR > 1 && $3 > t0) {
		g = ($3 - pa) - ($2 - ps); if (g > gap) gap = g
		if ($3 - $2 > late) late = $3 - $2 }
	  pa = $3; ps = $2 }
	END { if (bad) exit 1; printf "%.3f s, latest line %.3f s\n", gap, late
	      if (gap > 1.0 || late > 1.0) exit 2 }' "$TMP/a.rx" >"$TMP/gap" ||
	die "stream broken across the restarts: $(cat "$TMP/gap") ($n lines)"
ok "$n lines in order; across the three restarts: largest gap beyond the sender's own $(cat "$TMP/gap") (bounds 1 s)"

# the sweep runs in the new process: B closes, its translation goes
bpid=$(nsx cli ss -Htnp "dport = :5004" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
[ -n "$bpid" ] || die "no process for connection B"
kill "$bpid"
stat_is() { [ "$(vstat "$1")" = "$2" ]; }
wait_for 10 "B's translation to be swept" stat_is translations 1
grep -q "1 translation(s) removed: their connections closed (1 left)" "$TMP/cli.log" ||
	die "sweep not logged: $(tail -5 "$TMP/cli.log")"
state_trs() { [ "$(grep -c '^tr ' "$STATE")" = "$1" ]; }
wait_for 5 "the state file to follow" state_trs 1
ok "connection B closed after the restart: swept, state file rewritten"

# a later move: RESUME against --vnat-secure needs the kept key and counter
nsx cli ip addr del 198.18.3.10/24 dev eth1
nsx cli ip addr add 198.18.3.11/24 dev eth1
nsx cli ip route replace default via 198.18.3.1
out=$(vc -c resume) || die "RESUME after the restarts: $out"
[[ $out =~ ^resumed\ 1\ of\ 1 ]] || die "RESUME after the restarts said: $out"
n=$(lines)
wait_for 10 "lines after the second move" lines_over $((n + 10))
sv=$(vs -c vstats)
[[ $sv == *" auth_refused=0 keyless=0 "* ]] || die "the server refused an update or took it keyless: $sv"
grep -q "VNAT_UPD for 1 connection(s): 1 updated, 0 unknown" "$TMP/srv.log" || die "second update not logged on the server"
ok "moved again after the restarts: $out, keyed update accepted by the restarted --vnat-secure server"

# while it runs, the state folder is its own: --vnat-flush refuses (it
# would remove the translations under it), and so does a second vnet --vnat
# on the same --state-dir (it would replace the table, and remove it and the
# file at its exit); the running one keeps everything
out=$(HOME="$TMP/home-cli" nsx cli "$VNET_BIN/vnet" --vnat-flush 2>&1) && die "--vnat-flush with vnet running: $out"
[[ $out == "vnet: --vnat-flush: a vnet --vnat is running on $TMP/home-cli/.vnet (it holds $STATE.lock): stop it first; nothing removed" ]] ||
	die "--vnat-flush with vnet running said: $out"
out=$(HOME="$TMP/home-cli" nsx cli timeout 20 "$VNET_BIN/vnet" pwc -h 127.0.0.1 -p 4456 --vnat --vcmp-port 2032 \
	--control-socket "$TMP/second.control" 2>&1) && die "a second vnet --vnat started: $out"
[[ $out == *"vnat: another vnet --vnat uses the state folder $TMP/home-cli/.vnet (it holds $STATE.lock): give each its own --state-dir"* ]] ||
	die "second vnet --vnat said: $out"
[ "$(vstat translations)" = 1 ] && [ "$(grep -c '^tr ' "$STATE")" = 1 ] &&
	nsx cli nft list table inet vnet >/dev/null 2>&1 || die "the running vnet lost its state: $(vc -c vstats)"
n=$(lines)
wait_for 10 "lines after the refused flush" lines_over $((n + 10))
ok "while vnet runs, --vnat-flush and a second vnet --vnat on its folder are refused; nothing lost"

# stopped for good: SIGTERM leaves it, --vnat-flush removes it
stop_vnet cli
[ -f "$STATE" ] || die "no state file after SIGTERM"
# a vnet without --vnat leaves it alone and says so
start_vnet cli plain pwc -h _ -p 4455 -d eth1 --state-dir "$TMP/home-cli/.vnet"
wait_for 10 "vnet without --vnat" port_open cli 127.0.0.1 4455
stop_vnet plain
grep -q "vnat.state records connections a vnet --vnat left in the kernel: start with --vnat to adopt them, or run vnet --vnat-flush" \
	"$TMP/plain.log" || die "no warning without --vnat: $(cat "$TMP/plain.log")"
[ -f "$STATE" ] && nsx cli nft list table inet vnet >/dev/null 2>&1 || die "vnet without --vnat touched the state"
ok "vnet without --vnat warns about the state left and keeps it"
out=$(HOME="$TMP/home-cli" nsx cli "$VNET_BIN/vnet" --vnat-flush 2>&1) || die "--vnat-flush: $out"
first=$out
[[ $out == *"vnet: removed 198.18.1.10 on lo, arp_announce back to 0, table inet vnet, table arp vnet, the state file $STATE"* ]] ||
	die "--vnat-flush said: $out"
! nsx cli nft list tables | grep -q "table .* vnet" || die "a table left after --vnat-flush"
! nsx cli ip -o addr show dev lo | grep -q "198.18.1.10" || die "kept address left after --vnat-flush"
[ "$(nsx cli sysctl -n net.ipv4.conf.all.arp_announce)" = 0 ] || die "arp_announce not back to 0"
[ ! -e "$STATE" ] || die "state file left after --vnat-flush"
nsx cli nft list tables | grep -q "table inet fw" || die "the host's own firewall was touched"
out=$(HOME="$TMP/home-cli" nsx cli "$VNET_BIN/vnet" --vnat-flush 2>&1) || die "--vnat-flush again: $out"
[[ $out == "vnet: nothing of vnat's to remove"* ]] || die "--vnat-flush again said: $out"
ok "--vnat-flush: $first; nothing left (a second one: $out)"
kill "$SPID" "$APID" 2>/dev/null || true
finish
