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

source "$(dirname "$0")/sample-processes.sh"
hz=$(getconf CLK_TCK)
calls() { # port: a few SayHello calls through the sample's own client, from the same jar
  java -Dloader.main=io.github.grpcgraceful.sample.client.GreeterClient -jar "$jar" --addr "127.0.0.1:$1" \
       --name idle >/dev/null 2>&1 || true
}

read -r on_pid on_grpc on_http <<<"$(start_sample on true)"; pids+=("$on_pid")
read -r off_pid off_grpc off_http <<<"$(start_sample off false)"; pids+=("$off_pid")
sleep 5 # past the start-up work
for window in "before any call" "after calls"; do
  if [[ $window == "after calls" ]]; then
    for _ in 1 2 3; do calls "$on_grpc"; calls "$off_grpc"; done
    sleep 5
  fi
  on0=$(cpu_ticks "$on_pid"); off0=$(cpu_ticks "$off_pid")
  sleep "$seconds"
  on1=$(cpu_ticks "$on_pid"); off1=$(cpu_ticks "$off_pid")
  awk -v w="$window" -v s="$seconds" -v hz="$hz" -v a="$((on1 - on0))" -v b="$((off1 - off0))" \
      'BEGIN { printf "%s: starter on %.0f CPU ms/min, off %.0f CPU ms/min\n", w, a * 1000 / hz * 60 / s, b * 1000 / hz * 60 / s }'
done
