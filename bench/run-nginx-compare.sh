#!/usr/bin/env bash
# The load test's method (interleaved with the direct upstream, quiet-checked, coordinated-omission-aware) applied to
# nginx as a proxy and to DistillGuard, both in front of the same static nginx upstream of the peers script
# (/work/shared/bench/nginx-peer.conf: 19000 answers a canned chat completion, 19001 proxies to it).
#   bench/run-nginx-compare.sh [LoadTest options...]      (default: latency and throughput phases)
# Environment: DG_JAR, DG_JAVA_OPTS, LT_JAVA_OPTS, BENCH_JAR, GW_PORT, ADMIN_PORT, PEERS_DIR.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
PEERS_DIR=${PEERS_DIR:-/work/shared/bench}
GW_PORT=${GW_PORT:-18080}
ADMIN_PORT=${ADMIN_PORT:-18081}
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/target/benchmarks.jar}
JAR=${DG_JAR:-$ROOT/app/target/distillguard.jar}
command -v nginx >/dev/null || apt-get install -y -qq nginx-light wrk >/dev/null
DATA=$(mktemp -d /tmp/dg-nginx-compare.XXXXXX)
GW_PID=
cleanup() {
  if [ -n "$GW_PID" ]; then kill "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; fi
  nginx -c "$DATA/nginx.conf" -s stop 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT
sed -e "s#/tmp/peers/nginx#$DATA#g" "$PEERS_DIR/nginx-peer.conf" >"$DATA/nginx.conf"
nginx -c "$DATA/nginx.conf"
wait_port 19000
wait_port 19001
NGINX_PIDS=$(for p in $(pgrep -f "nginx.*$DATA/nginx.conf"); do echo "$p"; pgrep -P "$p"; done | sort -u | paste -sd,)

# shellcheck disable=SC2086
java ${DG_JAVA_OPTS:-} -cp "$JAR" io.distillguard.app.Main serve --config "$ROOT/bench/bench-gateway.yaml" \
  --upstream http://127.0.0.1:19000/v1 --port "$GW_PORT" --admin-port "$ADMIN_PORT" --data-dir "$DATA/gw" \
  >"$DATA/gateway.log" 2>&1 &
GW_PID=$!
wait_port "$GW_PORT"
wait_port "$ADMIN_PORT"
TOKEN=$(cat "$DATA/gw/admin-token")
ADMIN="http://127.0.0.1:$ADMIN_PORT/admin/v1"
curl -sf -X POST "$ADMIN/accounts" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"id":"bench","name":"nginx compare","attributes":{"tier":"enterprise"}}' >/dev/null
KEY=$(curl -sf -X POST "$ADMIN/accounts/bench/keys" -H "Authorization: Bearer $TOKEN" \
  | sed -E 's/.*"key":"([^"]+)".*/\1/')
pids_of() { local out="$1"; IFS=, read -ra ps <<<"$2"; for p in "${ps[@]}"; do out="$out,nginx=$p"; done; echo "${out#,}"; }

echo "######## nginx (19001) as the proxy, direct = static nginx (19000)"
# shellcheck disable=SC2086
java ${LT_JAVA_OPTS:-} -cp "$BENCH_JAR" io.distillguard.bench.LoadTest --direct-url http://127.0.0.1:19000 \
  --target-url http://127.0.0.1:19001 --key unused --peer-pids "$(pids_of "" "$NGINX_PIDS")" \
  --phases latency,throughput "$@"
echo
echo "######## DistillGuard ($GW_PORT) as the proxy, direct = static nginx (19000)"
# shellcheck disable=SC2086
java ${LT_JAVA_OPTS:-} -cp "$BENCH_JAR" io.distillguard.bench.LoadTest --direct-url http://127.0.0.1:19000 \
  --target-url "http://127.0.0.1:$GW_PORT" --key "$KEY" --metrics-url "http://127.0.0.1:$ADMIN_PORT/metrics" \
  --peer-pids "$(pids_of "gateway=$GW_PID" "$NGINX_PIDS")" --phases latency,throughput "$@"
