#!/usr/bin/env bash
# Load test of a gateway in its own JVM: the builtin upstream (fixed-response mode), the gateway and the load
# generator each run as a separate process (on the same machine: they still share its cores).
#   bench/run-external.sh [LoadTest options...]
# Environment: DG_JAVA_OPTS (JVM options of the gateway and upstream when started with java -jar),
#              LT_JAVA_OPTS (JVM options of the load generator), DG_JAR, BENCH_JAR (jars to use), UP_PORT,
#              GW_PORT, ADMIN_PORT.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
UP_PORT=${UP_PORT:-19090}
GW_PORT=${GW_PORT:-18080}
ADMIN_PORT=${ADMIN_PORT:-18081}
dg_command
DATA=$(mktemp -d /tmp/dg-external.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$DATA"
}
trap cleanup EXIT

echo "gateway command: ${DG[*]}"
"${DG[@]}" builtin-upstream --port "$UP_PORT" --fixed-response "Paris is the capital of France." \
  >"$DATA/upstream.log" 2>&1 &
PIDS+=($!)
"${DG[@]}" serve --config "$ROOT/bench/bench-gateway.yaml" --upstream "http://127.0.0.1:$UP_PORT/v1" \
  --port "$GW_PORT" --admin-port "$ADMIN_PORT" --data-dir "$DATA/gw" >"$DATA/gateway.log" 2>&1 &
PIDS+=($!)
wait_port "$UP_PORT"
wait_port "$GW_PORT"
wait_port "$ADMIN_PORT"
TOKEN=$(cat "$DATA/gw/admin-token")
ADMIN="http://127.0.0.1:$ADMIN_PORT/admin/v1"
curl -sf -X POST "$ADMIN/accounts" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"id":"bench","name":"load test","attributes":{"tier":"enterprise"}}' >/dev/null
KEY=$(curl -sf -X POST "$ADMIN/accounts/bench/keys" -H "Authorization: Bearer $TOKEN" \
  | sed -E 's/.*"key":"([^"]+)".*/\1/')

# shellcheck disable=SC2086
java ${LT_JAVA_OPTS:-} -cp "${BENCH_JAR:-$ROOT/bench/target/benchmarks.jar}" io.distillguard.bench.LoadTest \
  --target-url "http://127.0.0.1:$GW_PORT" --key "$KEY" --metrics-url "http://127.0.0.1:$ADMIN_PORT/metrics" \
  --direct-url "http://127.0.0.1:$UP_PORT" \
  --peer-pids "upstream=${PIDS[0]},gateway=${PIDS[1]}" "$@"
