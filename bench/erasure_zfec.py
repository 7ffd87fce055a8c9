#!/usr/bin/python3
"""zfec (C, Debian's python3-zfec) encode and worst-case decode of the payloads ErasureBenchmark
uses, as the native outside reference. zfec is a Reed-Solomon code over GF(2^8) too (a different
matrix, so different parity bytes). Prints one CSV line per case: shape,payload,operation,MB/s."""
import os
import sys
import time

import zfec

MIN_SECONDS = float(os.environ.get("ZFEC_SECONDS", "4"))


def measure(work, payload):
    work()  # warm up
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        rounds = 0
        while True:
            work()
            rounds += 1
            elapsed = time.perf_counter() - start
            if elapsed >= MIN_SECONDS / 3:
                break
        best = max(best, rounds * payload / elapsed / 1e6)
    return best


def main():
    for shape in ("16+8", "48+24"):
        k, p = (int(x) for x in shape.split("+"))
        m = k + p
        for payload in (1 << 20, 64 << 20):
            shard = (payload + k - 1) // k
            data = [os.urandom(shard) for _ in range(k)]
            encoder = zfec.Encoder(k, m)
            parity_numbers = list(range(k, m))
            parity = encoder.encode(data, parity_numbers)
            print(f"{shape},{payload},encode,{measure(lambda: encoder.encode(data, parity_numbers), payload):.0f}", flush=True)
            # Worst case: the first p data shards lost, every parity shard used.
            blocks = data[p:] + list(parity)
            numbers = list(range(p, k)) + parity_numbers
            decoder = zfec.Decoder(k, m)
            rebuilt = decoder.decode(blocks, numbers)
            if [bytes(b) for b in rebuilt] != data:
                sys.exit(f"zfec did not rebuild the data of {shape} {payload}")
            print(f"{shape},{payload},decodeMaxMissing,{measure(lambda: decoder.decode(blocks, numbers), payload):.0f}", flush=True)


if __name__ == "__main__":
    main()
