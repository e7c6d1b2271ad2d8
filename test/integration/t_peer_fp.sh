#!/bin/bash
# A standing handler of the configuration names its peer's key
# (fingerprint = SHA256:<hex>, as vnet --fingerprint prints it): a wrong one
# is refused with both fingerprints in the log and retried on the refused
# back-off, no handler on either side; the right one (given in capitals)
# brings the handler up.  Neither writes known_servers.
#
#   vm ── vmnet1 [host] 198.18.44.2 ── [rtr] ── LAN ─┬─ [proxy] 198.18.42.2 (--config, -s)
#                                                    ├─ [peer]  198.18.42.20
#                                                    └─ [cli]   (vnetclient)
. "$(dirname "$0")/lib.sh"
topo_up
ETC="$TMP/etc"
mkdir -m 0700 "$ETC"
CONF="$ETC/vnet.conf"
(umask 077; echo pw2 >"$ETC/proxy.pw"; echo pw1 >"$ETC/host.pw")
KNOWN="$TMP/home-proxy/.vnet/known_servers"

mkdir -p "$TMP/home-host"
out=$(HOME="$TMP/home-host" "$VNET_BIN/vnet" --fingerprint 2>"$TMP/fp.err") || die "--fingerprint: $(cat "$TMP/fp.err")"
KEY=$(awk '$1 == "key" {print $2}' <<<"$out")
[[ $KEY =~ ^SHA256:[0-9a-f]{64}$ ]] || die "--fingerprint printed: $out"
WRONG=SHA256:$(printf '%064d' 0)

# write_conf FP: the proxy's file, one standing handler to the host naming FP
write_conf() {
	{
		printf 'password-file = %s\nlisten = _\nport = 4455\ndevices = eth0\ntls = yes\n\n' "$ETC/proxy.pw"
		printf '[handler vm1]\ndevice = eth0\npeer = 198.18.44.2\npeer-device = vmnet1\nrole = local\n'
		printf 'addresses = %s ff:ff:ff:ff:ff:ff\npassword-file = %s\nfingerprint = %s\n' \
			"$VM_MAC" "$ETC/host.pw" "$1"
	} >"$CONF.new"
	chmod 0600 "$CONF.new"
	mv "$CONF.new" "$CONF"
}
hh() { handlers cli 198.18.44.2 pw1 -s; }
ph() { handlers cli 198.18.42.2 pw2 -s; }
pings() { nsx vm ping -c1 -W1 198.18.42.20 >/dev/null 2>&1; }
refusals() { grep -c "198.18.44.2:4455 shows the key $KEY, not the fingerprint the configuration names ($WRONG): refused" "$TMP/proxy.log" || true; }
refused_twice() { [ "$(refusals)" -ge 2 ]; }

start_vnet host host pw1 -s -h _ -p 4455 -d vmnet1
wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
write_conf "$WRONG"
start_vnet proxy proxy --config "$CONF"
wait_for 10 "vnet on proxy" port_open cli 198.18.42.2 4455
wait_for 20 "the wrong key refused twice (retried)" refused_twice
[ -z "$(hh)" ] || die "a handler on the host with the wrong fingerprint: $(hh)"
[ -z "$(ph)" ] || die "a handler on the proxy with the wrong fingerprint: $(ph)"
! pings || die "the VM reaches the LAN through a refused handler"
[ ! -e "$KNOWN" ] || die "known_servers written: $(cat "$KNOWN")"
grep -q "HELLO" "$TMP/host.log" && grep -q "authenticated (client version" "$TMP/host.log" &&
	die "the proxy sent its password to a server with the wrong key"
ok "wrong fingerprint: refused before HELLO, both fingerprints in the log, retried; known_servers untouched"

write_conf "SHA256:$(tr a-f A-F <<<"${KEY#SHA256:}")"
kill -HUP "$PID_proxy"
wait_for 10 "the SIGHUP" grep -q "handlers: 0 added, 0 removed, 1 changed" "$TMP/proxy.log"
wait_for 15 "the handler on the host" test -n "$(hh)"
wait_for 10 "VM pings the LAN" pings
[ ! -e "$KNOWN" ] || die "known_servers written: $(cat "$KNOWN")"
ok "right fingerprint (in capitals): handler up, the VM pings the LAN; known_servers untouched"
finish
