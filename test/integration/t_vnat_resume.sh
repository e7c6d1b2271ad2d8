#!/bin/bash
# VNAT end to end with vnet --vnat on both hosts, under stateful firewalls:
# the processes are on the VNAT lists; the client moves to another LAN;
# `vnetclient -c resume` on the client re-homes the connection (keeping its
# old address on lo), tells the server in one VCMP exchange, and the live
# TCP stream goes on; then the server moves and resumes too (sha256 at the
# end).  RESUME with nothing moved is refused with a reason.  On exit
# nothing of vnet's is left: no table, no kept address.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘ l4 ── eth1 (after its move) 198.18.4.20
. "$(dirname "$0")/lib.sh"
vnat_topo_up four
for ns in cli srv; do
	stateful_fw $ns '{ 4455, 2031, 5001 }'
done
start_vnet cli cli pwc -h _ -p 4455 --vnat
start_vnet srv srv pws -h _ -p 4455 --vnat
wait_for 10 "client's vnet" port_open cli 127.0.0.1 4455
wait_for 10 "server's VCMP" port_open cli 198.18.2.20 2031
vc() { HOME="$TMP/home-cli" nsx cli timeout 20 "$VNET_BIN/vnetclient" -q -p pwc -h 127.0.0.1 "$@" 2>&1; }
[ "$(vc -c vadd -n socat)" = "added socat" ] || die "vadd"
vs() { HOME="$TMP/home-srv" nsx srv timeout 20 "$VNET_BIN/vnetclient" -q -p pws -h 127.0.0.1 "$@" 2>&1; }
[ "$(vs -c vadd -n socat)" = "added socat" ] || die "vadd on the server"

SIZE=$((30 * 1024 * 1024))
for dev in eth0 eth1; do nsx cli tc qdisc add dev $dev root tbf rate 40mbit burst 64kbit latency 200ms; done
head -c $SIZE /dev/urandom >"$TMP/tx.bin"
nsx srv timeout 60 socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$TMP/rx.bin",creat,trunc &
lpid=$!
wait_for 5 "server listening" ss_has srv -tln "sport = :5001"
nsx cli timeout 60 socat -u OPEN:"$TMP/tx.bin" TCP:198.18.2.20:5001 &
spid=$!
rx_over() { [ "$(stat -c %s "$TMP/rx.bin" 2>/dev/null || echo 0)" -gt "$1" ]; }
wait_for 10 "data flowing" rx_over 2000000

out=$(vc -c resume) && die "RESUME with nothing moved accepted: $out"
[[ $out == *"NOK nothing to resume: 1 virtual connection(s), none moved"* ]] || die "RESUME before the move: $out"
ok "RESUME before the move: refused, nothing moved"

# the move: the old address disappears, the new LAN comes up
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
before=$(stat -c %s "$TMP/rx.bin")
out=$(vc -c resume) || die "RESUME: $out"
[[ $out =~ ^resumed\ 1\ of\ 1\ connection\(s\)\ in\ [0-9.]+\ ms$ ]] || die "RESUME said: $out"
ok "vnetclient -c resume: $out"
nsx cli ip -o addr show dev lo | grep -q "198.18.1.10/32" || die "old address not kept on lo"
out=$(vc -c resume) && die "a second RESUME was accepted: $out"
[[ $out == *"NOK nothing to resume: 1 virtual connection(s), none moved"* ]] || die "RESUME twice: $out"
ok "RESUME twice: the second one finds nothing moved"
conns=$(vc -c conns)
[[ $conns == "tcp 198.18.1.10:"*" 198.18.2.20:5001 198.18.3.10:"*" 198.18.2.20:5001 ESTABLISHED "*" socat" ]] ||
	die "conns after RESUME: $conns"
ok "CONNS?: $conns"


# the server moves as well, and resumes
wait_for 20 "data after the client's move" rx_over $((before + 4000000))
move_host srv 198.18.2.20 198.18.4.20 198.18.4.1
before2=$(stat -c %s "$TMP/rx.bin")
out=$(vs -c resume) || die "server RESUME: $out"
[[ $out =~ ^resumed\ 1\ of\ 1\ connection ]] || die "server RESUME said: $out"
ok "server moved too: $out"
conns=$(vc -c conns)
[[ $conns == "tcp 198.18.1.10:"*" 198.18.2.20:5001 198.18.3.10:"*" 198.18.4.20:5001 ESTABLISHED "*" socat" ]] ||
	die "client conns after both moves: $conns"

wait $spid || die "the sender failed after the moves"
wait $lpid || die "the receiver failed"
[ "$(sum256 "$TMP/tx.bin")" = "$(sum256 "$TMP/rx.bin")" ] || die "sha256 differs"
[ "$before2" -lt $SIZE ] || die "the transfer ended before the server's move"
ok "30 MB intact, $((SIZE - before2)) bytes after both moves"

finish
for ns in cli srv; do
	! nsx $ns nft list tables | grep -q "table inet vnet" || die "vnet's table left in $ns"
done
! nsx cli ip -o addr show dev lo | grep -q "198.18.1.10" || die "kept address left on lo"
! nsx srv ip -o addr show dev lo | grep -q "198.18.2.20" || die "kept address left on the server's lo"
ok "after exit: no table, no kept address"
