#!/usr/bin/env bash
# What an idle server costs, starter on vs off: two copies of the packaged sample side by side (one with
# grpc.shutdown.enabled=false), each left idle for SECONDS before any call and again after a few calls, and each
# process's CPU time read from /proc around each idle window. Prints CPU milliseconds per minute of idling.
#
#   autoconfigure/benchmarks/idle-cpu.sh SAMPLE_JAR [SECONDS=60]
set -euo pipefail
jar=${1:?usage: idle-cpu.sh SAMPLE_JAR [SECONDS]}
seconds=${2:-60}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
start() { # name, enabled -> "pid grpc_port http_port"
  local grpc http
  grpc=$(free_port); http=$(free_port)
  java -Xmx512m -jar "$jar" --grpc.server.port="$grpc" --spring.grpc.server.port="$grpc" \
       --grpc.server.address=127.0.0.1 --spring.grpc.server.address=127.0.0.1 \
       --server.port="$http" --server.address=127.0.0.1 --grpc.shutdown.enabled="$2" > "$work/$1.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$http/actuator/health/readiness" >/dev/null 2>&1 && { echo "$pid $grpc $http"; return; }
    sleep 0.5
  done
  echo "the sample ($1) did not start; its log: $work/$1.log" >&2; exit 1
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
calls() { # port: a few SayHello calls through the sample's own client, from the same jar
  java -Dloader.main=io.github.grpcgraceful.sample.client.GreeterClient -jar "$jar" --addr "127.0.0.1:$1" \
       --name idle >/dev/null 2>&1 || true
}

read -r on_pid on_grpc on_http <<<"$(start on true)"; pids+=("$on_pid")
read -r off_pid off_grpc off_http <<<"$(start off false)"; pids+=("$off_pid")
sleep 5 # past the start-up work
for window in "before any call" "after calls"; do
  if [[ $window == "after calls" ]]; then
    for _ in 1 2 3; do calls "$on_grpc"; calls "$off_grpc"; done
    sleep 5
  fi
  on0=$(ticks "$on_pid"); off0=$(ticks "$off_pid")
  sleep "$seconds"
  on1=$(ticks "$on_pid"); off1=$(ticks "$off_pid")
  awk -v w="$window" -v s="$seconds" -v hz="$hz" -v a="$((on1 - on0))" -v b="$((off1 - off0))" \
      'BEGIN { printf "%s: starter on %.0f CPU ms/min, off %.0f CPU ms/min\n", w, a * 1000 / hz * 60 / s, b * 1000 / hz * 60 / s }'
done
