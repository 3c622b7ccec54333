# Shared by the benchmark scripts (sourced, not run): starting a copy of the packaged sample on free loopback ports,
# with the starter on or off, and reading a process's CPU time. The caller sets `jar` and `work` and records the pids.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# name, enabled -> "pid grpc_port http_port" (runs in a subshell: the caller records the pid for cleanup)
start_sample() {
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

# pid -> CPU time so far, in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
