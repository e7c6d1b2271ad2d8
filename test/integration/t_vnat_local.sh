#!/bin/bash
# Nothing local moves (issue 16): with every process on the VNAT list
# (vadd -n '*'), the client has one real connection to the server, one over
# loopback and one to its own address, and vnetclient's own control
# connection to 127.0.0.1, and two on IPv6 sockets: over ::1 and, v4-mapped,
# to its own IPv4 address (::ffff:198.18.1.10).  SUSPEND and RESUME count the real one alone
# ("suspended 1", "resumed 1 of 1"), tell no peer at 127.0.0.1 or at the
# host itself, and the local connections still carry data after the move.
. "$(dirname "$0")/lib.sh"
vnat_topo_up
vnat_pair
[ "$(vc -c vadd -n '*')" = "added *" ] || die "vadd"

# two local connections that stay open: loopback, and the host to itself
# the v4-mapped one's listener is an IPv4 socket: its two ends are of two
# families, so that only the address (not the other end's socket) says local
LOCAL="6001 6002 6003 6004"
for p in $LOCAL; do
	l=TCP6-LISTEN:$p,reuseaddr,ipv6only=0
	[ $p = 6004 ] && l=TCP4-LISTEN:$p,reuseaddr
	nsx cli timeout 60 socat -u $l OPEN:"$TMP/local$p.rx",creat,trunc &
done
wait_for 5 "local listeners" ss_has cli -tln "sport = :6004"
exec 7> >(nsx cli timeout 60 socat -u STDIN TCP:127.0.0.1:6001)
exec 8> >(nsx cli timeout 60 socat -u STDIN TCP:198.18.1.10:6002)
exec 5> >(nsx cli timeout 60 socat -u STDIN TCP6:[::1]:6003)
exec 6> >(nsx cli timeout 60 socat -u STDIN TCP6:[::ffff:198.18.1.10]:6004)
for f in 5 6 7 8; do echo before >&$f; done
wait_for 5 "local connections" ss_has cli -tn "dport = :6004"
nsx cli ss -tn "dport = :6004" | grep -q '::ffff:198.18.1.10' || die "not v4-mapped: $(nsx cli ss -tn "dport = :6004")"

SIZE=$((20 * 1024 * 1024))
shape cli
stream up up srv TCP-LISTEN:5001 cli TCP:198.18.2.20:5001 $SIZE

out=$(vc -c suspend) || die "SUSPEND: $out"
[[ $out =~ ^suspended\ 1\ connection\(s\)\;\ 1\ of\ 1\ peer\(s\)\ told,\ 1\ connection\(s\)\ confirmed$ ]] ||
	die "SUSPEND said: $out"
ok "SUSPEND: $out"
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
out=$(vc -c resume) || die "RESUME: $out"
[[ $out =~ ^resumed\ 1\ of\ 1\ connection\(s\)\ in\ [0-9.]+\ ms ]] || die "RESUME said: $out"
ok "RESUME over the loopback control connection: $out"
grep -Eq "peer (127\.0\.0\.1|::1|(::ffff:)?198\.18\.1\.10|198\.18\.3\.10)\b" "$TMP/cli.log" &&
	die "a local peer was told: $(grep -E 'peer (127|198\.18\.[13]\.10)' "$TMP/cli.log" | head -2)"
[ "$(nsx cli nft list table inet vnet 2>/dev/null | grep -c '127\.0\.0\.1')" = 0 ] ||
	die "a translation for a loopback connection"

for f in 5 6 7 8; do echo after >&$f; done
exec 5>&- 6>&- 7>&- 8>&-
for p in $LOCAL; do
	wait_for 5 "local connection $p: both lines" grep -q after "$TMP/local$p.rx"
	[ "$(cat "$TMP/local$p.rx")" = "$(printf 'before\nafter')" ] || die "local $p: $(cat "$TMP/local$p.rx")"
done
ok "the loopback and self connections (IPv4, ::1, v4-mapped) carried data before and after"
stream_end up
ok "the real connection: 20 MB intact"
finish
