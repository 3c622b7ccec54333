#!/usr/bin/env bash
# Server CPU per call, starter on vs off, measured from outside: two copies of the packaged sample (one with
# grpc.shutdown.enabled=false), an independent HTTP/2 load generator (h2load, Debian package nghttp2-client) sending
# trivial SayHello calls, and each server's CPU time read from /proc before and after each round. Rounds alternate
# between the two servers; the median ratio off/on is the figure (1.00 = the starter costs nothing). Each pair of
# servers is started afresh PAIRS times, so that one process's luck with the JIT does not decide the figure.
#
#   autoconfigure/benchmarks/cpu-per-call.sh SAMPLE_JAR [ROUNDS=10] [CALLS=60000] [PAIRS=1]
set -euo pipefail
jar=${1:?usage: cpu-per-call.sh SAMPLE_JAR [ROUNDS] [CALLS]}
rounds=${2:-10}
calls=${3:-60000}
pairs=${4:-1}
command -v h2load >/dev/null || { echo "h2load is missing: apt-get install nghttp2-client" >&2; exit 2; }
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# SayHello(name "world"): the 5-byte gRPC frame header, then the protobuf message.
printf '\x00\x00\x00\x00\x07\x0a\x05world' > "$work/request.bin"

source "$(dirname "$0")/sample-processes.sh"
load() { # port, calls
  h2load -n "$2" -c 4 -m 16 -H 'content-type: application/grpc' -H 'te: trailers' -d "$work/request.bin" \
          "http://127.0.0.1:$1/Greeter/SayHello" | grep -E '^requests:' | tr -s ' '
}

ratios=()
for pair in $(seq 1 "$pairs"); do
  # The first one started gets the first pick of memory and cores: take turns.
  if (( pair % 2 == 1 )); then
    read -r on_pid on_port _ <<<"$(start_sample on true)"
    read -r off_pid off_port _ <<<"$(start_sample off false)"
  else
    read -r off_pid off_port _ <<<"$(start_sample off false)"
    read -r on_pid on_port _ <<<"$(start_sample on true)"
  fi
  for pid in $on_pid $off_pid; do pids+=("$pid"); done
  [[ -n $on_pid && -n $off_pid ]] || exit 1
  echo "pair $pair: warming up both servers (3 rounds each, not counted)"
  for _ in 1 2 3; do load "$on_port" "$calls" >/dev/null; load "$off_port" "$calls" >/dev/null; done

  for round in $(seq 1 "$rounds"); do
    declare -A per_call
    order=(on off); (( round % 2 == 0 )) && order=(off on)
    for side in "${order[@]}"; do
      pid_var=${side}_pid; port_var=${side}_port
      before=$(cpu_ticks "${!pid_var}")
      result=$(load "${!port_var}" "$calls")
      after=$(cpu_ticks "${!pid_var}")
      per_call[$side]=$(python3 -c "print(($after - $before) * 1e6 / $(getconf CLK_TCK) / $calls)")
      echo "pair $pair round $round $side: ${per_call[$side]} us CPU per call ($result)"
    done
    ratios+=("$(python3 -c "print(${per_call[off]} / ${per_call[on]})")")
  done
  kill "$on_pid" "$off_pid"
  while kill -0 "$on_pid" 2>/dev/null || kill -0 "$off_pid" 2>/dev/null; do sleep 0.2; done
done
python3 - "${ratios[@]}" <<'PY'
import statistics, sys
r = sorted(float(x) for x in sys.argv[1:])
print(f"CPU per call, off/on: median {statistics.median(r):.3f} over {len(r)} rounds (range {r[0]:.3f}-{r[-1]:.3f})")
PY
