#!/bin/bash
# vnet --vnat as the peer of a host that moved: a live TCP stream from the
# client survives its move when the client sends one VNAT_UPD (the seed's
# 20-byte layout) to the server's port 2031; the server answers VNAT_UPD_R
# with its physical address and rewrites the connection in its own nftables
# table.  Bad VCMP input is refused and logged; a connection the server does
# not have is answered 0.0.0.0:0.  The table is gone after vnet exits.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20 (vnet --vnat)
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
vnat_topo_up
for ns in cli srv; do
	stateful_fw $ns '{ 4455, 2031, 5001 }'
done
nsx cli "$VNET_TOOLS/vnat-tr" reset
start_vnet srv srv pw -h _ -p 4455 --vnat
wait_for 10 "VCMP port" port_open cli 198.18.2.20 2031
nsx srv nft list ruleset | grep -q vnet && die "a table of vnet's before anything moved"
ok "vnet --vnat listens on 2031; no table of vnet's until something moves"

# vcmp HEX: send a message, print the answer as hex
vcmp() { printf "$1" | nsx cli timeout 5 socat -t 2 - TCP:198.18.2.20:2031 | od -An -tx1 | tr -d ' \n'; }
hexip() { printf '\\x%02x' ${1//./ }; }
hexport() { printf '\\x%02x\\x%02x' $(($1 >> 8)) $(($1 & 255)); }

# bad input: truncated, wrong version, wrong command
(printf '\x01\x01\x13\x89\xc6\x12'; sleep 0.3) | nsx cli timeout 5 socat -t 1 - TCP:198.18.2.20:2031 >/dev/null || true
wait_for 5 "truncated message logged" grep -q "closed with 6 bytes of a message unread (truncated)" "$TMP/srv.log"
out=$(vcmp '\x07\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00')
[ -z "$out" ] || die "wrong version answered: $out"
grep -q "refused: unknown type (first bytes 07 01)" "$TMP/srv.log" || die "wrong version not logged"
out=$(vcmp '\x01\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00')
[ -z "$out" ] || die "a VNAT_UPD_R sent to the server was answered: $out"
grep -q "refused: not a VNAT_UPD or VNAT_SUS (first bytes 01 02)" "$TMP/srv.log" || die "wrong command not logged"
# a connection the server does not have
out=$(vcmp "\x01\x01$(hexport 5001)$(hexip 198.18.2.20)$(hexip 198.18.1.10)$(hexip 198.18.3.10)$(hexport 999)$(hexport 999)")
[ "$out" = "0102000000000000000000000000000000000000" ] || die "unknown connection answered: $out"
grep -q "VNAT_UPD for 1 connection(s): 0 updated, 1 unknown" "$TMP/srv.log" || die "unknown not logged"
# oversized: a version-2 header announcing 65535 entries
out=$(vcmp '\x02\x01\x04\x00\xff\xff\xff\xff')
[ -z "$out" ] || die "an oversized message was answered: $out"
grep -q "refused: length out of bounds (first bytes 02 01)" "$TMP/srv.log" || die "oversized not logged"
stats=$(HOME="$TMP/home-cli" nsx cli timeout 10 "$VNET_BIN/vnetclient" -q -p pw -h 198.18.2.20 -c vstats 2>&1)
[[ $stats == *" vcmp_msgs=1 updated=0 unknown=1 refused=4 auth_refused=0 keyless=0 conflicts=0 "* ]] || die "counters: $stats"
ok "truncated, wrong version, wrong command, oversized refused, logged and counted; unknown connection answered 0.0.0.0:0 ($stats)"

SIZE=$((20 * 1024 * 1024))
shape cli
stream up up srv TCP-LISTEN:5001 cli TCP:198.18.2.20:5001 $SIZE
wait_for 10 "data flowing" rx_over up 2000000
lport=$(nsx cli ss -Htn "dport = :5001" | awk '{split($4, a, ":"); print a[2]}')

# the client moves; it tells the server with one VNAT_UPD from its new address
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
nsx cli ip addr add 198.18.1.10/32 dev lo
before=$(bytes_in up)
# the input side first, as RESUME does: once the server has its update it
# sends to the new address, where without it the client's kernel would
# answer with a reset (the connecting socat failed, now and then)
nsx cli "$VNET_TOOLS/vnat-tr" add 1 tcp 198.18.1.10:$lport 198.18.3.10:$lport \
	198.18.2.20:5001 198.18.2.20:5001 base in || die "client translation (input side)"
out=$(vcmp "\x01\x01$(hexport 5001)$(hexip 198.18.2.20)$(hexip 198.18.1.10)$(hexip 198.18.3.10)$(hexport $lport)$(hexport $lport)")
want="010200000000000000000000""c6120214""0000""1389"
[ "$out" = "$want" ] || die "VNAT_UPD_R: $out (want $want)"
grep -q "VNAT_UPD for 1 connection(s): 1 updated, 0 unknown" "$TMP/srv.log" || die "update not logged"
nsx cli "$VNET_TOOLS/vnat-tr" add 1 tcp 198.18.1.10:$lport 198.18.3.10:$lport \
	198.18.2.20:5001 198.18.2.20:5001 out || die "client translation (output side)"
grep -q "update for the connection of 198.18.1.10:$lport accepted without a key (the connection never had one)" \
	"$TMP/srv.log" || die "the keyless update (never keyed, no --vnat-secure) is not logged"
ok "VNAT_UPD answered with VNAT_UPD_R 198.18.2.20:5001 ($before bytes before the move); keyless, logged"

# the process list and VNAT CONNS? (vnetclient procs, vadd, vdel, conns)
vc() { HOME="$TMP/home-cli" nsx cli timeout 10 "$VNET_BIN/vnetclient" -q -p pw -h 198.18.2.20 "$@" 2>&1; }
[ -z "$(vc -c procs)" ] || die "procs not empty at start"
# with an empty list, the connection the update moved is shown as the peer's doing
out=$(vc -c conns)
[[ $out =~ ^tcp\ 198.18.2.20:5001\ 198.18.1.10:$lport\ 198.18.2.20:5001\ 198.18.3.10:$lport\ PEER_MOVED\ [0-9]+\ socat$ ]] ||
	die "conns with an empty process list: '$out'"
[ "$(vc -c vadd -n socat)" = "added socat" ] || die "vadd"
out=$(vc -c vadd -n socat) && die "vadd twice accepted"
[[ $out == *"NOK 'socat' is on the list already"* ]] || die "vadd twice: $out"
[ "$(vc -c procs)" = socat ] || die "procs: $(vc -c procs)"
out=$(vc -c conns)
[[ $out == *"tcp 198.18.2.20:5001 198.18.1.10:$lport 198.18.2.20:5001 198.18.3.10:$lport ESTABLISHED "*" socat"* ]] ||
	die "conns: $out"
ok "VNAT CONNS? shows the moved connection: $out"
[ "$(vc -c vdel -n socat)" = "removed socat" ] || die "vdel"
out=$(vc -c vdel -n sshd) && die "vdel of an absent name accepted"
[[ $out == *"NOK 'sshd' is not on the list"* ]] || die "vdel absent: $out"
out=$(vc -c vadd) && die "vadd without -n accepted"
[[ $out == *"vadd needs -n <process name>"* ]] || die "vadd without -n: $out"
stream_end up
ok "20 MB intact, $((SIZE - before)) bytes after the move"

finish
# what vnet leaves at exit for a restart (a translation the sweep had no
# time to remove) is in its state file; --vnat-flush removes it
out=$(HOME="$TMP/home-srv" nsx srv "$VNET_BIN/vnet" --vnat-flush 2>&1) || die "--vnat-flush: $out"
! nsx srv nft list tables | grep -q "table inet vnet" || die "vnet's table left after --vnat-flush: $out"
[ ! -e "$TMP/home-srv/.vnet/vnat.state" ] || die "state file left after --vnat-flush"
nsx srv nft list tables | grep -q "table inet fw" || die "the host's own firewall table was touched"
ok "no table of vnet's after exit and --vnat-flush ($out); the firewall table is untouched"
