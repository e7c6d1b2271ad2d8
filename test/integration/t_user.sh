#!/bin/bash
# vnet --user: both servers of the seed's example (with -s) drop to the user
# nobody once they listen; a handler made afterwards captures and injects
# (the VM pings the LAN), its state file and the certificate pinned at the
# HANDLE are written by nobody.  /proc shows uid and gid 65534, no groups,
# CapPrm = CapEff = net_raw,net_admin, empty bounding and ambient sets,
# NoNewPrivs 1.  Started as nobody with the unit's ambient capabilities,
# vnet keeps the same two.  --user for an unknown user or root is refused.  Then
# VNAT under --user --vnat (the capabilities add sys_ptrace, kill and
# dac_read_search, the same set as vnet.service's CapabilityBoundingSet):
# root's socat found on the VNAT list, stopped by a stop helper and its
# socket tuned by a keepalive helper (pidfd_getfd), the move resumed (nftables,
# an address kept on lo, arp_announce), the stream intact.
#
#   vm ── vmnet1 [host] 198.18.44.2 ── [rtr] ── [lan] ─┬─ [proxy] 198.18.42.2
#                 vnet --user nobody                    ├─ [peer]  198.18.42.20
#                                                       └─ [cli]   198.18.42.3
# then
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NOBODY=$(id -u nobody)
NOGROUP=$(id -g nobody)
chmod 755 "$TMP"	# nobody reaches its state folders in here

# status PID FIELD: one line of /proc/PID/status, fields joined by blanks
status() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s '\t ' ' ' | sed 's/ $//'; }
# caps_hex NAMES: the mask of cap_a,cap_b,... as /proc/PID/status shows it
caps_hex() {
	local c m=0
	declare -A bit=([cap_dac_read_search]=2 [cap_kill]=5 [cap_net_admin]=12 [cap_net_raw]=13
		[cap_sys_ptrace]=19)
	for c in ${1//,/ }; do m=$((m | 1 << ${bit[$c]})); done
	printf '%016x' $m
}
# privs_are PID CAPS [BOUNDING]: the process runs as nobody with exactly
# CAPS, the bounding set BOUNDING (empty by default)
privs_are() {
	local pid=$1 want bnd=${3:-0000000000000000}
	want=$(caps_hex "$2")
	[ "$(status "$pid" Uid)" = "$NOBODY $NOBODY $NOBODY $NOBODY" ] || die "pid $pid Uid: $(status "$pid" Uid)"
	[ "$(status "$pid" Gid)" = "$NOGROUP $NOGROUP $NOGROUP $NOGROUP" ] || die "pid $pid Gid: $(status "$pid" Gid)"
	[ -z "$(status "$pid" Groups)" ] || die "pid $pid kept groups: $(status "$pid" Groups)"
	[ "$(status "$pid" CapPrm)" = "$want" ] || die "pid $pid CapPrm $(status "$pid" CapPrm) = $(capsh --decode=$(status "$pid" CapPrm)), want $2"
	[ "$(status "$pid" CapEff)" = "$want" ] || die "pid $pid CapEff $(status "$pid" CapEff), want $want"
	[ "$(status "$pid" CapInh)" = 0000000000000000 ] || die "pid $pid CapInh $(status "$pid" CapInh)"
	[ "$(status "$pid" CapBnd)" = "$bnd" ] || die "pid $pid CapBnd $(status "$pid" CapBnd)"
	[ "$(status "$pid" CapAmb)" = 0000000000000000 ] || die "pid $pid CapAmb $(status "$pid" CapAmb)"
	[ "$(status "$pid" NoNewPrivs)" = 1 ] || die "pid $pid NoNewPrivs $(status "$pid" NoNewPrivs)"
}
# owned_by_nobody FILE: FILE belongs to nobody, mode 0600 (0700 for a folder)
owned_by_nobody() {
	local want=600
	[ -d "$1" ] && want=700
	[ "$(stat -c '%u %a' "$1")" = "$NOBODY $want" ] || die "$1: $(stat -c 'uid %u mode %a' "$1")"
}
# became_nobody NAME: vnet NAME has dropped (logged after the listener opened)
became_nobody() { grep -q "privs: running as uid $NOBODY" "$TMP/$1.log"; }

topo_up
# refused: an unknown user, root (vnet looks the user up once it listens)
for u in no-such-user-$$ root; do
	out=$(nsx cli "$VNET_BIN/vnet" pw -h 127.0.0.1 -p 4455 -d eth0 --state-dir "$TMP/st-refused" --control-socket "$(ctl_sock refused)" \
		--user "$u" 2>&1) && die "--user $u accepted"
	case $u in
	root) [[ $out == *"--user 'root' is root"* ]] || die "--user root: $out" ;;
	*) [[ $out == *"--user: no user '$u'"* ]] || die "--user $u: $out" ;;
	esac
done
ok "--user refused for an unknown user and for root"

start_vnet host host pw1 -s -h _ -p 4455 -d vmnet1 --user nobody --state-dir "$TMP/state-host"
start_vnet proxy proxy pw2 -s -h _ -p 4455 -d eth0 --user nobody --state-dir "$TMP/state-proxy"
wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
wait_for 10 "vnet on proxy" port_open cli 198.18.42.2 4455
wait_for 5 "the host's drop" became_nobody host
wait_for 5 "the proxy's drop" became_nobody proxy
for n in host proxy; do
	eval "pid=\$PID_$n"
	privs_are "$pid" cap_net_raw,cap_net_admin
	for f in "$TMP/state-$n" "$TMP/state-$n/key.pem"; do owned_by_nobody "$f"; done
done
ok "both servers run as nobody: CapPrm=CapEff=$(caps_hex cap_net_raw,cap_net_admin) (net_raw,net_admin), bounding and ambient empty, NoNewPrivs 1; state folders and TLS keys are nobody's"

! nsx vm ping -c1 -W1 198.18.42.20 >/dev/null 2>&1 || die "VM reaches the LAN before any handler"
client cli -s -q -p pw2 -h 198.18.42.2 -c handle -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 -g local \
	-j $VM_MAC ff:ff:ff:ff:ff:ff >/dev/null || die "handle on servers running as nobody"
nsx vm ping -c3 -i0.2 -W2 198.18.42.20 >/dev/null || die "ping VM -> peer through servers running as nobody"
nsx peer ping -c3 -i0.2 -W2 198.18.42.10 >/dev/null || die "ping peer -> VM"
tcp_transfer vm peer 198.18.42.20 $((4 * 1024 * 1024))
ok "a handler made after the drop captures and injects: ping both ways, 4 MiB VM -> peer intact"
owned_by_nobody "$TMP/state-proxy/handlers"
grep -q '^1 ' "$TMP/state-proxy/handlers" || die "the handler is not in the state file: $(cat "$TMP/state-proxy/handlers")"
owned_by_nobody "$TMP/state-proxy/known_servers"
grep -q '^198.18.44.2:4455 key:SHA256:' "$TMP/state-proxy/known_servers" || die "proxy pinned nothing"
ok "state file and pinned certificate written by nobody (mode 0600)"
# as vnet.service starts it: already nobody, the unit's five capabilities
# ambient; without --vnat vnet keeps two of them and no ambient ones
ALL=cap_net_raw,cap_net_admin,cap_sys_ptrace,cap_kill,cap_dac_read_search
mkdir -p "$TMP/state-unit"
chown nobody "$TMP/state-unit"
for v in "" --vnat; do
	bnd=$(status $$ CapBnd)
	ip netns exec "${P}cli" setpriv --reuid=nobody --regid="$NOGROUP" --clear-groups --inh-caps=${ALL//cap_/+} \
		--ambient-caps=${ALL//cap_/+} "$VNET_BIN/vnet" pw -h 127.0.0.1 -p 4466 -d eth0 $v \
		--control-socket "$TMP/state-unit/control$v" \
		--state-dir "$TMP/state-unit" -v >"$TMP/unit.log" 2>&1 &
	PIDS+=($!)
	PID_unit=$!
	wait_for 10 "the unit-like vnet's trim" became_nobody unit
	if [ -n "$v" ]; then want=$ALL; else want=cap_net_raw,cap_net_admin; fi
	privs_are "$PID_unit" $want "$bnd"
	stop_vnet unit
done
ok "started as nobody with the unit's ambient capabilities: keeps net_raw,net_admin (all five with --vnat), none ambient, NoNewPrivs 1"
out=$(client cli -s -q -p pw2 -h 198.18.42.2 -c close -i 1) || die "close: $out"
wait_for 5 "host to drop the handler" test -z "$(handlers cli 198.18.44.2 pw1 -s)"
finish
cleanup; NSS=() PIDS=(); TMP=$(mktemp -d /tmp/vnet-test.XXXXXX); P="vt$$v"
ALL=cap_net_raw,cap_net_admin,cap_sys_ptrace,cap_kill,cap_dac_read_search
chmod 755 "$TMP"

# VNAT under --user
unit=$(sed -n 's/^CapabilityBoundingSet=//p' "$ROOT/scripts/systemd/vnet.service" | tr 'A-Z ' 'a-z,')
[ "$(caps_hex "$unit")" = "$(caps_hex $ALL)" ] || die "vnet.service's CapabilityBoundingSet ($unit) is not $ALL"
vnat_topo_up
nsx cli tc qdisc add dev eth0 root tbf rate 20mbit burst 64kbit latency 200ms
start_vnet cli cli pwc -h _ -p 4455 --vnat --user nobody --state-dir "$TMP/state-cli"
start_vnet srv srv pws -h _ -p 4455 --vnat --user nobody --state-dir "$TMP/state-srv"
wait_for 10 "client's vnet" port_open cli 127.0.0.1 4455
wait_for 10 "server's VCMP" port_open cli 198.18.2.20 2031
wait_for 5 "the server's drop" became_nobody srv
privs_are "$PID_cli" $ALL
privs_are "$PID_srv" $ALL
ok "--vnat --user nobody: CapPrm=CapEff=$(caps_hex $ALL) ($ALL), the set of vnet.service"

cp "$(command -v socat)" "$TMP/ksocat"
for n in socat ksocat; do
	[ "$(vc -c vadd -n $n)" = "added $n" ] || die "vadd $n"
	[ "$(vs -c vadd -n $n)" = "added $n" ] || die "vadd $n on the server"
done
[ "$(vs -c helper -n socat -m stop)" = "helper socat stop" ] || die "helper stop"
[ "$(vs -c helper -n ksocat -m keepalive)" = "helper ksocat keepalive" ] || die "helper keepalive"
stream up up srv TCP-LISTEN:5001 cli TCP:198.18.2.20:5001 $((16 * 1024 * 1024))
nsx srv timeout 60 "$TMP/ksocat" -u TCP-LISTEN:5002,reuseaddr OPEN:/dev/null &
wait_for 5 "ksocat listening" ss_has srv -tln "sport = :5002"
nsx cli timeout 60 "$TMP/ksocat" -u EXEC:"sleep 60" TCP:198.18.2.20:5002 &
wait_for 5 "ksocat connected" ss_has srv -tn "sport = :5002"
sp=$(nsx srv ss -Htnp "sport = :5001" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
[ "$(stat -c %u "/proc/$sp")" = 0 ] || die "the server's socat is not root's"
out=$(vc -c suspend) || die "SUSPEND under --user: $out"
[ "$(awk '{print $3}' "/proc/$sp/stat")" = T ] || die "root's socat not stopped: $(grep -i 'stop helper' "$TMP/srv.log")"
grep -q "keepalive helper: ksocat (pid [0-9]*) .*: keepalive off" "$TMP/srv.log" ||
	die "keepalive helper (pidfd_getfd) failed: $(grep -i helper "$TMP/srv.log" | tail -3)"
ok "SUSPEND: root's socat found and stopped (kill), ksocat's socket tuned (pidfd_getfd) by vnet as nobody"
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
before=$(bytes_in up)
out=$(vc -c resume) || die "RESUME under --user: $out"
[[ $out =~ ^resumed\ 2\ of\ 2\ connection ]] || die "RESUME said: $out"
[ "$(awk '{print $3}' "/proc/$sp/stat")" != T ] || die "socat still stopped after RESUME"
nsx cli nft list table inet vnet >/dev/null || die "no nftables table of vnet's after RESUME"
nsx cli ip -o addr show dev lo | grep -q "198.18.1.10/32" || die "old address not kept on lo"
[ "$(nsx cli sysctl -n net.ipv4.conf.all.arp_announce)" = 2 ] || die "arp_announce not raised: $(grep arp_announce "$TMP/cli.log")"
ok "RESUME as nobody: $out; nftables table, kept address, arp_announce 2"
stream_end up
[ "$before" -lt $((16 * 1024 * 1024)) ] || die "the stream ended before the move"
ok "16 MiB intact, $(( 16 * 1024 * 1024 - before)) bytes after the move"
# the ksocat pair ends (by pid: a background nsx is a subshell)
for p in $(nsx cli ss -Htnp "dport = :5002" | sed -n 's/.*pid=\([0-9]*\).*/\1/p') \
    $(nsx srv ss -Htnp "sport = :5002" | sed -n 's/.*pid=\([0-9]*\).*/\1/p'); do
	kill "$p" 2>/dev/null || true
done
wait_for 10 "the client's table and kept address to go" vnat_gone cli 198.18.1.10
[ "$(nsx cli sysctl -n net.ipv4.conf.all.arp_announce)" = 0 ] || die "arp_announce not put back"
! grep -E "vnat: .*(Operation not permitted|Permission denied)" "$TMP/cli.log" "$TMP/srv.log" ||
	die "a VNAT step was refused a permission"
ok "table, kept address and arp_announce put back by vnet running as nobody"
finish
