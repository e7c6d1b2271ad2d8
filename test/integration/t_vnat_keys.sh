#!/bin/bash
# Keys against hijacking.  The client suspends (a key per connection is
# agreed with the server); the router, a third host that reaches both
# ends, then sends the server forged updates that would redirect the live
# connection to itself: keyless, and with a made-up tag; after the client's
# real move it replays the VNAT_UPD it saw on the wire.  Each is refused and
# counted, the server never translates towards the router, and the stream's
# data reaches the server intact.  Run with and without --vnat-secure; with
# it, a keyless update for a connection that never had a key is refused too.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr: the attacker, 198.18.4.1 on l4] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
hexip() { printf '\\x%02x' ${1//./ }; }
hexport() { printf '\\x%02x\\x%02x' $(($1 >> 8)) $(($1 & 255)); }
# evil BYTES: the router sends BYTES to the server's VCMP port, prints the answer as hex
evil() { printf "$1" | nsx rtr timeout 5 socat -t 2 - TCP:198.18.2.20:2031 | od -An -tx1 | tr -d ' \n'; }
vstat() { vs -c vstats | tr ' ' '\n' | sed -n "s/^$1=//p"; }

for mode in plain secure; do
	log "--- server $( [ $mode = secure ] && echo with || echo without ) --vnat-secure"
	vnat_topo_up four
	ip -n "${P}rtr" link set l4 up
	extra=; [ $mode = secure ] && extra=--vnat-secure
	start_vnet cli cli pwc -h _ -p 4455 --vnat
	start_vnet srv srv pws -h _ -p 4455 --vnat $extra
	wait_for 10 "client's vnet" port_open cli 127.0.0.1 4455
	wait_for 10 "server's VCMP" port_open cli 198.18.2.20 2031
	[ "$(vc -c vadd -n socat)" = "added socat" ] || die "vadd"
	shape cli
	stream up up srv TCP-LISTEN:5001 cli TCP:198.18.2.20:5001 $((20 * 1024 * 1024))
	lport=$(nsx cli ss -Htn "dport = :5001" | awk '{print $4}' | sed 's/.*://')
	out=$(vc -c suspend) || die "SUSPEND: $out"
	[ "$(vstat keys)" = 1 ] || die "no key on the server: $(vs -c vstats)"
	[ "$(vc -c vstats | tr ' ' '\n' | sed -n 's/^keys=//p')" = 1 ] || die "no key on the client"

	# forged: keyless (the seed's format), then with a made-up tag
	upd1="\x01\x01$(hexport 5001)$(hexip 198.18.2.20)$(hexip 198.18.1.10)$(hexip 198.18.4.1)$(hexport $lport)$(hexport $lport)"
	out=$(evil "$upd1")
	[ "$out" = "0102000000000000000000000000000000000000" ] || die "forged keyless update answered: $out"
	tag=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/../\\x&/g')
	upd2="\x02\x01\x04\x04\x00\x01\x00\x44\x06\x00$(hexport 5001)$(hexport $lport)$(hexport $lport)$(hexip 198.18.2.20)$(hexip 198.18.1.10)$(hexip 198.18.4.1)\x00\x00\x00\x00\x00\x00\x00\x07$tag"
	out=$(evil "$upd2")
	[ "${out:0:8}" = "02020400" ] && [ "${out:28:4}" = "0000" ] && [ "${out:48:8}" = "00000000" ] || die "forged tagged update answered: $out"
	grep -q "the connection has a key, the update no tag" "$TMP/srv.log" || die "keyless forgery not logged"
	grep -q "wrong tag (forged or tampered)" "$TMP/srv.log" || die "tag forgery not logged"
	[ "$(vstat auth_refused)" = 2 ] || die "forgeries not counted: $(vs -c vstats)"
	nsx srv nft list ruleset | grep -q 198.18.4.1 && die "the server translates towards the attacker"
	ok "$mode: forged updates (keyless, made-up tag) refused and counted; nothing redirected"
	if [ $mode = plain ]; then
		# keys: for an unknown connection, and for the real one from another address
		key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/../\\x&/g')
		out=$(evil "\x02\x03\x04\x02\x00\x01\x00\x3c$key\x06\x00$(hexport 5001)$(hexport 999)$(hexport 999)$(hexip 198.18.2.20)$(hexip 198.18.9.9)$(hexip 198.18.4.1)")
		[ "${out:0:4}" = 0204 ] && [ "${out:$((2 * (40 + 6))):4}" = 0000 ] || die "key for an unknown connection answered: $out"
		out=$(evil "\x02\x03\x04\x02\x00\x01\x00\x3c$key\x06\x00$(hexport 5001)$(hexport $lport)$(hexport $lport)$(hexip 198.18.2.20)$(hexip 198.18.1.10)$(hexip 198.18.4.1)")
		[ "${out:$((2 * (40 + 6))):4}" = 0000 ] || die "a key planted from another address: $out"
		grep -q "VNAT_SUS for the connection of 198.18.1.10:$lport refused: not sent from its address" \
			"$TMP/srv.log" || die "planted key not logged"
		[ "$(vstat keys)" = 1 ] || die "keys changed: $(vs -c vstats)"
		[ "$(vstat auth_refused)" = 3 ] || die "not counted: $(vs -c vstats)"
		ok "plain: a key for an unknown connection, and one from another address, refused"
	fi

	# the real move, seen on the wire by the router, then replayed by it
	nsx rtr timeout 20 tcpdump -i l3 --immediate-mode -U -s 0 -w "$TMP/vcmp.pcap" tcp port 2031 2>/dev/null &
	tpid=$!
	wait_for 5 "tcpdump" test -s "$TMP/vcmp.pcap"
	sleep 1	# the header is written before the capture is armed
	move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
	out=$(vc -c resume) || die "RESUME: $out"
	[[ $out =~ ^resumed\ 1\ of\ 1 ]] || die "RESUME said: $out"
	base=2; [ $mode = plain ] && base=3
	[ "$(vstat auth_refused)" = $base ] || die "the true update was refused: $(vs -c vstats)"
	sleep 0.3
	nsx rtr pkill -INT -x tcpdump || true
	wait $tpid 2>/dev/null || true
	python3 "$ROOT/test/tools/pcap_payload.py" "$TMP/vcmp.pcap" 2031 >"$TMP/upd.bin"
	[ "$(head -c 4 "$TMP/upd.bin" | od -An -tx1 | tr -d ' ')" = 02010404 ] ||
		die "no authenticated VNAT_UPD seen on the wire: $(od -An -tx1 "$TMP/upd.bin" | head -2)"
	nsx rtr timeout 5 socat -t 2 OPEN:"$TMP/upd.bin" TCP:198.18.2.20:2031 >/dev/null
	wait_for 5 "the replay refused" grep -q "counter not above the last one (replayed)" "$TMP/srv.log"
	[ "$(vstat auth_refused)" = $((base + 1)) ] || die "the replay was not counted: $(vs -c vstats)"
	ok "$mode: the true RESUME authenticated; its replay refused and counted"

	if [ $mode = secure ]; then
		# a connection that never had a key (opened after SUSPEND)
		nsx srv timeout 30 socat -u TCP-LISTEN:5002,reuseaddr OPEN:/dev/null &
		wait_for 5 "listener" ss_has srv -tln "sport = :5002"
		nsx cli timeout 30 socat -u EXEC:"sleep 30" TCP:198.18.2.20:5002 &
		bport=
		for _ in $(seq 50); do
			bport=$(nsx srv ss -Htn "sport = :5002" | awk '{print $5}' | sed 's/.*://')
			[ -n "$bport" ] && break; sleep 0.1
		done
		[ -n "$bport" ] || die "no second connection"
		out=$(evil "\x01\x01$(hexport 5002)$(hexip 198.18.2.20)$(hexip 198.18.3.10)$(hexip 198.18.4.1)$(hexport $bport)$(hexport $bport)")
		[ "$out" = "0102000000000000000000000000000000000000" ] || die "keyless update accepted under --vnat-secure: $out"
		grep -q "refused: no key and --vnat-secure" "$TMP/srv.log" || die "not logged"
		ok "secure: a keyless update for a connection that never had a key refused"
	fi
	stream_end up
	nsx srv nft list ruleset | grep -q 198.18.4.1 && die "the server translates towards the attacker"
	ok "$mode: 20 MB reached the true peer intact"
	finish
	cleanup
	trap cleanup EXIT
	NSS=() PIDS=()
	TMP=$(mktemp -d "/tmp/vnet-test.XXXXXX")
	P="vt$$k$mode"
done
