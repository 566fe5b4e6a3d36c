#!/usr/bin/env bash
# Peers comparison: runs /work/shared/bench/peers.sh (wrk against a static nginx upstream, nginx as a proxy and the
# Portkey gateway) with DistillGuard added as a fourth target.
#   bench/run-peers.sh [RUNS]      (default 3 runs of peers.sh)
# The gateway runs in its own JVM (DG_JAVA_OPTS for its JVM options) with bench/bench-gateway.yaml (limits that never
# refuse), upstream http://127.0.0.1:19000/v1 (the peers' static nginx), an enterprise account and key created through
# the admin API. It connects to its upstream lazily, so it can start before peers.sh brings nginx up; it is warmed up
# first (nginx started for the warm-up and stopped again, because peers.sh starts and stops it itself).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
PEERS=${PEERS:-/work/shared/bench/peers.sh}
PEERS_DIR=$(dirname "$PEERS")
RUNS=${1:-3}
GW_PORT=${GW_PORT:-18080}
ADMIN_PORT=${ADMIN_PORT:-18081}
dg_command
command -v nginx >/dev/null || apt-get install -y -qq nginx-light wrk >/dev/null
DATA=$(mktemp -d /tmp/peers-dg.XXXXXX)
GW_PID=
cleanup() {
  if [ -n "$GW_PID" ]; then kill "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

echo "gateway command: ${DG[*]} serve --config bench/bench-gateway.yaml --upstream http://127.0.0.1:19000/v1 ..."
"${DG[@]}" serve --config "$ROOT/bench/bench-gateway.yaml" --upstream http://127.0.0.1:19000/v1 \
  --port "$GW_PORT" --admin-port "$ADMIN_PORT" --data-dir "$DATA/gw" >"$DATA/gateway.log" 2>&1 &
GW_PID=$!
wait_port "$GW_PORT"
wait_port "$ADMIN_PORT"
TOKEN=$(cat "$DATA/gw/admin-token")
ADMIN="http://127.0.0.1:$ADMIN_PORT/admin/v1"
curl -sf -X POST "$ADMIN/accounts" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"id":"bench","name":"peers","attributes":{"tier":"enterprise"}}' >/dev/null
KEY=$(curl -sf -X POST "$ADMIN/accounts/bench/keys" -H "Authorization: Bearer $TOKEN" \
  | sed -E 's/.*"key":"([^"]+)".*/\1/')

# Warm-up of the JVM (JIT) against the same static upstream, which peers.sh will start again itself.
mkdir -p /tmp/peers/nginx
cp "$PEERS_DIR/nginx-peer.conf" /tmp/peers/nginx/nginx.conf
nginx -c /tmp/peers/nginx/nginx.conf
sleep 0.5
sed "s/sk-test/$KEY/" "$PEERS_DIR/post.lua" >"$DATA/post.lua"
wrk -t2 -c16 -d15s -s "$DATA/post.lua" "http://127.0.0.1:$GW_PORT/v1/chat/completions" | grep -E "Requests/sec|Non-2xx" \
  | sed 's/^/warm-up: /'
nginx -c /tmp/peers/nginx/nginx.conf -s stop
sleep 1

for run in $(seq 1 "$RUNS"); do
  echo "--- peers run $run/$RUNS ($(date -u +%FT%TZ))"
  DG_KEY="$KEY" bash "$PEERS" "http://127.0.0.1:$GW_PORT"
  sleep 2
done
curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" | grep -E '^distillguard_requests_total' | sed 's/^/gateway: /'
