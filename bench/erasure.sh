#!/usr/bin/env bash
# Reed-Solomon erasure coding, side by side in one run (docs/BENCHMARKS.md):
#   the node's coder (vector kernel, and its scalar kernel) and Hadoop's pure-Java raw RS coder (JMH, ErasureBenchmark), and zfec, a
#   native C coder from Debian (python3-zfec, bench/erasure_zfec.py), encoding and decoding with
#   the most data shards lost, for 16+8 and 48+24 and payloads of 1 MiB and 64 MiB;
#   then, unless MEMORY=0, a 1 GiB payload through PayloadEncoder/PayloadDecoder in a 64 MiB heap.
# Prints one table of MB/s of payload (10^6 bytes per second) with the ratios.
# Usage: bench/erasure.sh  (after: mvn -B -o -q -pl bench -am package -DskipTests)
#   JMH_OPTS overrides JMH's options (e.g. "-wi 1 -i 2"), ZFEC_SECONDS zfec's measuring time.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=bench/target/benchmarks.jar
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

[ -f "$JAR" ] || { echo "build first: mvn -B -o -q -pl bench -am package -DskipTests" >&2; exit 1; }
if ! /usr/bin/python3 -c 'import zfec' 2>/dev/null; then
  apt-get install -y -qq python3-zfec >/dev/null || { apt-get update -qq && apt-get install -y -qq python3-zfec >/dev/null; }
fi

java -jar "$JAR" ErasureBenchmark -rf csv -rff "$WORK/jmh.csv" ${JMH_OPTS:-} >"$WORK/jmh.log" 2>&1 \
  || { tail -40 "$WORK/jmh.log" >&2; exit 1; }
/usr/bin/python3 bench/erasure_zfec.py >"$WORK/zfec.csv"

/usr/bin/python3 - "$WORK/jmh.csv" "$WORK/zfec.csv" <<'PY'
import csv, sys
rates = {}
with open(sys.argv[1]) as f:
    for row in csv.DictReader(f):
        op = row["Benchmark"].rsplit(".", 1)[1]
        key = (row["Param: shape"], int(row["Param: payload"]), op)
        rates.setdefault(key, {})[row["Param: coder"]] = float(row["Score"]) * int(row["Param: payload"]) / 1e6
with open(sys.argv[2]) as f:
    for shape, payload, op, mbs in csv.reader(f):
        rates.setdefault((shape, int(payload), op), {})["zfec"] = float(mbs)
print(f"{'shape':6} {'payload':>8} {'operation':17} {'tesseras':>9} {'scalar':>8} {'hadoop':>8} {'zfec':>8} {'vs hadoop':>9} {'scalar vs hadoop':>16} {'vs zfec':>8}")
for (shape, payload, op), r in sorted(rates.items(), key=lambda kv: (kv[0][0] != "16+8", kv[0][1], kv[0][2] != "encode")):
    t, s, h, z = r.get("tesseras"), r.get("tesseras-scalar"), r.get("hadoop"), r.get("zfec")
    fmt = lambda v: f"{v:8.0f}" if v else "       -"
    ratio = lambda a, b: f"{a / b:8.1f}x" if a and b else "        -"
    size = f"{payload >> 20} MiB"
    print(f"{shape:6} {size:>8} {op:17} {fmt(t)} {fmt(s)} {fmt(h)} {fmt(z)} {ratio(t, h)} {ratio(s, h):>16} {ratio(t, z)}")
print("(MB/s of payload, one core; tesseras = vector kernel, scalar = its plain-Java kernel;")
print(" decodeMaxMissing rebuilds as many data shards as there are parity shards)")
PY

if [ "${MEMORY:-1}" != 0 ]; then
  echo
  echo "1 GiB payload through PayloadEncoder and PayloadDecoder with -Xmx64m:"
  java -Xmx64m --add-modules jdk.incubator.vector -cp "$JAR" net.tesseras.bench.ErasureMemoryCheck $((1 << 30)) "$WORK"
fi
