#!/bin/bash
# bench/vnat.sh: what a VNAT migration costs, measured in namespaces (the
# topology of test/integration/lib.sh: a client and a server on two LANs
# joined by a router; the client moves to a third LAN).  Not a timed test.
#
# 1. Restoration: N idle TCP connections (bench/conns.py) from the client;
#    the client moves, `vnetclient -c resume` restores them; the time is the
#    one RESUME reports (connections listed, peers told, both hosts' nftables
#    changed).  Every connection must then echo 8 bytes, or the run fails.
#    Shown next to seed 001's Table 1 (VNAT's 2004 prototype).
# 2. Throughput: one iperf3 TCP stream client -> server over the same path,
#    the mean of seconds SKIP..T: with vnet not running (baseline), with
#    vnet --vnat on both hosts but nothing moved, and migrated (the client
#    moves at second 2 and resumes; the seconds measured are all after it).
#    Each case REPS times, interleaved in rotating order with SETTLE seconds
#    between runs (namespace clean-up is asynchronous); the table shows
#    medians.
#
#    A last row: the same after a SUSPEND (keys agreed, every update tagged).
#
#   COUNTS="10 100 1000 10000"  KEYED=10000 (empty: no keyed row)  T=12  SKIP=4  REPS=5  SETTLE=4
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "bench: run as root (network namespaces)" >&2; exit 1; }
T=${T:-12}
SKIP=${SKIP:-4}

# one measurement in its own namespaces (lib.sh cleans up on exit)
if [ "${1:-}" = --one ]; then
	T_SUFFIX=b . "$ROOT/test/integration/lib.sh"
	vnat_topo_up
	if [ "$2" != off ]; then
		vnat_pair
	fi
	case $2 in
	restore)
		n=$3
		[ "$(vc -c vadd -n python3)" = "added python3" ] || die "vadd"
		nsx srv python3 "$ROOT/bench/conns.py" serve 7000 &
		PIDS+=($!)
		wait_for 10 "listener" ss_has srv -tln "sport = :7000"
		mkdir "$TMP/c"
		nsx cli timeout 900 python3 "$ROOT/bench/conns.py" connect 198.18.2.20 7000 "$n" "$TMP/c" \
			>"$TMP/echo.txt" &
		cpid=$!
		wait_for 300 "$n connections" test -f "$TMP/c/ready"
		if [ "${4:-}" = keyed ]; then	# SUSPEND first: keys, then authenticated updates
			out=$(vc -c suspend) || die "SUSPEND: $out"
		fi
		move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
		out=$(vc -c resume) || die "RESUME: $out"
		[[ $out =~ ^resumed\ ([0-9]+)\ of\ ([0-9]+)\ connection\(s\)\ in\ ([0-9.]+)\ ms ]] ||
			die "RESUME said: $out"
		touch "$TMP/c/go"
		wait $cpid || die "not every connection works after the move: $(cat "$TMP/echo.txt")"
		echo "${BASH_REMATCH[1]} ${BASH_REMATCH[3]}"
		[ -z "${VNAT_BENCH_LOGS:-}" ] || cp "$TMP"/*.log "$VNAT_BENCH_LOGS"/
		;;
	phases)
		# one connection: never moved (0-P s), moved (P-2P s), back home (2P-3P s)
		PH=${PHASE:-6}
		out=$(vc -c vadd -n iperf3); [ "$out" = "added iperf3" ] || die "vadd: $out"
		nsx srv timeout $((3 * PH + 20)) iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
		PIDS+=($!)
		wait_for 5 "iperf3 server" ss_has srv -tln "sport = :5201"
		nsx cli timeout $((3 * PH + 20)) iperf3 -c 198.18.2.20 -p 5201 -t $((3 * PH)) -i 1 --json \
			>"$TMP/iperf.json" 2>&1 &
		cpid=$!
		sleep "$PH"
		move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
		out=$(vc -c resume) || die "RESUME: $out"
		sleep "$PH"
		come_home cli 198.18.1.10 198.18.3.10 198.18.1.1
		out=$(vc -c resume) || die "RESUME back home: $out"
		wait $cpid || die "iperf3 failed: $(tail -3 "$TMP/iperf.json")"
		nsx cli nft list ruleset | grep -q vnet && die "translations left after coming home"
		python3 - "$TMP/iperf.json" "$PH" <<'PY'
import json, sys
iv = [i["sum"]["bits_per_second"] for i in json.load(open(sys.argv[1]))["intervals"]]
p = int(sys.argv[2])
ph = [iv[1:p], iv[p + 1:2 * p], iv[2 * p + 1:3 * p]]
print(" ".join("%.0f" % (sum(x) / len(x) / 1e6) for x in ph))
PY
		;;
	off|on|moved)
		[ "$2" = off ] || [ "$(vc -c vadd -n iperf3)" = "added iperf3" ] || die "vadd"
		nsx srv timeout $((T + 20)) iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
		PIDS+=($!)
		wait_for 5 "iperf3 server" ss_has srv -tln "sport = :5201"
		nsx cli timeout $((T + 20)) iperf3 -c 198.18.2.20 -p 5201 -t "$T" -i 1 --json \
			>"$TMP/iperf.json" 2>&1 &
		cpid=$!
		if [ "$2" = moved ]; then
			sleep 2
			move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
			out=$(vc -c resume) || die "RESUME: $out"
			[[ $out =~ ^resumed\ 2\ of\ 2 ]] || die "RESUME said: $out"
		fi
		if [ -n "${VNAT_BENCH_PKTS:-}" ]; then	# packets on the server's eth0 over 4 s
			sleep 5
			a=$(nsx srv cat /sys/class/net/eth0/statistics/rx_packets /sys/class/net/eth0/statistics/tx_packets /sys/class/net/eth0/statistics/rx_bytes | tr '\n' ' ')
			sleep 4
			b=$(nsx srv cat /sys/class/net/eth0/statistics/rx_packets /sys/class/net/eth0/statistics/tx_packets /sys/class/net/eth0/statistics/rx_bytes | tr '\n' ' ')
			echo "pkts $2: $a -> $b" >&2
		fi
		wait $cpid || die "iperf3 failed: $(tail -3 "$TMP/iperf.json")"
		python3 - "$TMP/iperf.json" "$SKIP" <<'PY'
import json, sys
iv = json.load(open(sys.argv[1]))["intervals"][int(sys.argv[2]):]
print("%.0f" % (sum(i["sum"]["bits_per_second"] for i in iv) / len(iv) / 1e6))
PY
		;;
	esac
	[ "$2" = off ] || finish >/dev/null 2>&1
	exit 0
fi

make -C "$ROOT" -s all
median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "## VNAT connection restoration (client moves, RESUME)"
echo
echo "| connections | restored | total ms | ms per connection | seed 001 Table 1 (s total / ms per conn.) |"
echo "|---:|---:|---:|---:|---|"
declare -A SEED=([10]="0.434 / 43.4" [50]="2.374 / 47.5" [100]="4.856 / 48.6" [500]="24.657 / 49.3")
for n in ${COUNTS:-10 100 1000 10000}; do
	r=$(bash "$0" --one restore "$n") || { echo "restore $n failed" >&2; exit 1; }
	read -r got ms <<<"$r"
	printf '| %d | %d | %.1f | %.3f | %s |\n' "$n" "$got" "$ms" \
		"$(echo "$ms $n" | awk '{print $1/$2}')" "${SEED[$n]:-n/a (largest measured: 500)}"
	[ "$n" = 10000 ] && TEN_K=$ms
done
if [ -n "${KEYED:-10000}" ]; then
	n=${KEYED:-10000}
	r=$(bash "$0" --one restore "$n" keyed) || { echo "keyed restore $n failed" >&2; exit 1; }
	read -r got ms <<<"$r"
	printf '| %d after SUSPEND (keyed: a tag per update) | %d | %.1f | %.3f | |\n' "$n" "$got" "$ms" \
		"$(echo "$ms $n" | awk '{print $1/$2}')"
fi
echo
echo "## One iperf3 TCP stream, Mbit/s (median of ${REPS:-5}, seconds $SKIP-$T)"
echo
declare -A R=([off]="" [on]="" [moved]="")
order=(off on moved)
for i in $(seq "${REPS:-5}"); do
	# each case first, second and third in turn; and the kernel's clean-up
	# of the namespaces just deleted (asynchronous) over before a run starts
	for k in 0 1 2; do
		c=${order[$(((i + k) % 3))]}
		sleep "${SETTLE:-4}"
		v=$(bash "$0" --one "$c") || { echo "throughput $c failed" >&2; exit 1; }
		R[$c]+="$v "
	done
done
off=$(echo ${R[off]} | median); on=$(echo ${R[on]} | median); mv=$(echo ${R[moved]} | median)
# the same connection before, during and after a move: no run-to-run noise
P1="" P2="" P3=""
for i in $(seq "${REPS:-5}"); do
	sleep "${SETTLE:-4}"
	read -r a b c <<<"$(bash "$0" --one phases)" || { echo "phases failed" >&2; exit 1; }
	P1+="$a " P2+="$b " P3+="$c "
	RATIO+="$(awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN{printf "%.1f", 200*b/(a+c)}') "
done
echo "| case | Mbit/s (runs) | vs baseline | target |"
echo "|---|---:|---:|---|"
printf '| vnet not running (baseline) | %s (%s) | 100%% | |\n' "$off" "${R[off]% }"
printf '| vnet --vnat, never moved | %s (%s) | %s%% | >= 99%% |\n' "$on" "${R[on]% }" \
	"$(awk -v a="$on" -v b="$off" 'BEGIN{printf "%.1f", 100*a/b}')"
printf '| migrated (vs never moved) | %s (%s) | %s%% | >= 97%% |\n' "$mv" "${R[moved]% }" \
	"$(awk -v a="$mv" -v b="$on" 'BEGIN{printf "%.1f", 100*a/b}')"
echo
echo "## One connection, never moved -> moved -> back home (median of ${REPS:-5}; $((${PHASE:-6} - 1)) s each, the second after a move left out)"
echo
echo "| phase | Mbit/s (runs) |"
echo "|---|---:|"
printf '| never moved | %s (%s) |\n' "$(echo $P1 | median)" "${P1% }"
printf '| moved (translated both ends) | %s (%s) |\n' "$(echo $P2 | median)" "${P2% }"
printf '| back home (translations gone) | %s (%s) |\n' "$(echo $P3 | median)" "${P3% }"
printf '| moved vs the mean of the two others, %% | %s (%s) |\n' "$(echo $RATIO | median)" "${RATIO% }"
echo
[ -n "${TEN_K:-}" ] && printf 'target: 10,000 connections restored in under 1 s: %s (%.0f ms)\n' \
	"$(awk -v t="$TEN_K" 'BEGIN{print (t < 1000) ? "met" : "NOT met"}')" "$TEN_K"
