#!/usr/bin/env bash
# The published artifacts as a user gets them: the release build (the README's command) into a directory laid out as
# a Maven repository, a check that every published module there is complete, then one minimal application per stack
# (sample-app/consumer/*, outside the reactor, on the published coordinates only) built, started, and drained under
# SIGTERM with a call in flight.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
release="$work/release"

# deploy also installs into the local repository, where the consumers find what was just built.
./mvnw -B -q -Prelease -DskipTests -DaltDeploymentRepository="local::file://$release" deploy

version=1.0.0-SNAPSHOT
group="$release/io/github/grpcgraceful"
fail() { echo "consumer test: $*" >&2; exit 1; }
for module in grpc-graceful-shutdown-core grpc-graceful-shutdown-netdevh-autoconfigure \
    grpc-graceful-shutdown-netdevh-starter grpc-graceful-shutdown-spring-boot4-autoconfigure \
    grpc-graceful-shutdown-spring-boot4-starter grpc-graceful-shutdown-spring-grpc-starter grpc-graceful-shutdown-test; do
  dir="$group/$module/$version"
  for kind in "" -sources -javadoc; do
    ls "$dir"/$module-*"$kind".jar >/dev/null 2>&1 || fail "$module has no${kind:- main} jar in the release"
  done
  jar=$(ls "$dir"/$module-*.jar | grep -v -e -sources -e -javadoc -e -tests | head -n 1)
  jar tf "$jar" | grep -x META-INF/LICENSE >/dev/null || fail "$module's jar has no META-INF/LICENSE"
  pom=$(ls "$dir"/$module-*.pom | head -n 1)
  python3 .ci/check-pom.py "$pom" "$group" || fail "$module's POM is incomplete"
  ls "$dir"/*.sha1 >/dev/null 2>&1 || fail "$module has no checksums"
done
ls "$group/grpc-graceful-shutdown-bom/$version"/*.pom >/dev/null || fail "the BOM is not in the release"
for module in grpc-graceful-shutdown-sample-app-netdevh grpc-graceful-shutdown-sample-app-boot4 \
    grpc-graceful-shutdown-sample-greeter grpc-graceful-shutdown-benchmarks; do
  [ ! -e "$group/$module" ] || fail "$module is published, but it is not meant to be"
done
echo "consumer test: the release has jar, sources, javadoc, licence, checksums and a complete POM for each module"

free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
  else
    shuf -i 20000-60000 -n 1
  fi
}

# One stack's consumer: built from the published coordinates, started, and drained under SIGTERM with a call in
# flight. The three stacks run side by side; each prints its own lines, and fails on its own.
consume() {
  local name=$1 prefix=$2 host=$3
  local app="sample-app/consumer/$name"
  ./mvnw -B -q -f "$app/pom.xml" package >"$work/$name-build.log" 2>&1 || { cat "$work/$name-build.log"; fail "$name did not build"; }
  local jar="$app/target/consumer-$name-1.jar"
  local port log="$work/$name.log"
  port=$(free_port)
  java -XX:TieredStopAtLevel=1 -jar "$jar" "--$prefix.port=$port" "--$prefix.$host=127.0.0.1" \
      --grpc.shutdown.grace-period=20s >"$log" 2>&1 &
  local server=$!
  for _ in $(seq 1 120); do
    grep -q "Started ConsumerApplication" "$log" || ! kill -0 "$server" 2>/dev/null && break
    sleep 0.5
  done
  grep -q "Started ConsumerApplication" "$log" || { kill "$server" 2>/dev/null || true; cat "$log"; fail "$name did not start"; }
  java -XX:TieredStopAtLevel=1 -Dloader.main=com.example.consumer.SleepClient -jar "$jar" "$port" 3000 \
      >"$work/$name-client.log" 2>&1 &
  local client=$!
  for _ in $(seq 1 60); do grep -q "Received: sleep 3000" "$log" && break; sleep 0.5; done
  kill -TERM "$server" || { cat "$log"; fail "$name exited before its SIGTERM"; }
  wait "$client" || { cat "$work/$name-client.log"; fail "$name: the call in flight failed"; }
  grep -q "slept 3000" "$work/$name-client.log" || fail "$name: no reply"
  wait "$server" || true
  grep -q "gRPC drain started: 1 call in flight" "$log" && grep -q "gRPC server drained in" "$log" \
      || { cat "$log"; fail "$name: no drain in the log"; }
  echo "consumer test: $name built from the published coordinates, and drained its call in flight under SIGTERM"
}

# stack, its gRPC server's property prefix, and its bind-host property
consumers=()
for stack in "boot4 spring.grpc.server address" "netdevh grpc.server address" "spring-grpc spring.grpc.server host"; do
  consume $stack &
  consumers+=($!)
done
failed=0
for consumer in "${consumers[@]}"; do
  wait "$consumer" || failed=1
done
[ "$failed" = 0 ] || fail "a consumer failed (above)"
