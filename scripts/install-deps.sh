#!/bin/sh
# Installs every Debian package that building, testing, benchmarking and the
# demo need.  Idempotent: asks apt only for what is missing.  Run as root
# (or with everything already installed).
set -eu

# mosh, openssh-server and openssh-client: bench/vnat_resume.sh (Mosh beside
# vnet) and bench/vnat_hour.sh (an ssh session through a long suspension);
# both run their own servers in namespaces.  No service of a package is
# started by this script (a policy-rc.d for the install's length): Debian's
# openssh-server would otherwise start the machine's own sshd.
PKGS="gcc make pkg-config libc6-dev clang libclang-rt-14-dev
libpcap-dev libnet1-dev libevent-dev libssl-dev libnftables-dev libcriterion-dev libinih-dev
libsystemd-dev libcap-ng-dev libjansson-dev libnetfilter-conntrack-dev systemd
iproute2 iputils-ping socat iperf3 nftables conntrack ethtool tcpdump procps psmisc
libcap2-bin openssl coreutils python3 openvpn tinc iptables
groff-base man-db bsdextrautils python3-prometheus-client
mosh openssh-server openssh-client"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all $(echo $PKGS | wc -w) packages present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing:$missing (run this script as root)" >&2
	exit 1
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# iperf3's postinst would ask whether to start a daemon: no
echo "iperf3 iperf3/start_daemon boolean false" | debconf-set-selections
apt-get update -q
# no daemon starts on the machine because of us (invoke-rc.d asks policy-rc.d)
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# install-deps.sh of vnet: no service starts during its install\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
