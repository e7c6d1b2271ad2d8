#!/bin/bash
# bench/recover.sh: time to recover after a WAN outage, against its length,
# for vnet (plain and -s) and OpenVPN tap over TCP and over UDP with
# `keepalive 5 15`, all in one run on the shared namespace testbed
# (../shared/bench/peers); and after the far server (the VM host's daemon)
# is killed with SIGKILL and started again.  Not a timed test.
#
#   pb-vm ── pb-host[pb-br] ═══ tunnel ═══ pb-proxy[pb-br] ── pb-lan ── pb-peer
#   .42.10       │                                   │                  .42.20
#                └ pb-wan 198.18.100.1 ─╳─ 198.18.100.2 pb-wan ┘
#                   cut: an nftables ingress chain with policy drop on both
#                   ends of the WAN veth (ARP still passes, as to a router's
#                   port): packets vanish, no ICMP, no reset, no send error
#
# For each contender and outage length L the VM pings the LAN peer every
# 0.1 s (time-stamped) through the tunnel; the path is cut for L seconds,
# and the figure is the time from the path's return to the first reply, or
# "never" after GIVEUP seconds.  The outages follow each other on the same
# tunnel, as on a machine that stays up; a tunnel that never came back is
# started afresh for the next one.  "far server restarted": kill -9 of the
# daemon in pb-host, RESTART_PAUSE seconds, the same command line again;
# the figure counts from its port listening (vnet) or from its start
# (OpenVPN, which in the testbed dials from pb-host).
#
# The testbed's namespace names are fixed (pb-*), so this script runs in a
# mount namespace of its own with a private /run/netns: a bench/bridge.sh
# run at the same time neither sees nor removes its namespaces.
#
#   OUTAGES="10 75 600" (seconds; OUTAGES="10 75" for a quick run)  REPS=1
#   GIVEUP=180  RESTART_PAUSE=5  CONTENDERS="vnet vnet-tls ovpn-tcp ovpn-udp"
#   OVPN_KEEPALIVE="5 15"  KEEP_LOGS=DIR (ping files, daemon logs, details;
#   bench/recover_table.py DIR prints the table again)
set -euo pipefail
if [ "${RECOVER_OWN_NETNS:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "bench: run as root (network namespaces)" >&2; exit 1; }
	RECOVER_OWN_NETNS=1 exec unshare --mount --propagation private \
		bash "$(readlink -f "$0")" "$@"
fi
mkdir -p /run/netns
mount -t tmpfs -o size=1m,mode=0755 vnet-recover-netns /run/netns
. "$(dirname "$0")/peers_env.sh"

OUTAGES=${OUTAGES:-"10 75 600"}
REPS=${REPS:-1}
GIVEUP=${GIVEUP:-180}
RESTART_PAUSE=${RESTART_PAUSE:-5}
CONTENDERS=${CONTENDERS:-"vnet vnet-tls ovpn-tcp ovpn-udp"}
OVPN_KEEPALIVE=${OVPN_KEEPALIVE:-"5 15"}
for v in $OUTAGES $REPS $GIVEUP $RESTART_PAUSE; do
	[[ $v =~ ^[0-9]+$ ]] && [ "$v" -ge 1 ] || { echo "bench: bad number '$v'" >&2; exit 1; }
done
for c in $CONTENDERS; do
	[ -f "$PEERS/contenders/$c.sh" ] || { echo "bench: no contender $c" >&2; exit 1; }
done

RES=$(mktemp -d /tmp/vnet-recover.XXXXXX)
export PB_WORK=$RES/work
export PB_OVPN_EXTRA="--keepalive $OVPN_KEEPALIVE"	# after the testbed's 5 30: the last one counts
. "$PEERS/lib.sh"
# a tunnel's daemons live as long as one contender's turn, at most
sum=0
for l in $OUTAGES; do sum=$((sum + l + GIVEUP + 90)); done
export PB_DAEMON_MAX_S=$((sum + GIVEUP + 180))
MAX_S=$(((PB_DAEMON_MAX_S + 60) * REPS * $(echo $CONTENDERS | wc -w) + 300))

PING_PID=
WATCHDOG=
cleanup() {
	set +e
	[ -n "$PING_PID" ] && kill "$PING_PID" 2>/dev/null
	pb_kill_all >/dev/null 2>&1
	"$PEERS/testbed.sh" down >/dev/null 2>&1
	[ -n "$WATCHDOG" ] && kill "$WATCHDOG" 2>/dev/null
	if [ -n "${KEEP_LOGS:-}" ]; then
		mkdir -p "$KEEP_LOGS" && cp -r "$RES"/. "$KEEP_LOGS"/ && echo "logs: $KEEP_LOGS" >&2
	fi
	rm -rf "$RES"
}
trap cleanup EXIT
trap 'echo "bench: stopped" >&2; exit 130' INT TERM
( end=$((SECONDS + MAX_S))
  while [ $SECONDS -lt $end ]; do sleep 1; kill -0 $$ 2>/dev/null || exit 0; done
  echo "bench: MAX_S=$MAX_S reached, stopping" >&2; kill -TERM $$ ) 2>/dev/null &
WATCHDOG=$!

say() { echo "[recover $(date +%H:%M:%S)] $*" >&2; }
now() { date +%s.%N; }
# before T: true while the clock is before T (seconds since the epoch)
before() { awk -v t="$1" -v n="$(now)" 'BEGIN { exit !(n < t) }'; }
# first_reply FILE T0: seconds from T0 to the first reply stamped after T0
first_reply() {
	awk -v t0="$2" -F'[][]' '/bytes from/ && $2 > t0 { printf "%.2f\n", $2 - t0; exit }' "$1"
}
# ping_start FILE: the VM pings the LAN peer every 0.1 s, replies stamped
ping_start() {
	ip netns exec "$PB_NS_VM" timeout "$2" ping -D -n -i 0.1 -W 1 "$PB_IP_PEER" >"$1" 2>&1 &
	PING_PID=$!
}
ping_stop() {
	kill "$PING_PID" 2>/dev/null || true
	wait "$PING_PID" 2>/dev/null || true
	PING_PID=
}
# wait_reply FILE T0: REPLY= seconds to the first reply after T0, or never
wait_reply() {
	local end
	end=$(awk -v t="$2" -v g="$GIVEUP" 'BEGIN { printf "%.3f", t + g }')
	REPLY=
	while [ -z "$REPLY" ] && before "$end"; do
		sleep 0.1
		REPLY=$(first_reply "$1" "$2")
	done
	[ -n "$REPLY" ] && awk -v r="$REPLY" -v g="$GIVEUP" 'BEGIN { exit !(r <= g) }' || REPLY=never
}
# stable S: within S seconds, five pings in a row answered
stable() {
	local end=$((SECONDS + $1)) out
	while [ $SECONDS -lt $end ]; do
		out=$(ip netns exec "$PB_NS_VM" ping -c 5 -i 0.2 -W 1 -q "$PB_IP_PEER" 2>&1) || true
		case $out in *" 5 received"*) return 0 ;; esac
		sleep 0.5
	done
	return 1
}

cut_path() {
	local ns
	for ns in "$PB_NS_HOST" "$PB_NS_PROXY"; do
		ip netns exec "$ns" nft -f - <<-NFT
		table netdev recover_cut {
			chain wan_in {
				type filter hook ingress device "$PB_IF_WAN" priority 0; policy drop;
				meta protocol arp accept
			}
		}
		NFT
	done
}
mend_path() {
	local ns
	for ns in "$PB_NS_HOST" "$PB_NS_PROXY"; do
		ip netns exec "$ns" nft delete table netdev recover_cut ||
			{ echo "bench: cannot mend the path in $ns" >&2; exit 1; }
	done
}

# up C: the testbed and C's tunnel, VM -> peer answering
up() {
	local log=$RES/$1/harness.log
	unset -f c_start c_stop c_warmup c_info c_version
	. "$PEERS/contenders/$1.sh"
	export PB_LABEL=$1
	"$PEERS/testbed.sh" up >>"$log" 2>&1 || { say "$1: testbed up failed"; return 1; }
	c_start >>"$log" 2>&1 || { say "$1: start failed"; return 1; }
	pb_wait_ping "$PB_NS_VM" "$PB_IP_PEER" 30 || { say "$1: no ping within 30 s"; return 1; }
	stable 30 || { say "$1: pings not steady"; return 1; }
}
# down C: daemon logs kept (numbered), daemons stopped by pid, testbed gone
TURN=0
down() {
	local lf
	TURN=$((TURN + 1))
	if declare -F c_stop >/dev/null; then c_stop >/dev/null 2>&1 || true; fi
	for lf in "$PB_WORK"/*.log; do
		[ -f "$lf" ] && mv "$lf" "$RES/$1/$(basename "$lf" .log).$TURN.log"
	done
	pb_kill_all >>"$RES/$1/harness.log" 2>&1 || true
	"$PEERS/testbed.sh" down >>"$RES/$1/harness.log" 2>&1 || true
}
# record C CASE RUN VALUE [detail]
record() {
	echo "$1 $2 $3 $4" >>"$RES/results"
	echo "$(date +%T) $1 $2 run $3: $4 ${5:-}" >>"$RES/details"
	say "$1, $2, run $3: $4"
}

# outage C L RUN: the path cut for L seconds while the VM pings
outage() {
	local c=$1 l=$2 f=$RES/$1/ping.$2.$3 t_cut t0 rest
	ping_start "$f" $((l + GIVEUP + 60))
	sleep 1.5
	if [ -z "$(first_reply "$f" 0)" ]; then
		ping_stop
		record "$c" "$l" "$3" never "(no reply before the cut)"
		return 1
	fi
	t_cut=$(now)
	cut_path
	if ip netns exec "$PB_NS_HOST" ping -c 1 -W 1 -q "$PB_IP_WAN_PROXY" >/dev/null 2>&1; then
		echo "bench: the cut WAN still carries pings" >&2
		exit 1
	fi
	rest=$(awk -v a="$t_cut" -v b="$(now)" -v l="$l" 'BEGIN { d = l - (b - a); printf "%.3f", (d > 0 ? d : 0) }')
	sleep "$rest"
	mend_path
	t0=$(now)
	wait_reply "$f" "$t0"
	ping_stop
	record "$c" "$l" "$3" "$REPLY" "(cut $t_cut, back $t0)"
	[ "$REPLY" != never ]
}

# restart C RUN: the daemon in pb-host killed, started again as it was
restart() {
	local c=$1 f=$RES/$1/ping.restart.$2 tag pid wrapper home t_start t0 end
	local -a cmd
	case $c in
	vnet*) tag=vnet-host ;;
	ovpn*) tag=ovpn-host ;;
	*) record "$c" restart "$2" - "(no restart for $c)"; return 0 ;;
	esac
	pid=$(pb_daemon_pid "$tag") && [ -r "/proc/$pid/cmdline" ] ||
		{ record "$c" restart "$2" - "(no $tag)"; return 1; }
	mapfile -d '' cmd <"/proc/$pid/cmdline"
	home=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^HOME=//p')
	ping_start "$f" $((RESTART_PAUSE + GIVEUP + 60))
	sleep 1.5
	wrapper=$(awk -v t="$tag" '$1 == t { p = $2 } END { print p }' "$PB_WORK/pids")
	# timeout passes the SIGKILL on to itself: bash's "Killed" goes nowhere
	exec 3>&2 2>/dev/null
	kill -9 "$pid"
	timeout 10 tail --pid="$wrapper" -f /dev/null || true
	kill -0 "$wrapper" || wait "$wrapper" || true
	exec 2>&3 3>&-
	sleep "$RESTART_PAUSE"
	t_start=$(now)
	pb_spawn "$PB_NS_HOST" "$tag-again" env HOME="$home" "${cmd[@]}" 2>>"$RES/$c/harness.log"
	t0=$t_start
	if [ "$tag" = vnet-host ]; then
		end=$((SECONDS + 10))
		t0=
		while [ -z "$t0" ] && [ $SECONDS -lt $end ]; do
			[ -n "$(ip netns exec "$PB_NS_HOST" ss -Hltn 'sport = :7000')" ] && t0=$(now)
			[ -n "$t0" ] || sleep 0.02
		done
		[ -n "$t0" ] || { ping_stop; record "$c" restart "$2" never "(vnet not listening)"; return 1; }
	fi
	wait_reply "$f" "$t0"
	ping_stop
	record "$c" restart "$2" "$REPLY" "(started $t_start, counted from $t0)"
	[ "$REPLY" != never ]
}

# turn C RUN: C's tunnel up, every outage, then the restart
turn() {
	local c=$1 l
	mkdir -p "$RES/$c"
	# a case not measured (the tunnel did not come up) shows as "-"
	up "$c" || { down "$c"; return 0; }
	for l in $OUTAGES; do
		say "$c: ${l} s outage (run $2)"
		if outage "$c" "$l" "$2"; then
			sleep 3
			stable 60 && continue
			say "$c: not steady after the ${l} s outage: started afresh"
		fi
		down "$c"
		up "$c" || { down "$c"; return 0; }
	done
	say "$c: far server restart (run $2)"
	restart "$c" "$2" || true
	down "$c"
}

{
	echo "outages $OUTAGES"
	echo "contenders $CONTENDERS"
	echo "kernel $(uname -r)"
	echo "cpu $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo) x $(nproc)"
	echo "params OUTAGES=\"$OUTAGES\" REPS=$REPS GIVEUP=$GIVEUP RESTART_PAUSE=$RESTART_PAUSE" \
		"ping -i 0.1, cut = ingress drop on both WAN ends"
	echo "versions $("$VNET_BIN/vnet" --version 2>&1 | head -1), $(openvpn --version | head -1 | cut -d' ' -f1-2)" \
		"tap tcp/udp keepalive $OVPN_KEEPALIVE (TLS p2p, the testbed's)"
} >"$RES/env.txt"
: >"$RES/results"
est=30
for l in $OUTAGES; do est=$((est + l + 25)); done
say "results -> $RES (about $((est * REPS / 60 + 1)) min per contender)"
for run in $(seq "$REPS"); do
	for c in $CONTENDERS; do
		turn "$c" "$run"
	done
done
cat "$RES/details" >&2

python3 "$ROOT/bench/recover_table.py" "$RES"
