#!/bin/bash
# vnetclient --json: every command's document parsed by python3's json and
# compared with what was set up and sent: the devices given to -d, the
# handler that HANDLE made (id, devices, addresses and ports of both ends,
# the list), frame counters grown by the pings sent, the text output
# unchanged and the same records; then VNAT: the process list, helpers and
# conflict policies as set, the connection opened (protocol, virtual
# addresses and ports, pid, name), its physical address after a move, the
# counters; OK and NOK answers as {"ok", "message"}.
#
#   vm ── vmnet1 [host] 198.18.44.2 ── [rtr] ── [lan] ─ [proxy] 198.18.42.2
#                                                     ├ [peer]  198.18.42.20
#                                                     └ [cli]   198.18.42.3
# then
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"

# py DOC EXPR: EXPR over the parsed document d (python3's json), printed
py() { printf '%s' "$1" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$2"; }
# want WHAT DOC EXPR VALUE: EXPR over DOC is VALUE
want() {
	local got
	got=$(py "$2" "$3") || die "$1: not JSON, or no $3: $2"
	[ "$got" = "$4" ] || die "$1: $3 is '$got', want '$4': $2"
}
jp() { client cli -q -p pw2 -h 198.18.42.2 --json "$@"; }	# the proxy's server
jh() { client cli -q -p pw1 -h 198.18.44.2 "$@"; }		# the host's

topo_up
servers_up
want "devices" "$(jh -c devices --json)" 'd' "{'devices': ['vmnet1']}"
want "devices" "$(jp -c devices)" 'd' "{'devices': ['eth0']}"
want "no handlers" "$(jp -c handlers)" 'd' "{'handlers': []}"
out=$(jp -c handle -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 -g local -j $VM_MAC ff:ff:ff:ff:ff:ff) ||
	die "HANDLE --json: $out"
want "HANDLE" "$out" 'd' "{'ok': True, 'message': 'handler 1 established'}"
ok "devices as given to -d; HANDLE's OK as {ok, message}"

doc=$(jp -c handlers)
want "handlers" "$doc" 'len(d["handlers"])' 1
want "handlers" "$doc" 'd["handlers"][0]["id"]' 1
want "handlers" "$doc" 'd["handlers"][0]["local"]["device"], d["handlers"][0]["local"]["role"]' "('eth0', 'local')"
want "handlers" "$doc" 'd["handlers"][0]["local"]["address"]' 198.18.42.2
want "handlers" "$doc" 'd["handlers"][0]["remote"]' \
	"{'role': 'remote', 'address': '198.18.44.2', 'port': 4455, 'device': 'vmnet1'}"
want "handlers" "$doc" 'd["handlers"][0]["addresses"]' "['$VM_MAC', 'ff:ff:ff:ff:ff:ff']"
# the same record as the text line (which is the seed's, unchanged)
text=$(client cli -q -p pw2 -h 198.18.42.2 -c handlers)
want "handlers = text" "$doc" \
	'" ".join(str(x) for h in d["handlers"] for x in [h["id"]] + [h["local"][k].upper() if k == "role" else h["local"][k] for k in ("role", "address", "port", "device")] + ["<->"] + [h["remote"][k].upper() if k == "role" else h["remote"][k] for k in ("role", "address", "port", "device")] + h["addresses"])' \
	"$text"
hdoc=$(jh --json -c handlers)
want "host's handlers" "$hdoc" 'd["handlers"][0]["local"]["port"], d["handlers"][0]["local"]["device"]' "(4455, 'vmnet1')"
want "host's handlers" "$hdoc" 'd["handlers"][0]["remote"]["port"] == d["handlers"][0]["local"]["port"]' False
hid=$(py "$hdoc" 'd["handlers"][0]["id"]')
ok "handlers: the handler HANDLE made, both ends, as the text line says"

before=$(jh --json -c stats -i "$hid")
want "stats" "$before" 'len(d["stats"]), d["stats"][0]["id"], d["stats"][0]["state"]' "(1, $hid, 'up')"
nsx vm ping -c 5 -i 0.2 -W 2 198.18.42.20 >/dev/null || die "ping VM -> peer"
after=$(jh -c stats --json)
for k in sent_frames recv_frames sent_bytes recv_bytes; do
	b=$(py "$before" "d['stats'][0]['$k']") a=$(py "$after" "[s for s in d['stats'] if s['id'] == $hid][0]['$k']")
	[ "$a" -ge $((b + 5)) ] || die "stats $k: $b before 5 pings each way, $a after"
done
want "stats" "$after" 'all(type(v) is int for k, v in d["stats"][0].items() if k != "state")' True
want "stats" "$after" 'd["stats"][0]["drop_loop"], d["stats"][0]["reconnects"]' "(0, 0)"
ok "stats: numbers as numbers; frame and byte counters grown by the 5 pings each way"

set +e
out=$(jp -c close -i 9); rc=$?
set -e
[ $rc = 1 ] || die "close -i 9 --json: exit $rc"
want "NOK" "$out" 'd' "{'ok': False, 'message': 'no such handler 9'}"
want "close" "$(jp -c close -i 1)" 'd' "{'ok': True, 'message': 'closed 1'}"
want "after close" "$(jp -c handlers)" 'd' "{'handlers': []}"
set +e
out=$(jp -c procs); rc=$?
set -e
[ $rc = 1 ] || die "procs without --vnat: exit $rc"
want "VNAT off" "$out" 'd["ok"], d["message"]' "(False, 'VNAT is off on this server (start vnet with --vnat)')"
ok "OK and NOK answers as {ok, message}; CLOSE's handler gone from the document"
finish
cleanup; NSS=() PIDS=(); TMP=$(mktemp -d /tmp/vnet-test.XXXXXX); P="vt$$j"

vnat_topo_up
vnat_pair
jc() { vc --json "$@"; }
js() { vs --json "$@"; }
want "procs" "$(jc -c procs)" 'd' "{'procs': []}"
want "vadd" "$(jc -c vadd -n socat)" 'd' "{'ok': True, 'message': 'added socat'}"
want "procs" "$(jc -c procs)" 'd' "{'procs': ['socat']}"
# nothing set: the default, keepalive for every name
want "helpers" "$(js -c helpers)" 'd' "{'helpers': [{'name': '*', 'mode': 'keepalive'}]}"
[ "$(vs -c helper -n socat -m keepalive)" = "helper socat keepalive" ] || die "helper"
[ "$(vs -c helper -n '*' -m exec:/bin/true)" = "helper * exec:/bin/true" ] || die "helper *"
[ "$(vs -c conflict -n socat -m preempt)" = "conflict socat preempt" ] || die "conflict"
want "helpers" "$(js -c helpers)" 'd' "{'helpers': [{'name': 'socat', 'mode': 'keepalive'}, {'name': '*', 'mode': 'exec:/bin/true'}]}"
want "conflicts" "$(js -c conflicts)" 'd' "{'conflicts': [{'name': 'socat', 'policy': 'preempt'}]}"
[ "$(vs -c helpers)" = $'socat keepalive\n* exec:/bin/true' ] || die "helpers as text: $(vs -c helpers)"
[ "$(vs -c conflicts)" = "socat preempt" ] || die "conflicts as text: $(vs -c conflicts)"
ok "procs, helpers and conflicts as set (text: the server's lines)"

shape cli	# 40 Mbit/s: 30 MB last past the move and the RESUME
stream up up srv TCP-LISTEN:5001 cli TCP:198.18.2.20:5001 $((30 * 1024 * 1024))
lport=$(nsx cli ss -Htn "dport = :5001" | awk '{print $4}' | sed 's/.*://' | head -1)
cpid=$(nsx cli ss -Htnp "dport = :5001" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
[ -n "$lport" ] && [ -n "$cpid" ] || die "no connection to 5001 in ss"
doc=$(jc -c conns)
want "conns" "$doc" 'len(d["conns"])' 1
want "conns" "$doc" 'd["conns"][0]["proto"], d["conns"][0]["state"], d["conns"][0]["name"]' "('tcp', 'ESTABLISHED', 'socat')"
want "conns" "$doc" 'd["conns"][0]["pid"]' "$cpid"
want "conns" "$doc" 'd["conns"][0]["virtual_local"]' "{'address': '198.18.1.10', 'port': $lport}"
want "conns" "$doc" 'd["conns"][0]["virtual_remote"]' "{'address': '198.18.2.20', 'port': 5001}"
want "conns" "$doc" 'd["conns"][0]["physical_local"] == d["conns"][0]["virtual_local"]' True
want "vstats" "$(jc -c vstats)" 'd["vstats"]["suspended"], d["vstats"]["translations"]' "(False, 0)"
ok "conns: the connection opened (ports, pid, name) before any move"

out=$(vc -c suspend) || die "SUSPEND: $out"
want "vstats" "$(jc -c vstats)" 'd["vstats"]["suspended"]' True
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
out=$(jc -c resume) || die "RESUME --json: $out"
want "resume" "$out" 'd["ok"], d["message"].startswith("resumed 1 of 1 connection(s)")' "(True, True)"
doc=$(jc -c conns)
want "conns after the move" "$doc" 'd["conns"][0]["virtual_local"]' "{'address': '198.18.1.10', 'port': $lport}"
want "conns after the move" "$doc" 'd["conns"][0]["physical_local"]["address"]' 198.18.3.10
want "conns after the move" "$doc" 'd["conns"][0]["virtual_remote"], d["conns"][0]["physical_remote"]' \
	"({'address': '198.18.2.20', 'port': 5001}, {'address': '198.18.2.20', 'port': 5001})"
v=$(jc -c vstats)
want "vstats" "$v" 'd["vstats"]["suspended"], d["vstats"]["translations"] >= 1' "(False, True)"
want "vstats" "$v" 'sorted(k for k, x in d["vstats"].items() if type(x) is not int)' "['suspended']"
want "peer's vstats" "$(js -c vstats)" 'd["vstats"]["updated"] >= 1, d["vstats"]["vcmp_msgs"] >= 1' "(True, True)"
stream_end up
ok "after SUSPEND, a move and RESUME: the same virtual connection on its new physical address; counters"
finish
