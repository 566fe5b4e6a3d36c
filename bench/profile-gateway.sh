#!/usr/bin/env bash
# JFR profile of a gateway in its own JVM under load (async-profiler is not available; JFR is).
#   bench/profile-gateway.sh OUT.jfr [LoadTest options...]     e.g. --phases throughput --rounds 1 --duration 20
# Starts the builtin upstream and the gateway (each its own JVM; DG_JAR / DG_JAVA_OPTS as in run-external.sh),
# warms the gateway up for WARMUP seconds (default 30) with a first load test run, then records a second run's
# phases with JFR (settings=profile, stack depth 256), dumps the recording with jcmd and prints the hot spots of the
# gateway's event-loop threads and of the exchange log writer (bench/jfr_top.py).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
OUT=$(realpath -m "$1")
shift
UP_PORT=${UP_PORT:-19090}
GW_PORT=${GW_PORT:-18080}
ADMIN_PORT=${ADMIN_PORT:-18081}
WARMUP=${WARMUP:-30}
JAR=${DG_JAR:-$ROOT/app/target/distillguard.jar}
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/target/benchmarks.jar}
DATA=$(mktemp -d /tmp/dg-profile.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$DATA"
}
trap cleanup EXIT
# shellcheck disable=SC2086
java ${DG_JAVA_OPTS:-} -cp "$JAR" io.distillguard.app.Main builtin-upstream --port "$UP_PORT" \
  --fixed-response "Paris is the capital of France." >"$DATA/upstream.log" 2>&1 &
PIDS+=($!)
# shellcheck disable=SC2086
java ${DG_JAVA_OPTS:-} -XX:FlightRecorderOptions=stackdepth=256 -cp "$JAR" io.distillguard.app.Main serve \
  --config "$ROOT/bench/bench-gateway.yaml" --upstream "http://127.0.0.1:$UP_PORT/v1" --port "$GW_PORT" \
  --admin-port "$ADMIN_PORT" --data-dir "$DATA/gw" >"$DATA/gateway.log" 2>&1 &
GW=$!
PIDS+=($GW)
wait_port "$UP_PORT"
wait_port "$GW_PORT"
wait_port "$ADMIN_PORT"
TOKEN=$(cat "$DATA/gw/admin-token")
ADMIN="http://127.0.0.1:$ADMIN_PORT/admin/v1"
curl -sf -X POST "$ADMIN/accounts" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"id":"bench","name":"profile","attributes":{"tier":"enterprise"}}' >/dev/null
KEY=$(curl -sf -X POST "$ADMIN/accounts/bench/keys" -H "Authorization: Bearer $TOKEN" \
  | sed -E 's/.*"key":"([^"]+)".*/\1/')
LT=(java ${LT_JAVA_OPTS:-} -cp "$BENCH_JAR" io.distillguard.bench.LoadTest --target-url "http://127.0.0.1:$GW_PORT"
  --key "$KEY" --metrics-url "http://127.0.0.1:$ADMIN_PORT/metrics" --direct-url "http://127.0.0.1:$UP_PORT"
  --peer-pids "upstream=${PIDS[0]},gateway=${PIDS[1]}")
echo "warm-up of the gateway JVM ($WARMUP s per target, not recorded)"
"${LT[@]}" --warmup-seconds "$WARMUP" --phases throughput --rounds 1 --duration 5 --quiet-wait 0 >/dev/null
jcmd "$GW" JFR.start name=bench settings=profile >/dev/null
"${LT[@]}" --warmup-seconds 0 "$@"
jcmd "$GW" JFR.dump name=bench filename="$OUT" >/dev/null
echo "recording: $OUT"
echo "== gateway event loops =="
python3 "$ROOT/bench/jfr_top.py" "$OUT" 30 eventloop
echo "== exchange log writer =="
python3 "$ROOT/bench/jfr_top.py" "$OUT" 12 exchange-log-writer
