# Shared by the bench scripts (sourced, not run): how to start the gateway, and waiting for a port.

# Sets DG to the command that runs the app: DG_JAR (a fixed jar, e.g. a snapshot taken for a measurement) if set,
# else the ./distillguard launcher if present (it rebuilds the jar when sources changed), else
# app/target/distillguard.jar. DG_JAVA_OPTS are the JVM options in every case. Needs ROOT.
dg_command() {
  if [ -n "${DG_JAR:-}" ]; then
    # shellcheck disable=SC2206
    DG=(java ${DG_JAVA_OPTS:-} -cp "$DG_JAR" io.distillguard.app.Main) # the app jar, or benchmarks.jar (contains it)
  elif [ -x "$ROOT/distillguard" ]; then
    export DISTILLGUARD_JAVA_OPTS="${DG_JAVA_OPTS:-}"
    DG=("$ROOT/distillguard")
  else
    # shellcheck disable=SC2206
    DG=(java ${DG_JAVA_OPTS:-} -jar "$ROOT/app/target/distillguard.jar")
  fi
}

# Waits up to 3 minutes for something to listen on 127.0.0.1:$1.
wait_port() {
  for _ in $(seq 1 900); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  echo "nothing listens on port $1" >&2
  return 1
}
