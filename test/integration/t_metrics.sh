#!/bin/bash
# vnet --metrics: GET /metrics in the Prometheus text format, read with the
# reference parser (python3-prometheus-client, test/tools/prom_scrape.py).
# Off by default (nothing listens); a bad address refused at start with one
# clear line, a port in use too.  The host's server takes the option from
# its configuration file (IPv4), the proxy's from the command line (IPv6,
# [::1], with --vnat).  Scraped before and after pings through a handler:
# the handler's frame counters grew by at least the frames sent, storm drops
# counted under reason="storm", a wrong password in vnet_auth_failures_total,
# an idle connection in the session gauges, VNAT's counters only with
# --vnat; 404 for another path, 405 for another method.
#
#   vm ── vmnet1 in [host] 198.18.44.2 (metrics 127.0.0.1:9100, storm-limit 50)
#                     │ [rtr]
#   [lan] ─┬─ [proxy] 198.18.42.2 (metrics [::1]:9100, --vnat)
#          ├─ [peer]  198.18.42.20 (a vnet without --metrics)
#          └─ [cli]   198.18.42.3 (vnetclient)
. "$(dirname "$0")/lib.sh"
SCRAPE=$(cd "$(dirname "$0")/../tools" && pwd)/prom_scrape.py
BC=ff:ff:ff:ff:ff:ff
topo_up
ETC="$TMP/etc"
mkdir -m 0700 "$ETC"
printf 'password = %s\nlisten = _\nport = 4455\ndevices = vmnet1\nstorm-limit = 50\nmetrics = 127.0.0.1:9100\n' \
	"$PW_H" >"$ETC/host.conf"
chmod 0600 "$ETC/host.conf"

# vnet_refused WHAT WANT ARGS...: vnet in peer exits non-zero, saying WANT
vnet_refused() {
	local what=$1 want=$2 out rc=0; shift 2
	out=$(HOME="$TMP" nsx peer timeout 10 "$VNET_BIN/vnet" "$@" --control-socket "$(ctl_sock refused)" 2>&1) || rc=$?
	[ $rc -ne 0 ] || die "$what: vnet started"
	[[ $out == *"$want"* ]] || die "$what: no '$want' in: $out"
	# a usage error is one line, not the help
	[ $rc != 2 ] || [ "$(wc -l <<<"$out")" = 1 ] || die "$what: more than one line: $out"
}

# 1. refused before anything listens: not ADDR:PORT, a name, IPv6 without brackets
for bad in 127.0.0.1 localhost:9100 ::1:9100 127.0.0.1:0 '[::1]:x' ''; do
	vnet_refused "--metrics '$bad'" "--metrics: '$bad' is not ADDR:PORT" pw -h _ -p 4460 -d eth0 --metrics "$bad"
done
printf 'password = pw\nlisten = _\ndevices = eth0\nmetrics = 9100\n' >"$ETC/bad.conf"
chmod 0600 "$ETC/bad.conf"
vnet_refused "metrics = 9100 in a file" "bad.conf:4: metrics: '9100' is not ADDR:PORT" --config "$ETC/bad.conf"
ok "a bad --metrics address is refused at start, on the command line and in the file"

# 2. off by default: a vnet without --metrics listens on its port only
start_vnet peer peer pw9 -h _ -p 4455 -d eth0
wait_for 10 "vnet on peer" port_open cli 198.18.42.20 4455
[ "$(nsx peer ss -H -tln | wc -l)" = 1 ] || die "vnet without --metrics listens on: $(nsx peer ss -H -tln)"
# a port in use (vnet's own control port) is a start-up error
vnet_refused "--metrics on a port in use" "--metrics 127.0.0.1:4455: cannot listen: Address already in use" \
	pw -h 127.0.0.2 -p 4460 -d eth0 --metrics 127.0.0.1:4455
ok "off by default (one listening socket); a port in use refused at start"

start_vnet host host --config "$ETC/host.conf"
start_vnet proxy proxy "$PW_P" -h _ -p 4455 -d eth0 --vnat --metrics '[::1]:9100'
wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
wait_for 10 "vnet on proxy" port_open cli 198.18.42.2 4455
wait_for 10 "metrics on host" port_open host 127.0.0.1 9100
wait_for 10 "metrics on proxy" port_open proxy ::1 9100

TYPES="vnet_handlers:gauge vnet_control_sessions:gauge vnet_unauthenticated_connections:gauge
vnet_connections_accepted_total:counter vnet_auth_failures_total:counter
vnet_unauthenticated_dropped_total:counter vnet_handler_up:gauge
vnet_handler_sent_frames_total:counter vnet_handler_sent_bytes_total:counter
vnet_handler_received_frames_total:counter vnet_handler_received_bytes_total:counter
vnet_handler_dropped_frames_total:counter vnet_handler_reconnects_total:counter
vnet_handler_queued_bytes:gauge vnet_queued_bytes:gauge
vnet_handler_device_unmatched_frames_total:counter"
VTYPES="vnet_vnat_translations:gauge vnet_vnat_kept_addresses:gauge vnet_vnat_suspended:gauge
vnet_vnat_peer_suspended_connections:gauge vnet_vnat_keys:gauge
vnet_vnat_peer_suspensions_total:counter vnet_vnat_vcmp_messages_total:counter
vnet_vnat_updated_total:counter vnet_vnat_unknown_total:counter vnet_vnat_refused_total:counter
vnet_vnat_auth_refused_total:counter vnet_vnat_keyless_total:counter
vnet_vnat_conflicts_total:counter vnet_vnat_nft_errors_total:counter vnet_vnat_kicked_total:counter"
# scrape NS URL NAME:TYPE...: the samples into $TMP/NS.prom
scrape() {
	local ns=$1 url=$2; shift 2
	# shellcheck disable=SC2086
	nsx "$ns" "$SCRAPE" "$url" $TYPES "$@" >"$TMP/$ns.prom" 2>"$TMP/$ns.err" ||
		die "scrape of $url in $ns: $(cat "$TMP/$ns.err")"
}
hscrape() { scrape host http://127.0.0.1:9100/metrics; }
# shellcheck disable=SC2086
pscrape() { scrape proxy 'http://[::1]:9100/metrics' $VTYPES; }
# val NS NAME [LABELS]: the value of the sample with exactly these labels
# (k=v,..., in any order)
val() {
	local l
	l=$(tr ',' '\n' <<<"${3:-}" | sort | paste -sd, -)
	awk -F'|' -v n="$2" -v l="$l" '$1 == n && $2 == l { print $3; f = 1 } END { exit !f }' \
		"$TMP/$1.prom" || die "no sample $2{${3:-}} in $1: $(grep "^$2" "$TMP/$1.prom")"
}

# 3. before any handler: every family parses with its type, no handler samples
hscrape
pscrape
[ "$(val host vnet_handlers)" = 0 ] && [ "$(val proxy vnet_handlers)" = 0 ] || die "handlers before any"
! grep -q '^vnet_handler_' "$TMP/host.prom" || die "handler samples without a handler"
! grep -q '^vnet_vnat_' "$TMP/host.prom" || die "VNAT samples without --vnat"
[ "$(val proxy vnet_vnat_translations)" = 0 ] && [ "$(val proxy vnet_vnat_suspended)" = 0 ] ||
	die "VNAT gauges on a fresh proxy"
ok "both scrapes parse ($(wc -l <"$TMP/host.prom") and $(wc -l <"$TMP/proxy.prom") samples), types right; VNAT's only with --vnat"

# 4. a handler; then pings through it
out=$(client cli -q -p "$PW_P" -h 198.18.42.2 -c handle -b "$PW_H" -d 198.18.44.2 -e eth0 -f vmnet1 \
	-g local -j $VM_MAC $BC 2>&1) || die "handle: $out"
PL="device=eth0,id=1,peer=198.18.44.2:4455,role=local"
pscrape
[ "$(val proxy vnet_handlers)" = 1 ] && [ "$(val proxy vnet_handler_up "$PL")" = 1 ] || die "proxy's handler not up"
hscrape
HL=$(awk -F'|' '$1 == "vnet_handler_up" { print $2 }' "$TMP/host.prom")
# the accepting side names the dialler by its address (its port changes with each redial)
[ "$HL" = device=vmnet1,id=1,peer=198.18.42.2,role=remote ] || die "host's handler labels: $HL"
ps0=$(val proxy vnet_handler_sent_frames_total "$PL")
pr0=$(val proxy vnet_handler_received_frames_total "$PL")
hs0=$(val host vnet_handler_sent_frames_total "$HL")
hr0=$(val host vnet_handler_received_frames_total "$HL")
N=20
nsx vm ping -c $N -i 0.05 -W 2 198.18.42.20 >/dev/null || die "ping VM -> peer"
pscrape
hscrape
ps1=$(val proxy vnet_handler_sent_frames_total "$PL")
pr1=$(val proxy vnet_handler_received_frames_total "$PL")
hs1=$(val host vnet_handler_sent_frames_total "$HL")
hr1=$(val host vnet_handler_received_frames_total "$HL")
[ $((hs1 - hs0)) -ge $N ] && [ $((pr1 - pr0)) -ge $N ] ||
	die "echo requests: host sent $((hs1 - hs0)), proxy received $((pr1 - pr0)), want >= $N"
[ $((ps1 - ps0)) -ge $N ] && [ $((hr1 - hr0)) -ge $N ] ||
	die "echo replies: proxy sent $((ps1 - ps0)), host received $((hr1 - hr0)), want >= $N"
[ "$(val proxy vnet_handler_sent_bytes_total "$PL")" -ge $((N * 98)) ] || die "proxy's sent bytes"
[ "$(val host vnet_handler_dropped_frames_total "$HL,reason=storm")" = 0 ] || die "storm drops before the storm"
st=$(stat_of cli 198.18.42.2 "$PW_P" 1 sent_frames)
[ "$st" -ge "$ps1" ] && [ "$st" -le $((ps1 + 5)) ] || die "STATS? says sent_frames=$st, /metrics $ps1"
um=$(val proxy vnet_handler_device_unmatched_frames_total "$PL")
su=$(stat_of cli 198.18.42.2 "$PW_P" 1 dev_unmatched)
[ "$su" -ge "$um" ] && [ "$su" -le $((um + 20)) ] || die "STATS? says dev_unmatched=$su, /metrics $um"
[ "$(val proxy vnet_queued_bytes)" -lt $((1 << 20)) ] || die "vnet_queued_bytes $(val proxy vnet_queued_bytes) with pings only"
ok "$N pings: host sent $((hs1 - hs0)) / received $((hr1 - hr0)), proxy received $((pr1 - pr0)) / sent $((ps1 - ps0)) frames"

# 5. a broadcast burst over the host's storm limit (50/s): reason="storm"
nsx vm "$VNET_TOOLS/l2probe" send eth0 $BC 0x88b5 500 burst
hscrape
storm=$(val host vnet_handler_dropped_frames_total "$HL,reason=storm")
[ "$storm" -ge 300 ] || die "storm drops after a burst of 500 at 50/s: $storm"
for r in queue truncated toobig inject malformed kernel loop filtered down queue_total; do
	val host vnet_handler_dropped_frames_total "$HL,reason=$r" >/dev/null
done
ok "500 broadcasts at --storm-limit 50: vnet_handler_dropped_frames_total{reason=\"storm\"} = $storm; every reason present"

# 6. a wrong password, an idle unauthenticated connection
a0=$(val proxy vnet_auth_failures_total)
c0=$(val proxy vnet_connections_accepted_total)
client cli -q -p wrong-password -h 198.18.42.2 -c handlers >/dev/null 2>&1 && die "a wrong password was accepted"
nsx cli bash -c 'exec 3<>/dev/tcp/198.18.42.2/4455; sleep 4' &
idle=$!
wait_for 5 "the idle connection" ss_has proxy -tn "sport = :4455"
pscrape
[ "$(val proxy vnet_auth_failures_total)" = $((a0 + 1)) ] || die "auth failures: $a0 -> $(val proxy vnet_auth_failures_total)"
[ "$(val proxy vnet_connections_accepted_total)" -ge $((c0 + 2)) ] || die "accepted: $c0 -> $(val proxy vnet_connections_accepted_total)"
[ "$(val proxy vnet_unauthenticated_connections)" -ge 1 ] && [ "$(val proxy vnet_control_sessions)" -ge 1 ] ||
	die "the idle connection is not in the gauges"
kill $idle 2>/dev/null || true
wait $idle 2>/dev/null || true
ok "a wrong password: vnet_auth_failures_total $a0 -> $((a0 + 1)); an idle connection counted as a session, unauthenticated"

# 7. only GET (and HEAD) /metrics
# code METHOD PATH: the status of that request to the host's endpoint
code() {
	nsx host /usr/bin/python3 -c 'import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", 9100, timeout=10)
c.request(sys.argv[1], sys.argv[2])
r = c.getresponse()
print(r.status, r.getheader("Allow") or "")' "$@"
}
[ "$(code GET /)" = "404 " ] || die "GET / is not 404"
[ "$(code GET /metricsx)" = "404 " ] || die "GET /metricsx is not 404"
[ "$(code POST /metrics)" = "405 GET, HEAD" ] || die "POST /metrics: $(code POST /metrics)"
[ "$(code DELETE /metrics)" = "405 GET, HEAD" ] || die "DELETE /metrics: $(code DELETE /metrics)"
[ "$(code HEAD /metrics)" = "200 " ] || die "HEAD /metrics is not 200"
[ "$(code GET '/metrics?x=1')" = "200 " ] || die "a query string is refused"
ok "404 for another path, 405 (Allow: GET, HEAD) for POST and DELETE"
finish
