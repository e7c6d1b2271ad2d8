#!/bin/bash
# A restart while a SUSPEND is in force (vnet(8) RESTARTS): the SUSPEND is
# not recorded, only the keys it agreed.  vnet says so at exit; after the
# start VNAT STATS? says suspended=no with the key kept; a RESUME with no
# move finds nothing to do and the peer keeps the connection SUSPENDED;
# SUSPEND again and RESUME (as the exit line says) end it on the peer, a
# --vnat-secure one (no update refused), and the stream under it arrives
# whole.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
. "$(dirname "$0")/lib.sh"
vnat_topo_up
CLI_ARGS=(pwc -h _ -p 4455 --vnat --vnat-proc socat)
start_vnet cli cli "${CLI_ARGS[@]}"
start_vnet srv srv pws -h _ -p 4455 --vnat --vnat-secure --vnat-proc socat
wait_for 10 "client's vnet" port_open cli 127.0.0.1 4455
wait_for 10 "server's VCMP" port_open cli 198.18.2.20 2031
vstat() { "$1" -c vstats | tr ' ' '\n' | sed -n "s/^$2=//p"; }
SIZE=$((8 * 1024 * 1024))
shape cli
stream up up srv TCP-LISTEN:5001 cli TCP:198.18.2.20:5001 $SIZE
out=$(vc -c suspend) || die "SUSPEND: $out"
[ "$(vstat vs peer_suspended)" = 1 ] || die "peer: $(vs -c vstats)"

kill -TERM "$PID_cli"
wait "$PID_cli" || die "vnet exited with $? after SIGTERM"
PID_cli=
! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP/cli.log" || die "sanitizer report in cli.log"
grep -q "vnat: exiting while a SUSPEND is in force: it is not recorded; after the next start, SUSPEND again, then RESUME" \
	"$TMP/cli.log" || die "no word about the SUSPEND at exit: $(tail -5 "$TMP/cli.log")"
grep -q '^key 4 6 198.18.1.10 ' "$TMP/home-cli/.vnet/vnat.state" || die "key not recorded"
mv "$TMP/cli.log" "$TMP/cli-before.txt"
start_vnet cli cli "${CLI_ARGS[@]}"
wait_for 10 "client's vnet after the restart" port_open cli 127.0.0.1 4455
[ "$(vstat vc suspended)" = no ] && [ "$(vstat vc keys)" = 1 ] || die "after the restart: $(vc -c vstats)"
ok "exit during SUSPEND said so; after the restart: suspended=no, the key kept"

out=$(vc -c resume) && die "RESUME with no move and no SUSPEND: $out"
[[ $out == *"nothing to resume: 1 virtual connection(s), none moved"* ]] || die "RESUME said: $out"
[[ $(vs -c conns) == *" SUSPENDED "* ]] || die "peer: $(vs -c conns)"
ok "a RESUME alone: $out; the peer keeps it SUSPENDED"

out=$(vc -c suspend) || die "SUSPEND again: $out"
out=$(vc -c resume) || die "RESUME after SUSPEND again: $out"
[[ $out =~ ^resumed\ 1\ of\ 1 ]] || die "RESUME said: $out"
[ "$(vstat vs peer_suspended)" = 0 ] && [ "$(vstat vs auth_refused)" = 0 ] || die "peer: $(vs -c vstats)"
[[ $(vs -c conns) == *" ESTABLISHED "* ]] || die "peer: $(vs -c conns)"
stream_end up
ok "SUSPEND again and RESUME: $out; the peer's SUSPENDED state ended, 8 MB intact"
finish
