#!/bin/bash
# bench/tls_record.sh [IDLE_MS [N]]: what one small TLS 1.3 record costs
# OpenSSL in vnet's own contexts, back to back (the baseline) and after
# IDLE_MS (10) of idle, as between the pings of bench/bridge.sh; beside it
# the bare EVP AES-256-GCM seal a VPN data channel calls per packet.
# Prints a markdown table (medians of N rounds, default 300).  Not a test.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
make -C "$ROOT" -s build/bench/tls_record
"$ROOT/build/bench/tls_record" "$@"
