#!/bin/bash
# VNAT: a connected-UDP exchange survives the client's move, and a
# connection of a process that is not on the VNAT list is left alone (not
# listed by CONNS?, not resumed, nothing of it in vnet's nftables table).
. "$(dirname "$0")/lib.sh"
vnat_topo_up
vnat_pair
[ "$(vc -c vadd -n bash)" = "added bash" ] || die "vadd"

# connected UDP: the server's socat connects its socket to the first sender
nsx srv timeout 30 socat -u UDP4-LISTEN:6000 OPEN:"$TMP/udp.txt",creat,trunc &
wait_for 5 "UDP listener" ss_has srv -uln "sport = :6000"
# bash's /dev/udp is a connected UDP socket; a send that fails while the host
# has no address (during the move) is lost, as it would be for any application
nsx cli timeout 30 bash -c 'exec 3>/dev/udp/198.18.2.20/6000
	for i in $(seq 1 60); do echo "line $i" >&3; sleep 0.1; done 2>/dev/null; exit 0' &
upid=$!
# a TCP connection held by "sleep", a process not on the list
nsx srv timeout 30 socat -u TCP-LISTEN:5003 OPEN:/dev/null &
wait_for 5 "TCP listener" ss_has srv -tln "sport = :5003"
nsx cli bash -c 'exec 3<>/dev/tcp/198.18.2.20/5003; exec sleep 20' &
wait_for 5 "line 5 over UDP" grep -q "line 5" "$TMP/udp.txt"
has_conn() { ss_has cli -tn state established "( dport = :5003 )"; }
wait_for 5 "the sleep connection" has_conn
conns=$(vc -c conns)
[[ $conns == "udp 198.18.1.10:"*" 198.18.2.20:6000 198.18.1.10:"*" 198.18.2.20:6000 CONNECTED "*" bash" ]] ||
	die "conns: $conns | $(nsx cli ss -uanp | tr "\n" ";") | $(vc -c procs)"
[[ $conns != *":5003 "* ]] || die "the connection of sleep is listed: $conns"
ok "CONNS? lists the UDP exchange of bash and not sleep's TCP connection"

move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
sent=$(wc -l <"$TMP/udp.txt")
out=$(vc -c resume) || die "RESUME: $out"
[[ $out =~ ^resumed\ 1\ of\ 1\ connection ]] || die "RESUME said: $out"
nsx cli nft list table inet vnet | grep -q ' . 5003 ' && die "sleep's connection is in vnet's table"
wait $upid || die "the UDP sender failed"
wait_for 5 "the last line over UDP" grep -q "line 60" "$TMP/udp.txt"
got=$(wc -l <"$TMP/udp.txt")
[ "$got" -gt $((sent + 20)) ] || die "only $got lines arrived ($sent before the move)"
grep -q "line 60" "$TMP/udp.txt" || die "the last line is missing"
ok "connected UDP: $got of 60 lines arrived, $((got - sent)) after the move; sleep's TCP untouched"
finish
