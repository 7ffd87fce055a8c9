#!/usr/bin/env bash
# The transport's load test, side by side in one run (docs/BENCHMARKS.md):
#   (a) our node, pipelined (one stream per connection, batched flushes);
#   (b) the same node in the naive mode (a stream per request, a flush per answer);
#   (c) Redis GET of values of the same sizes with the same number of connections;
#   and the pipelined node again with 16 KiB datagrams (max.udp.payload, for jumbo-frame LANs).
# Server and load generator are separate JVMs; Redis comes from Debian and is started and
# stopped here. Every line also gives the SERVER's CPU time (user + system, from /proc/<pid>/stat)
# per request over the measured requests: the node's JVM and redis-server alike, so the comparison
# does not depend on how much of the shared cores the load generator took.
# Usage: bench/transport-vs-redis.sh  (after mvn package; WARM and SECS override the warm-up and
# measured seconds; BASELINE_JAR=<another build's bench/target/benchmarks.jar> first serves the
# pipelined lines from that build's server, with this build's load generator, for a before/after
# in the same run).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=bench/target/benchmarks.jar
WARM=${WARM:-3}
SECS=${SECS:-10}
CONNECTIONS=50
WORK=$(mktemp -d)
# (|| true: under set -e a failing kill of a server already stopped would end the trap before Redis is stopped.)
trap '{ [ -f "$WORK/server.pid" ] && kill "$(cat "$WORK/server.pid")"; } 2>/dev/null || true; redis-cli -p 16379 shutdown nosave >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

[ -f "$JAR" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  apt-get update -qq && apt-get install -y -qq redis-server redis-tools >/dev/null
fi
JAVA="java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp $JAR"

serve() { # mode port [udp payload] -> prints the tessera
  java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "${SERVER_JAR:-$JAR}" net.tesseras.bench.TransportServer "$1" "$2" "$WORK/$1$2" ${3:-} > "$WORK/$1.log" 2>&1 &
  echo $! > "$WORK/server.pid"
  for _ in $(seq 100); do
    grep -q '^ready' "$WORK/$1.log" 2>/dev/null && break
    sleep 0.2
  done
  awk '/^ready/ {print $2}' "$WORK/$1.log"
}

TICKS=$(getconf CLK_TCK)
cpu_ticks() { # pid -> utime + stime in clock ticks (fields 14 and 15, counted after the command name)
  sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

load() { # label port tessera index inflight mode [udp payload]
  $JAVA -Dserver.pid="$(cat "$WORK/server.pid")" -Dclk.tck="$TICKS" net.tesseras.bench.TransportLoad "$1" "127.0.0.1:$2" "$3" "$4" "$CONNECTIONS" "$5" "$6" "$WARM" "$SECS" ${7:-} | tail -1
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $CONNECTIONS connections, ${SECS}s measured after ${WARM}s; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${BASELINE_JAR:-}" ]; then
  T=$(SERVER_JAR=$BASELINE_JAR serve pipelined 14436)
  load "baseline 4KiB in-flight 1"  14436 "$T" 0 1  pipelined
  load "baseline 4KiB in-flight 16" 14436 "$T" 0 16 pipelined
  load "baseline 1MiB in-flight 2"  14436 "$T" 1 2  pipelined
  kill "$(cat "$WORK/server.pid")"; sleep 1
fi

T=$(serve pipelined 14433)
load "node 4KiB in-flight 1"   14433 "$T" 0 1  pipelined
load "node 4KiB in-flight 16"  14433 "$T" 0 16 pipelined
load "node 1MiB in-flight 2"   14433 "$T" 1 2  pipelined
kill "$(cat "$WORK/server.pid")"; sleep 1

T=$(serve naive 14434)
load "naive 4KiB in-flight 1"  14434 "$T" 0 1  naive
load "naive 4KiB in-flight 16" 14434 "$T" 0 16 naive
load "naive 1MiB in-flight 2"  14434 "$T" 1 2  naive
kill "$(cat "$WORK/server.pid")"; sleep 1

T=$(serve pipelined 14435 16384)
load "node16K 4KiB in-flight 1"  14435 "$T" 0 1  pipelined 16384
load "node16K 1MiB in-flight 2"  14435 "$T" 1 2  pipelined 16384
kill "$(cat "$WORK/server.pid")"; sleep 1

redis-server --port 16379 --save '' --appendonly no --daemonize yes --logfile "$WORK/redis.log" >/dev/null
sleep 0.5
REDIS_PID=$(redis-cli -p 16379 info server | awk -F: '/^process_id/ {print $2+0}')
redis_get() { # label size pipeline requests
  # The value first (redis-benchmark's key is the literal key:__rand_int__ without -r), then GETs alone, measured.
  redis-benchmark -p 16379 -t set -d "$2" -c 1 -n 1 >/dev/null 2>&1
  local before after
  before=$(cpu_ticks "$REDIS_PID")
  redis-benchmark -p 16379 -t get -d "$2" -c "$CONNECTIONS" -P "$3" -n "$4" --csv 2>/dev/null > "$WORK/redis.csv"
  after=$(cpu_ticks "$REDIS_PID")
  awk -F'","' -v label="$1" -v size="$2" -v cpu="$(( after - before ))" -v ticks="$TICKS" -v n="$4" '
    $1 ~ /"GET/ { gsub(/"/, "", $0); split($0, f, ",");
      printf "%-28s %10.0f ops/s %9.1f MB/s  p50 %7.3f  p95 %7.3f  p99 %7.3f ms  server cpu %7.1f us/req\n", label, f[2], f[2] * size / 1e6, f[5], f[6], f[7], cpu * 1e6 / ticks / n }' "$WORK/redis.csv"
}
redis_get "redis 4KiB unpipelined" 4096 1 400000
redis_get "redis 4KiB pipeline 16" 4096 16 1000000
redis_get "redis 1MiB unpipelined" 1048576 1 4000
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
