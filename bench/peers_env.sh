# shellcheck shell=bash
# bench/peers_env.sh: sourced by the benchmarks that run on the shared
# namespace testbed (../shared/bench/peers, or PEERS): checks root and the
# testbed, builds vnet, prepares the testbed; sets ROOT, PEERS, VNET_BIN.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=${PEERS:-$ROOT/../shared/bench/peers}
[ -x "$PEERS/run.sh" ] || { echo "bench: no peer testbed at $PEERS" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: run as root (network namespaces)" >&2; exit 1; }
make -C "$ROOT" -s all
bash "$PEERS/setup.sh" >/dev/null
export VNET_BIN=$ROOT/bin
