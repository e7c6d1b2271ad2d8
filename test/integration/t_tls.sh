#!/bin/bash
# TLS (-s): TLS 1.3 only; certificates pinned on first use by clients and
# servers, a changed one refused with a clear error before any password is
# sent; a CA file for managed set-ups; clear errors when only one side uses
# -s; the clear-text warning; passwords from root-only files, not in ps.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
topo_up
servers_up -s
vc() { client cli "$@" 2>&1; }

# TLS 1.3 only
! nsx cli timeout 5 openssl s_client -connect 198.18.44.2:4455 -tls1_2 </dev/null >/dev/null 2>&1 ||
	die "a TLS 1.2 handshake succeeded"
nsx cli timeout 5 openssl s_client -connect 198.18.44.2:4455 -tls1_3 </dev/null 2>/dev/null |
	grep -q "TLSv1.3" || die "no TLS 1.3 handshake"
ok "TLS 1.3 accepted, TLS 1.2 refused"

# pin on first use, then silently trusted
out=$(vc -s -p pw1 -h 198.18.44.2 -c devices) || die "first TLS contact: $out"
[[ $out == *"first contact with 198.18.44.2:4455: pinned its key SHA256:"* ]] || die "no pin notice: $out"
[[ $out == *vmnet1* ]] || die "devices: $out"
out=$(vc -s -p pw1 -h 198.18.44.2 -c devices) || die "second TLS contact: $out"
[ "$out" = vmnet1 ] || die "second contact not silent: $out"
ok "client pins on first use, then trusts silently"

# vnet --fingerprint: what the client pinned at first contact, and the
# certificate's as openssl sees it
fp=$(HOME="$TMP/home-host" "$VNET_BIN/vnet" --fingerprint 2>"$TMP/fp.err") || die "--fingerprint: $(cat "$TMP/fp.err")"
[ ! -s "$TMP/fp.err" ] || die "--fingerprint with an identity said: $(cat "$TMP/fp.err")"
key=$(awk '$1 == "key" {print $2}' <<<"$fp")
pinned=$(awk '$1 == "198.18.44.2:4455" {sub(/^key:/, "", $2); print $2}' "$TMP/home-cli/.vnet/known_servers")
[[ $key =~ ^SHA256:[0-9a-f]{64}$ ]] && [ "$key" = "$pinned" ] || die "--fingerprint key '$key', pinned '$pinned'"
cert=$(openssl x509 -in "$TMP/home-host/.vnet/cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)
[ "$(awk '$1 == "certificate" {print $2}' <<<"$fp")" = "SHA256:$cert" ] || die "--fingerprint certificate: $fp (openssl: $cert)"
# no identity yet, as nobody, without password or devices: made, and said
chmod 711 "$TMP"
mkdir "$TMP/fp-new" && chown nobody "$TMP/fp-new"
fp=$(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$VNET_BIN/vnet" --fingerprint \
	--state-dir "$TMP/fp-new/st" 2>"$TMP/fp.err") || die "--fingerprint as nobody: $(cat "$TMP/fp.err")"
grep -q "no identity yet: made $TMP/fp-new/st/cert.pem" "$TMP/fp.err" || die "new identity not said: $(cat "$TMP/fp.err")"
[ "$(stat -c %U "$TMP/fp-new/st/key.pem")" = nobody ] || die "the new key is not nobody's"
[[ $fp == "key SHA256:"*$'\n'"certificate SHA256:"* ]] || die "--fingerprint of a new identity: $fp"
ok "vnet --fingerprint prints the key the client pinned and the certificate's; as nobody it makes a missing identity and says so"

# clear-text warning; one side without -s
set +e
out=$(client cli -p pw1 -h 198.18.44.2 -c devices 2>&1); rc=$?
[ $rc = 3 ] && [[ $out == *"warning: without -s the password crosses the network in clear"* ]] &&
	[[ $out == *"does the server run with -s? then use -s too"* ]] || die "plain client vs TLS server: rc=$rc $out"
set -e
ok "plain client against a TLS server: warning, exit 3, hint"

# a renewed certificate with the same key: still the same server
stop_vnet host
old_fp=$(openssl x509 -in "$TMP/home-host/.vnet/cert.pem" -noout -fingerprint -sha256)
openssl req -new -x509 -key "$TMP/home-host/.vnet/key.pem" -subj /CN=renewed -days 30 \
	-out "$TMP/home-host/.vnet/cert.pem" 2>/dev/null || die "openssl: renewing the certificate"
[ "$(openssl x509 -in "$TMP/home-host/.vnet/cert.pem" -noout -fingerprint -sha256)" != "$old_fp" ] ||
	die "the renewed certificate is the old one"
start_vnet host host pw1 -s -h _ -p 4455 -d vmnet1
wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
out=$(vc -s -p pw1 -h 198.18.44.2 -c devices) || die "renewed certificate, same key: $out"
[ "$out" = vmnet1 ] || die "renewed certificate, same key: not silent: $out"
ok "a renewed certificate with the same key is trusted silently (the key is pinned)"

# an identity change: the host's server restarts with a new key
stop_vnet host
rm -rf "$TMP/home-host/.vnet"
start_vnet host host pw1 -s -h _ -p 4455 -d vmnet1
wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
set +e
out=$(vc -s -p pw1 -h 198.18.44.2 -c devices); rc=$?
set -e
[ $rc = 3 ] && [[ $out == *"the certificate of 198.18.44.2:4455 has CHANGED"* ]] &&
	[[ $out == *"known_servers line 1"* ]] || die "changed certificate: rc=$rc $out"
[[ $out == *"if you expect this (new key), forget the old pin: vnetclient --forget 198.18.44.2:4455 --known-servers $TMP/home-cli/.vnet/known_servers"* ]] ||
	die "the CHANGED message does not say what to run: $out"
grep -q "authenticated" "$TMP/host.log" && die "the client sent its password to a changed server"
ok "client refuses a changed certificate before sending the password"

# --forget, then first contact again
known=$TMP/home-cli/.vnet/known_servers
out=$(client cli --forget 198.18.44.2:4455) || die "--forget: $out"
[ "$out" = "198.18.44.2:4455: 1 line removed from $known" ] || die "--forget said: $out"
out=$(client cli --forget=198.18.44.2) || die "--forget again: $out"
[ "$out" = "198.18.44.2:4455: 0 lines removed from $known" ] || die "--forget again said: $out"
printf '[fd00::1]:4455 key:SHA256:00\n[fd00::1]:4456 key:SHA256:00\n' >>"$known"
out=$(client cli --forget '[fd00::1]:4455') || die "--forget IPv6: $out"
[ "$out" = "[fd00::1]:4455: 1 line removed from $known" ] && grep -qx '\[fd00::1\]:4456 key:SHA256:00' "$known" ||
	die "--forget [fd00::1]:4455: $out; $(cat "$known")"
# --require-pin: an unknown server refused, nothing pinned, nothing sent
set +e
out=$(vc -s --require-pin -p pw1 -h 198.18.44.2 -c devices); rc=$?
set -e
[ $rc = 3 ] && [[ $out == *"198.18.44.2:4455 is not in $known (--require-pin): its key is SHA256:"* ]] ||
	die "--require-pin, unknown server: rc=$rc $out"
grep -q '^198.18.44.2:4455 ' "$known" && die "--require-pin pinned"
# from a terminal: the key is shown and asked about; no: exit 3, nothing pinned
onpty() { HOME=$TMP/home-cli nsx cli python3 "$ROOT/test/tools/pty_run.py" 20 "$@"; }
set +e
out=$(onpty 'yes/no\)\? ' no -- "$VNET_BIN/vnetclient" -s -h 198.18.44.2 -c devices); rc=$?
set -e
[ $rc = 3 ] && [[ $out == *"Its key fingerprint is SHA256:"* ]] && [[ $out == *"198.18.44.2:4455 not pinned: nothing sent"* ]] ||
	die "first contact from a terminal, answered no: rc=$rc $out"
[[ $out != *Password* ]] || die "a password was asked before the key was accepted: $out"
grep -q '^198.18.44.2:4455 ' "$known" && die "answered no, but pinned"
# yes: pinned (the key shown is the key pinned), then the password is asked
out=$(onpty 'yes/no\)\? ' yes 'Password for vnet server 198.18.44.2 port 4455: ' pw1 -- \
	"$VNET_BIN/vnetclient" -s -h 198.18.44.2 -c devices) || die "first contact, answered yes: $out"
[[ $out == *vmnet1* ]] || die "devices after yes: $out"
fp=$(printf '%s\n' "$out" | sed -En 's/^Its key fingerprint is (SHA256:[0-9a-f]{64}).*/\1/p')
[ -n "$fp" ] && grep -qx "198.18.44.2:4455 key:$fp" "$known" || die "pinned is not what was shown ($fp): $(cat "$known")"
out=$(vc -s --require-pin -p pw1 -h 198.18.44.2 -c devices) || die "--require-pin, known server: $out"
[ "$out" = vmnet1 ] || die "--require-pin, known server: $out"
ok "--forget (host:port, host, [v6]:port), --require-pin, first contact from a terminal asks before pinning (no: nothing pinned)"

# the proxy pinned the first identity too (HANDLE once, before the change, would
# have pinned it): pin the current one, change it again, HANDLE is refused
client cli -s -q -p pw2 -h 198.18.42.2 -c handle -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 \
	-g local -j $VM_MAC >/dev/null || die "HANDLE with TLS"
client cli -s -q -p pw2 -h 198.18.42.2 -c close -i 1 >/dev/null
# a refusing second server, and one on a port that does not speak TLS
set +e
out=$(vc -s -q -p pw2 -h 198.18.42.2 -c handle -b pw1 -a 4999 -d 198.18.44.2 -e eth0 -f vmnet1 \
	-g local -j $VM_MAC); rc=$?
[ $rc = 1 ] && [[ $out == *"cannot reach second server: Connection refused"* ]] ||
	die "TLS, refusing second server: rc=$rc $out"
nsx host timeout 10 socat TCP-LISTEN:4998,reuseaddr,fork SYSTEM:'echo not tls' >/dev/null 2>&1 &
PIDS+=($!)
wait_for 5 "plain listener" port_open cli 198.18.44.2 4998
out=$(vc -s -q -p pw2 -h 198.18.42.2 -c handle -b pw1 -a 4998 -d 198.18.44.2 -e eth0 -f vmnet1 \
	-g local -j $VM_MAC); rc=$?
set -e
[ $rc = 1 ] && [[ $out == *"second server"* ]] && [[ $out == *"TLS"* || $out == *"closed the connection"* ]] ||
	die "TLS, plain second server: rc=$rc $out"
ok "HANDLE over TLS: a refusing or non-TLS second server gets a clear NOK ($out)"
stop_vnet host
rm -rf "$TMP/home-host/.vnet"
start_vnet host host pw1 -s -h _ -p 4455 -d vmnet1
wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
set +e
out=$(vc -s -q -p pw2 -h 198.18.42.2 -c handle -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 -g local -j $VM_MAC); rc=$?
set -e
[ $rc = 1 ] && [[ $out == *"NOK the certificate of 198.18.44.2:4455 has CHANGED"* ]] ||
	die "server-to-server changed certificate: rc=$rc $out"
ok "server refuses a second server whose certificate changed"

# a CA for managed set-ups: the host gets a CA-signed certificate for its address
ca=$TMP/ca
mkdir -p "$ca"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=test-ca \
	-keyout "$ca/ca.key" -out "$ca/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=host \
	-keyout "$ca/host.key" -out "$ca/host.csr" 2>/dev/null
printf 'subjectAltName=IP:198.18.44.2\n' >"$ca/ext"
openssl x509 -req -in "$ca/host.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" -CAcreateserial \
	-days 2 -extfile "$ca/ext" -out "$ca/host.pem" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=other-ca \
	-keyout "$ca/other.key" -out "$ca/other.pem" 2>/dev/null
stop_vnet host
start_vnet host host pw1 -s -h _ -p 4455 -d vmnet1 --cert "$ca/host.pem" --key "$ca/host.key"
wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
out=$(vc -s -q -p pw1 --ca "$ca/ca.pem" -h 198.18.44.2 -c devices) || die "CA-verified: $out"
[ "$out" = vmnet1 ] || die "CA-verified devices: $out"
set +e
out=$(vc -s -q -p pw1 --ca "$ca/other.pem" -h 198.18.44.2 -c devices); rc=$?
set -e
[ $rc = 3 ] && [[ $out == *"TLS handshake with 198.18.44.2 port 4455 failed"*"certificate verify failed"* ]] ||
	die "wrong CA: rc=$rc $out"
ok "--ca verifies a CA-signed server and refuses one from another CA"

# passwords from root-only files; not in ps
printf 'file-secret-1\n' >"$TMP/pw"
chmod 644 "$TMP/pw"
set +e
out=$(nsx host "$VNET_BIN/vnet" --password-file "$TMP/pw" -h _ -p 4456 -d vmnet1 --control-socket "$(ctl_sock pwfile)" 2>&1); rc=$?
set -e
[ $rc = 2 ] && [[ $out == *"can be read by others (mode 0644): chmod 600 it"* ]] || die "0644 password file: rc=$rc $out"
chmod 600 "$TMP/pw"
start_vnet host hostpf --password-file "$TMP/pw" -h _ -p 4456 -d vmnet1
wait_for 10 "vnet on 4456" port_open cli 198.18.44.2 4456
ps -o args= -p "$PID_hostpf" | grep -q file-secret && die "password visible in ps"
out=$(client cli -q --password-file "$TMP/pw" -o 4456 -h 198.18.44.2 -c devices 2>&1) || die "password file: $out"
[ "$out" = vmnet1 ] || die "password file devices: $out"
ok "password files: 0644 refused, 0600 used by server and client, not in ps"
finish
