#!/bin/bash
# Bash completion for both programs: what it offers comes from the
# programs' own --help (so it cannot drift), per command for vnetclient, and
# the files `make install` puts where bash-completion looks.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$VNET_BIN:$PATH
# shellcheck source=/dev/null
. "$ROOT/scripts/completion/vnet"
# shellcheck source=/dev/null
. "$ROOT/scripts/completion/vnetclient"

offers() { # offers FUNCTION WORD... : what completing the last word offers
	local f=$1; shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	"$f"
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
want() { # want GOT EXPECTED WHAT
	[ "$1" = "$2" ] || die "$3: offered '$1', want '$2'"
}
want "$(offers _vnetclient vnetclient -c v)" "vadd vdel vstats" "vnetclient -c v<tab>"
want "$(offers _vnetclient vnetclient -h h -c s)" "stats suspend" "-c s<tab>"
n=$(offers _vnetclient vnetclient -c "" | wc -w)
[ "$n" -ge 17 ] || die "vnetclient -c <tab>: $n commands"
want "$(offers _vnetclient vnetclient -c handle -g "")" "local remote" "handle -g <tab>"
want "$(offers _vnetclient vnetclient -c conflict -n ssh -m "")" "abort preempt" "conflict -m <tab>"
want "$(offers _vnetclient vnetclient -c helper -n ssh -m st)" "stop stop-always" "helper -m st<tab>"
want "$(offers _vnetclient vnetclient -c stats -)" "--json -i" "stats -<tab>"
want "$(offers _vnetclient vnetclient -c handle -)" "--json -a -b -d -e -f -g -j" "handle -<tab>"
want "$(offers _vnetclient vnetclient --t)" "--timeout" "--t<tab>"
want "$(offers _vnetclient vnetclient -c help)" "helper helpers" "-c help<tab>"
want "$(offers _vnetclient vnetclient -c conf)" "conflict conflicts" "-c conf<tab>"
want "$(offers _vnetclient vnetclient -c conns --)" "--json" "conns --<tab>"
want "$(offers _vnetclient vnetclient --re)" "--require-pin" "--re<tab>"
want "$(offers _vnetclient vnetclient --fo)" "--forget" "--fo<tab>"
want "$(offers _vnetclient vnetclient --control-socket "$ROOT/scripts/completion/vnetc")" \
	"$ROOT/scripts/completion/vnetclient" "--control-socket <tab>"
ok "vnetclient: commands, per-command options and values"

want "$(offers _vnet vnet --vnat-h)" "--vnat-helper" "vnet --vnat-h<tab>"
want "$(offers _vnet vnet --log-level "")" "debug info warn" "--log-level <tab>"
want "$(offers _vnet vnet --fi)" "--fingerprint" "vnet --fi<tab>"
want "$(offers _vnet vnet --control-socket no)" "none" "--control-socket no<tab>"
for o in --max-unauth-per-source --storm-limit --vcmp-pending --config --user --control-socket -s -d; do
	offers _vnet vnet "${o:0:3}" | tr ' ' '\n' | grep -qx -- "$o" || die "vnet ${o:0:3}<tab> does not offer $o"
done
# devices after -d, up to the next option: this namespace's own interfaces
dev=$(ls /sys/class/net | head -1)
offers _vnet vnet pw -d "${dev:0:1}" | tr ' ' '\n' | grep -qx "$dev" || die "vnet -d <tab> does not offer $dev"
offers _vnet vnet pw -d "$dev" "${dev:0:1}" | tr ' ' '\n' | grep -qx "$dev" || die "a second device after -d"
ok "vnet: options from --help, devices after -d"

D=$TMP/destdir
make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/usr >/dev/null || die "make install"
for p in vnet vnetclient; do
	[ -f "$D/usr/share/bash-completion/completions/$p" ] || die "make install: no completion for $p"
done
make -s -C "$ROOT" uninstall DESTDIR="$D" PREFIX=/usr >/dev/null || die "make uninstall"
[ ! -e "$D/usr/share/bash-completion/completions/vnet" ] || die "make uninstall left the completion"
ok "installed in share/bash-completion/completions, removed by uninstall"
