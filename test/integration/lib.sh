# shellcheck shell=bash
# Shared helpers for the namespace tests: the seed's example scenario
# (seed 003, section 7) built from network namespaces, vnet servers started
# inside them, polling waits with deadlines, assertions.
#
#   vm ── vmnet1 bridge in [host] ── eth0 198.18.44.2 ─┐
#   198.18.42.10 (the VM, MAC 02:00:00:00:42:10)        │ the "Internet"
#                                             [rtr] 198.18.44.1 / 198.18.42.1
#                                                       │
#   [lan] switch ─┬─ [proxy] eth0 198.18.42.2 ──────────┘
#                 ├─ [peer]  eth0 198.18.42.20
#                 └─ [cli]   eth0 198.18.42.3  (runs vnetclient, machine42-3)
#
# Every namespace name starts with $P (unique per run); nothing is created in
# the root namespace.  cleanup removes what was made, even after a failure.

set -eu
: "${VNET_BIN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/bin}"
: "${VNET_TOOLS:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/test}"
# VNET_NS_PREFIX: another prefix (run.sh gives each run its own; benchmarks theirs)
P="${VNET_NS_PREFIX:-vt}$$${T_SUFFIX:-}"
TMP=$(mktemp -d "/tmp/vnet-test.XXXXXX")
PIDS=()
NSS=()
VM_MAC=02:00:00:00:42:10
VM2_MAC=02:00:00:00:42:11
PW_H=pw1	# the host's server (machine44-1)
PW_P=pw2	# the proxy's server (machine42-2)

log() { printf '  %s\n' "$*" >&2; }
die() { printf 'FAIL: %s\n' "$*" >&2; dump_logs; exit 1; }
ok() { printf '  ok: %s\n' "$*" >&2; }

dump_logs() {
	local f
	for f in "$TMP"/*.log; do
		[ -f "$f" ] || continue
		printf -- '--- %s (last 30 lines)\n' "$(basename "$f")" >&2
		tail -n ${LOG_LINES:-30} "$f" >&2
	done
}

cleanup() {
	local pid ns
	# KEEP_LOGS=DIR: the servers' logs are copied there (debugging)
	[ -n "${KEEP_LOGS:-}" ] && cp "$TMP"/*.log "$KEEP_LOGS"/ 2>/dev/null
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	done
	for ns in "${NSS[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nsx() { local ns=$1; shift; ip netns exec "$P$ns" "$@"; }

mkns() {
	ip netns add "$P$1"
	NSS+=("$P$1")
	ip -n "$P$1" link set lo up
	nsx "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# link NS1 IF1 NS2 IF2: a veth pair between two namespaces, both up
link() {
	ip link add "$2" netns "$P$1" type veth peer name "$4" netns "$P$3"
	ip -n "$P$1" link set "$2" up
	ip -n "$P$3" link set "$4" up
}

# wait_for SECONDS DESCRIPTION CMD...: poll until CMD succeeds
wait_for() {
	local _wf_s=$1 _wf_what=$2 _wf_end; shift 2
	_wf_end=$((SECONDS + _wf_s))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $_wf_end ] || die "timed out after ${_wf_s}s waiting for $_wf_what"
		sleep 0.1
	done
}

# vm_bridge HOST BRIDGE VMNS PORT MAC ADDR: a host-only bridge in HOST with
# the VM namespace VMNS on it (eth0, MAC, ADDR/24); VMNS must exist
vm_bridge() {
	ip -n "$P$1" link add "$2" type bridge
	ip -n "$P$1" link set "$2" up
	link "$3" eth0 "$1" "$4"
	ip -n "$P$1" link set "$4" master "$2"
	ip -n "$P$3" link set eth0 address "$5"
	ip -n "$P$3" addr add "$6/24" dev eth0
}

# the seed's example scenario; VM2 (on a second host-only port) when $1 = two
topo_up() {
	local ns
	for ns in vm host rtr lan proxy peer cli; do mkns $ns; done
	ip -n "${P}lan" link add sw type bridge
	ip -n "${P}lan" link set sw up
	vm_bridge host vmnet1 vm vmport $VM_MAC 198.18.42.10
	link host eth0 rtr wan
	ip -n "${P}host" addr add 198.18.44.2/24 dev eth0
	ip -n "${P}rtr" addr add 198.18.44.1/24 dev wan
	ip -n "${P}host" route add default via 198.18.44.1
	link rtr lan lan rtrport
	ip -n "${P}rtr" addr add 198.18.42.1/24 dev lan
	nsx rtr sysctl -qw net.ipv4.ip_forward=1
	local n=2
	for ns in proxy peer cli; do
		link $ns eth0 lan "${ns}port"
		ip -n "${P}lan" link set "${ns}port" master sw
	done
	ip -n "${P}lan" link set rtrport master sw
	ip -n "${P}proxy" addr add 198.18.42.2/24 dev eth0
	ip -n "${P}peer" addr add 198.18.42.20/24 dev eth0
	ip -n "${P}cli" addr add 198.18.42.3/24 dev eth0
	for ns in proxy peer cli; do ip -n "$P$ns" route add default via 198.18.42.1; done
	if [ "${1:-}" = two ]; then
		mkns vm2
		vm_bridge host vmnet2 vm2 vmport2 $VM2_MAC 198.18.42.11
	fi
	: $n
}

# srv_ab NETA NETB: a server namespace srv and two client namespaces a and
# b on 198.18.NETA.0/24 and 198.18.NETB.0/24 (srv .1 on s1/s2, clients .2)
srv_ab() {
	local ns
	for ns in srv a b; do mkns $ns; done
	link a eth0 srv s1
	link b eth0 srv s2
	ip -n "${P}srv" addr add "198.18.$1.1/24" dev s1
	ip -n "${P}srv" addr add "198.18.$2.1/24" dev s2
	ip -n "${P}a" addr add "198.18.$1.2/24" dev eth0
	ip -n "${P}b" addr add "198.18.$2.2/24" dev eth0
}

# attacker_up: after vnat_topo_up, a namespace atk on the router's l5
# (198.18.5.0/24) holding 198.18.5.10-17; ATK = those, comma-separated
attacker_up() {
	local i
	mkns atk
	link atk eth0 rtr l5
	ip -n "${P}rtr" addr add 198.18.5.1/24 dev l5
	ATK=""
	for i in $(seq 10 17); do
		ip -n "${P}atk" addr add "198.18.5.$i/24" dev eth0
		ATK=${ATK:+$ATK,}198.18.5.$i
	done
	ip -n "${P}atk" route add default via 198.18.5.1
}

# The VNAT topology: a client and a server on two LANs joined by a router;
# the client moves to a third LAN, the server (with "four") to a fourth.
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (198.18.3.0/24) ── l3 ┘ l4 ── eth1 (198.18.4.0/24)
vnat_topo_up() {
	local ns i
	for ns in cli rtr srv; do mkns $ns; done
	link cli eth0 rtr l1
	link cli eth1 rtr l3
	link srv eth0 rtr l2
	[ "${1:-}" = four ] && link srv eth1 rtr l4
	for i in 1 2 3 4; do
		ip -n "${P}rtr" link show l$i >/dev/null 2>&1 && ip -n "${P}rtr" addr add 198.18.$i.1/24 dev l$i
	done
	nsx rtr sysctl -qw net.ipv4.ip_forward=1
	ip -n "${P}cli" addr add 198.18.1.10/24 dev eth0
	ip -n "${P}cli" route add default via 198.18.1.1
	ip -n "${P}srv" addr add 198.18.2.20/24 dev eth0
	ip -n "${P}srv" route add default via 198.18.2.1
}

# vnat_topo_v6: after vnat_topo_up, IPv6 as well: fd00:N::1 on the router's
# lN (N = 1-3), the client fd00:1::10 and the server fd00:2::20 on their eth0
vnat_topo_v6() {
	local i
	nsx rtr sysctl -qw net.ipv6.conf.all.forwarding=1
	for i in 1 2 3; do ip -n "${P}rtr" addr add fd00:$i::1/64 dev l$i nodad; done
	ip -n "${P}cli" addr add fd00:1::10/64 dev eth0 nodad
	ip -n "${P}cli" route add default via fd00:1::1
	ip -n "${P}srv" addr add fd00:2::20/64 dev eth0 nodad
	ip -n "${P}srv" route add default via fd00:2::1
}

# stateful_fw NS PORTS: input policy drop; established,related accept;
# invalid drop; lo, IPv6 neighbour discovery and the given TCP ports
# ("{ 4455, 2031 }" or one) accept
stateful_fw() {
	nsx "$1" nft -f - <<NFT
table inet fw {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		ct state invalid drop
		iif lo accept
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
		tcp dport $2 accept
	}
}
NFT
}

# move_host NS OLD NEW GW: the host leaves eth0's LAN (OLD/24 goes away) and
# comes up on eth1's with NEW/24, default route via GW
move_host() {
	nsx "$1" ip addr del "$2/24" dev eth0
	nsx "$1" ip link set eth0 down
	nsx "$1" ip addr add "$3/24" dev eth1
	nsx "$1" ip route replace default via "$4"
}

# shape NS: 40 Mbit/s out of eth0 and eth1 of NS, so a stream outlives a move
shape() {
	local d
	for d in eth0 eth1; do nsx "$1" tc qdisc add dev $d root tbf rate 40mbit burst 64kbit latency 200ms; done
}

# stream NAME up|down LNS LISTEN CNS CONNECT BYTES: BYTES random bytes over
# one TCP connection between a socat listening in LNS (LISTEN, a socat
# address: TCP-LISTEN:5001, TCP6-LISTEN:5001) and one connecting from CNS
# (CONNECT: TCP:198.18.2.20:5001); up = the connecting side sends, down =
# the listening side does.  Files $TMP/NAME.tx and .rx; returns once data
# flows.  stream_end NAME checks that it all arrived.
stream() {
	local name=$1 dir=$2 lns=$3 listen=$4 cns=$5 conn=$6 bytes=$7 port
	port=${listen#*:}
	head -c "$bytes" /dev/urandom >"$TMP/$name.tx"
	if [ "$dir" = up ]; then
		nsx "$lns" timeout 60 socat -u "$listen,reuseaddr" OPEN:"$TMP/$name.rx",creat,trunc &
	else
		nsx "$lns" timeout 60 socat -u OPEN:"$TMP/$name.tx" "$listen,reuseaddr" &
	fi
	eval "SPID_$name=$!"
	wait_for 5 "$name: listener" ss_has "$lns" -tln "sport = :$port"
	if [ "$dir" = up ]; then
		nsx "$cns" timeout 60 socat -u OPEN:"$TMP/$name.tx" "$conn" &
	else
		nsx "$cns" timeout 60 socat -u "$conn" OPEN:"$TMP/$name.rx",creat,trunc &
	fi
	eval "CPID_$name=$!"
	wait_for 10 "$name: data flowing" rx_over "$name" 1000000
}

# bytes_in NAME: bytes of stream NAME arrived so far
bytes_in() { stat -c %s "$TMP/$1.rx" 2>/dev/null || echo 0; }
rx_over() { [ "$(bytes_in "$1")" -gt "$2" ]; }

# stream_end NAME: both ends exit 0 and the sha256 of what arrived matches
stream_end() {
	local s c
	eval "s=\$SPID_$1 c=\$CPID_$1"
	wait "$s" || die "$1: the listening socat failed"
	wait "$c" || die "$1: the connecting socat failed"
	[ "$(sum256 "$TMP/$1.tx")" = "$(sum256 "$TMP/$1.rx")" ] ||
		die "$1: sha256 differs ($(bytes_in "$1") of $(stat -c %s "$TMP/$1.tx") bytes arrived)"
}

# stream_moved BYTES: a stream "up" of BYTES from cli to srv:5001 (shaped),
# then SUSPEND, the move of cli to 198.18.3.10 and a RESUME that must say
# "resumed 1 of 1" (in $out); stream_end up checks the bytes later
stream_moved() {
	shape cli
	stream up up srv TCP-LISTEN:5001 cli TCP:198.18.2.20:5001 "$1"
	out=$(vc -c suspend) || die "SUSPEND: $out"
	move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
	out=$(vc -c resume) || die "RESUME: $out"
	[[ $out =~ ^resumed\ 1\ of\ 1 ]] || die "RESUME said: $out"
}

# vnat_gone NS ADDR: no table of vnet's in NS and ADDR not on its lo
vnat_gone() { ! nsx "$1" nft list ruleset | grep -q vnet && ! nsx "$1" ip -o addr show dev lo | grep -q "$2"; }

# come_home NS ADDR AWAY GW: the host leaves eth1's LAN (AWAY/24 goes) and is
# back on eth0's with its first address ADDR/24, default route via GW
come_home() {
	nsx "$1" ip addr del "$3/24" dev eth1
	nsx "$1" ip link set eth0 up
	nsx "$1" ip addr add "$2/24" dev eth0
	nsx "$1" ip route replace default via "$4"
}

# vnat_pair [SRVADDR]: vnet --vnat on cli (password pwc) and srv (pws),
# both ready; vc and vs run vnetclient against each
vnat_pair() {
	start_vnet cli cli pwc -h _ -p 4455 --vnat
	start_vnet srv srv pws -h _ -p 4455 --vnat
	wait_for 10 "client's vnet" port_open cli 127.0.0.1 4455
	wait_for 10 "server's VCMP" port_open cli "${1:-198.18.2.20}" 2031
}
vc() { HOME="$TMP/home-cli" nsx cli timeout 60 "$VNET_BIN/vnetclient" -q -p pwc -h 127.0.0.1 "$@" 2>&1; }
vs() { HOME="$TMP/home-srv" nsx srv timeout 60 "$VNET_BIN/vnetclient" -q -p pws -h 127.0.0.1 "$@" 2>&1; }

# ctl_sock NAME: the local control socket of the vnet called NAME, in $TMP:
# namespaces do not separate files, so that no test, nor two at once,
# touches the machine's /run/vnet/control
ctl_sock() { echo "$TMP/$1.control"; }

# start_vnet NS NAME ARGS...: a vnet server in namespace NS, logging to
# NAME.log, its control socket $(ctl_sock NAME) unless ARGS name one,
# exported as CTL_NAME
start_vnet() {
	local ns=$1 name=$2 a sock; shift 2
	sock=$(ctl_sock "$name")
	for a in "$@"; do [[ $a != --control-socket* ]] || sock=; done
	# a build from before the socket (bench/ab.sh's old one) has no option for it
	"$VNET_BIN/vnet" --help 2>/dev/null | grep -q -- --control-socket || sock=
	mkdir -p "$TMP/home-$name"
	[ -z "$sock" ] || export "CTL_$name=$sock"
	HOME="$TMP/home-$name" ip netns exec "$P$ns" "$VNET_BIN/vnet" "$@" ${sock:+--control-socket "$sock"} \
		-v >"$TMP/$name.log" 2>&1 &
	PIDS+=($!)
	eval "PID_$name=$!"
}

# ss_has NS ARGS...: ss (with -H) in NS lists at least one socket
ss_has() { local ns=$1; shift; [ -n "$(nsx "$ns" ss -H "$@")" ]; }

port_open() { nsx "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null; }

# client NS ARGS...: vnetclient in NS with its own HOME
client() {
	local ns=$1; shift
	mkdir -p "$TMP/home-cli"
	HOME="$TMP/home-cli" ip netns exec "$P$ns" timeout 40 "$VNET_BIN/vnetclient" "$@"
}

# two_vm_handlers: after topo_up two, both servers (the host with vmnet1
# and vmnet2) and one handler per VM on the proxy's eth0; both VMs reach
# the LAN peer (t_fairness.sh, bench/fairness.sh)
two_vm_handlers() {
	local v
	HOST_DEVS=vmnet2 servers_up
	for v in "vmnet1 $VM_MAC" "vmnet2 $VM2_MAC"; do
		set -- $v
		client cli -q -p "$PW_P" -h 198.18.42.2 -c handle -b "$PW_H" -d 198.18.44.2 -e eth0 \
			-f "$1" -g local -j "$2" ff:ff:ff:ff:ff:ff >/dev/null || die "handle for $1"
	done
	nsx vm ping -c2 -W2 198.18.42.20 >/dev/null || die "VM1 -> peer"
	nsx vm2 ping -c2 -W2 198.18.42.20 >/dev/null || die "VM2 -> peer"
}

# the two servers of the seed's example
servers_up() {
	local s=${1:-}
	start_vnet host host "$PW_H" $s -h _ -p 4455 -d vmnet1 ${HOST_DEVS:-}
	start_vnet proxy proxy "$PW_P" $s -h _ -p 4455 -d eth0
	wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
	wait_for 10 "vnet on proxy" port_open cli 198.18.42.2 4455
}

# sha256 of a file
sum256() { sha256sum "$1" | cut -d' ' -f1; }

# tcp_transfer FROMNS TONS TOADDR BYTES: sends BYTES random bytes over TCP,
# checks the sha256 on arrival
tcp_transfer() {
	local from=$1 to=$2 addr=$3 bytes=$4 port=$((20000 + RANDOM % 10000))
	head -c "$bytes" /dev/urandom >"$TMP/tx.bin"
	nsx "$to" timeout 120 socat -u TCP-LISTEN:$port,reuseaddr OPEN:"$TMP/rx.bin",creat,trunc &
	local lpid=$!
	wait_for 10 "listener on $addr:$port" ss_has "$to" -tln "sport = :$port"
	nsx "$from" timeout 120 socat -u OPEN:"$TMP/tx.bin" TCP:$addr:$port || die "sender failed"
	wait $lpid || die "receiver failed"
	[ "$(sum256 "$TMP/tx.bin")" = "$(sum256 "$TMP/rx.bin")" ] ||
		die "sha256 differs after $bytes bytes $from -> $to ($(stat -c %s "$TMP/rx.bin") arrived)"
	rm -f "$TMP/tx.bin" "$TMP/rx.bin"
}

# stop_vnet NAME: SIGTERM, wait, the exit status must be 0 and the log free
# of sanitizer reports
stop_vnet() {
	local name=$1 pid rc=0
	eval "pid=\${PID_$name:-}"
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || die "vnet $name was not running"
	wait "$pid" || rc=$?
	eval "PID_$name="
	[ $rc -eq 0 ] || die "vnet $name exited with $rc after SIGTERM"
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP/$name.log"; then
		die "sanitizer report in $name.log"
	fi
}

# finish: stop every server cleanly; a test that reaches this passed
finish() {
	local v
	for v in $(compgen -v PID_); do stop_vnet "${v#PID_}"; done
	ok "servers stopped cleanly"
}

# handlers NS HOST PW: the HANDLERS? lines of a server
handlers() { client "$1" -q -p "$3" -h "$2" ${4:-} -c handlers; }

# stat_of NS HOST PW ID KEY: one counter from STATS?
stat_of() { # stat_of NS HOST "PW [-s]" ID KEY
	client "$1" -q -p $3 -h "$2" -c stats -i "$4" | tr ' ' '\n' | sed -n "s/^$5=//p"
}

# probe_unicast DSTMAC GETTER OTHER: five frames from the LAN peer to
# DSTMAC reach GETTER; OTHER, listening in promiscuous mode, sees none
probe_unicast() {
	nsx "$2" "$VNET_TOOLS/l2probe" recv eth0 0x88b5 3 promisc >"$TMP/got.txt" &
	local a=$!
	nsx "$3" "$VNET_TOOLS/l2probe" recv eth0 0x88b5 3 promisc >"$TMP/other.txt" &
	local b=$!
	wait_for 5 "listeners" grep -q listening "$TMP/got.txt"
	wait_for 5 "listeners" grep -q listening "$TMP/other.txt"
	nsx peer "$VNET_TOOLS/l2probe" send eth0 "$1" 0x88b5 5 "for-$2"
	wait $a $b
	grep -q "frames=5 first=for-$2" "$TMP/got.txt" || die "$2 did not get its frames: $(cat "$TMP/got.txt")"
	grep -q "frames=0 " "$TMP/other.txt" || die "$3 saw $2's unicast: $(cat "$TMP/other.txt")"
}

# rtt_median FILE: the median RTT (ms) in a ping's output; 1 if none
rtt_median() {
	sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' "$1" | sort -n |
		awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; print a[int((NR + 1) / 2)] }'
}

mac_of() { ip -n "$1" -br link show dev "$2" | awk '{print $3}'; }
