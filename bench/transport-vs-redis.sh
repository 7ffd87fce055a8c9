#!/usr/bin/env bash
# The transport's load test, side by side in one run (docs/BENCHMARKS.md):
#   (a) our node, pipelined (one stream per connection, batched flushes);
#   (b) the same node in the naive mode (a stream per request, a flush per answer);
#   (c) Redis GET of values of the same sizes with the same number of connections;
#   and the pipelined node again with 16 KiB datagrams (max.udp.payload, for jumbo-frame LANs).
# Server and load generator are separate JVMs; Redis comes from Debian and is started and
# stopped here. Usage: bench/transport-vs-redis.sh  (after mvn package; WARM and SECS override
# the warm-up and measured seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=bench/target/benchmarks.jar
WARM=${WARM:-3}
SECS=${SECS:-10}
CONNECTIONS=50
WORK=$(mktemp -d)
trap '[ -f "$WORK/server.pid" ] && kill "$(cat "$WORK/server.pid")" 2>/dev/null; redis-cli -p 16379 shutdown nosave >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

[ -f "$JAR" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  apt-get update -qq && apt-get install -y -qq redis-server redis-tools >/dev/null
fi
JAVA="java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp $JAR"

serve() { # mode port [udp payload] -> prints the tessera
  $JAVA net.tesseras.bench.TransportServer "$1" "$2" "$WORK/$1" ${3:-} > "$WORK/$1.log" 2>&1 &
  echo $! > "$WORK/server.pid"
  for _ in $(seq 100); do
    grep -q '^ready' "$WORK/$1.log" 2>/dev/null && break
    sleep 0.2
  done
  awk '/^ready/ {print $2}' "$WORK/$1.log"
}

load() { # label port tessera index inflight mode [udp payload]
  $JAVA net.tesseras.bench.TransportLoad "$1" "127.0.0.1:$2" "$3" "$4" "$CONNECTIONS" "$5" "$6" "$WARM" "$SECS" ${7:-} | tail -1
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $CONNECTIONS connections, ${SECS}s measured after ${WARM}s"
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
redis_get() { # label size pipeline requests
  redis-cli -p 16379 set key:__rand_int__ x >/dev/null
  redis-benchmark -p 16379 -t set,get -d "$2" -c "$CONNECTIONS" -P "$3" -n "$4" --csv 2>/dev/null | awk -F'","' -v label="$1" -v size="$2" '
    $1 ~ /"GET/ { gsub(/"/, "", $0); split($0, f, ",");
      printf "%-28s %10.0f ops/s %9.1f MB/s  p50 %7.3f  p95 %7.3f  p99 %7.3f ms\n", label, f[2], f[2] * size / 1e6, f[5], f[6], f[7] }'
}
redis_get "redis 4KiB unpipelined" 4096 1 400000
redis_get "redis 4KiB pipeline 16" 4096 16 1000000
redis_get "redis 1MiB unpipelined" 1048576 1 4000
