#!/bin/bash
# A state folder vnet cannot write (its path runs through a regular file):
# a move still works, each write of the state file fails with a warning
# naming it, and at SIGTERM vnet says it cannot keep the translations for
# a restart and removes them, the kept address and the table, as it did
# before restarts were kept; no state file anywhere, no warning about
# removing the one that never was.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
vnat_topo_up
: >"$TMP/file"
SD="$TMP/file/state"
start_vnet cli cli pwc -h _ -p 4455 --vnat --vnat-proc socat --state-dir "$SD"
start_vnet srv srv pws -h _ -p 4455 --vnat
wait_for 10 "client's vnet" port_open cli 127.0.0.1 4455
wait_for 10 "server's VCMP" port_open cli 198.18.2.20 2031
grep -q "vnat: cannot lock $SD/vnat.state.lock (a second vnet on this --state-dir would go unnoticed)" \
	"$TMP/cli.log" || die "no lock warning: $(grep vnat "$TMP/cli.log" | head -5)"

stream_moved $((8 * 1024 * 1024))
stream_end up
ok "moved without a state folder: $out, 8 MB intact"
grep -q "vnat: cannot write the state file $SD/vnat.state.new (a restart will break the moved connections)" \
	"$TMP/cli.log" || die "no warning for the state file: $(grep state "$TMP/cli.log" | head -3)"
nsx cli nft list table inet vnet >/dev/null 2>&1 || die "no table after the move"

stop_vnet cli
grep -q "vnat: $SD/vnat.state could not be written: removing the 1 translation(s) and 1 kept address(es) at exit" \
	"$TMP/cli.log" || die "exit without a state file not said: $(tail -5 "$TMP/cli.log")"
! grep -q "left for the next start" "$TMP/cli.log" || die "said left, with no state file"
vnat_gone cli 198.18.1.10 || die "table or kept address left at exit: $(nsx cli nft list tables)"
[ "$(find "$TMP/file" "$TMP/home-cli" -name 'vnat.state*' 2>/dev/null | wc -l)" = 0 ] ||
	die "a state file somewhere: $(find "$TMP/file" "$TMP/home-cli" -name 'vnat.state*')"
! grep -q "removing $SD/vnat.state" "$TMP/cli.log" || die "a warning for the file that never was"
ok "at exit: said so, table and kept address removed as before"
finish
