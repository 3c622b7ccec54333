#!/usr/bin/env bash
# Two interceptors of InterceptorBenchmark.unaryCall compared in short JMH rounds of their own, in alternating order,
# so that this machine's drift over minutes falls on both alike. Prints each round and the median difference (A - B).
# Run it after `./mvnw -B -pl autoconfigure/benchmarks -am package -DskipTests`, from any directory.
#
#   autoconfigure/benchmarks/side-by-side.sh [A=TRACKER] [B=NETDEVH_METRICS] [ROUNDS=4]
set -euo pipefail
a=${1:-TRACKER}
b=${2:-NETDEVH_METRICS}
rounds=${3:-4}
cd "$(dirname "$0")"
[ -f target/classpath.txt ] || { echo "build the benchmarks first: ./mvnw -B -pl autoconfigure/benchmarks -am package -DskipTests" >&2; exit 2; }
classpath="target/classes:$(cat target/classpath.txt)"

score() { # JMH output, interceptor: its average time in ns
  awk -v name="$2" '$1 == "InterceptorBenchmark.unaryCall" && $2 == name { print $5 }' <<<"$1"
}

differences=()
for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then order="$a,$b"; else order="$b,$a"; fi
  out=$(java -cp "$classpath" org.openjdk.jmh.Main 'InterceptorBenchmark.unaryCall' -f 2 -wi 3 -i 5 -w 1 -r 1 \
        -p interceptor="$order" 2>&1)
  time_a=$(score "$out" "$a")
  time_b=$(score "$out" "$b")
  [ -n "$time_a" ] && [ -n "$time_b" ] || { echo "round $round: JMH gave no score; its output:" >&2; echo "$out" >&2; exit 1; }
  difference=$(awk -v x="$time_a" -v y="$time_b" 'BEGIN { printf "%+.1f", x - y }')
  differences+=("$difference")
  echo "round $round (order $order): $a $time_a ns, $b $time_b ns, difference $difference ns"
done
median=$(printf '%s\n' "${differences[@]}" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%+.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "median difference ($a - $b) over $rounds rounds: $median ns per unary call"
