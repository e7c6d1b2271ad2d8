#!/bin/bash
# The man pages render as they read: groff's warnings are silent, no
# rendered line is wider than 80 columns, every command and option tag of
# vnetclient(1) stays on its own line, whole (groff says nothing when a tag
# spans several input lines and its rest falls into the body: only the
# rendered text shows it), and every vnetclient command has its entry.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v groff >/dev/null || die "groff is missing (make deps installs it)"

render() { MANWIDTH=80 MAN_KEEP_FORMATTING= man --nh --nj -l "$1" 2>/dev/null | col -b; }
for p in doc/vnet.8 doc/vnetclient.1 doc/vnet-vnat.8; do
	w=$(groff -ww -z -man "$ROOT/$p" 2>&1) || die "groff failed on $p: $w"
	[ -z "$w" ] || die "groff warns on $p: $w"
	long=$(render "$ROOT/$p" | awk 'length > 80' | head -3)
	[ -z "$long" ] || die "$p renders lines over 80 columns: $long"
	[ "$(render "$ROOT/$p" | wc -l)" -gt 20 ] || die "$p renders to almost nothing"
done
ok "groff -ww silent, nothing over 80 columns (vnet.8, vnetclient.1, vnet-vnat.8)"

# the lines at the tag indent (7) of COMMANDS, as rendered; a short tag
# shares its line with the start of its body, a long one may wrap
lines=$(render "$ROOT/doc/vnetclient.1" | sed -n '/^COMMANDS/,/^[A-Z]/p' | grep -E '^       [^ ]' | sed -E 's/^ {7}//')
has_tag() { # the whole tag starts a line, followed by its end or a blank
	local l
	while IFS= read -r l; do
		[ "$l" = "$1" ] || [[ $l == "$1 "* ]] && return 0
	done <<<"$lines"
	return 1
}
while IFS= read -r t; do
	has_tag "$t" || die "vnetclient.1: the tag '$t' is not whole on a line of its own; tag lines:
$lines"
done <<'TAGS'
echo
handlers
devices
stats [-i id]
close -i id
procs
vadd -n name [-m hide], vdel -n name
conns
helper -n name -m mode
conflict -n name -m abort|preempt
helpers
conflicts
vstats
suspend
resume [-n address]
handle [-a port2] [-b password2] -d host2
TAGS
# every command vnetclient --help lists has its entry
for c in $("$VNET_BIN/vnetclient" --help | sed -En 's/^     ([a-z]+)( .*)?$/\1/p'); do
	grep -qE "^$c( |\$)" <<<"$lines" || grep -q "^vadd -n name \[-m hide\], $c " <<<"$lines" ||
		die "vnetclient --help lists '$c', vnetclient.1 has no entry for it"
done
[ "$("$VNET_BIN/vnetclient" --help | sed -En 's/^     ([a-z]+)( .*)?$/\1/p' | wc -l)" -ge 14 ] ||
	die "vnetclient --help: fewer commands than expected"
ok "vnetclient.1: every command tag whole on its own line, every command listed"

lines=$(render "$ROOT/doc/vnetclient.1" | sed -n '/^OPTIONS/,/^[A-Z]/p' | grep -E '^       [^ ]' | sed -E 's/^ {7}//')
for o in "-s" "-p password1" "--password-file file" "-o port1" "-h host1" "--control-socket path" "--json" \
    "--ca file" "--known-servers file" "--require-pin" "--forget host[:port]" "--timeout seconds" "-q"; do
	has_tag "$o" || die "vnetclient.1: the option tag '$o' is not whole on a line of its own: $lines"
done
ok "vnetclient.1: option tags whole"
