#!/usr/bin/env python3
"""OpenBLAS peer for the MixQ SGEMM benchmark: numpy float32 matmul on the same shapes and transposes.

Reads the shape table printed by `MixQ.Bench gemm --list` on stdin (label transA transB m k n threads) and times
only the rows whose thread count equals OPENBLAS_NUM_THREADS, because OpenBLAS fixes its thread count when it
loads. A transposed operand is a transposed view of a row-major array, so numpy hands OpenBLAS a transpose flag
(no copy), just as MixQ receives transA/transB. Timing mirrors the C# side: warm-up, batches of ~20 ms,
median of 9 batches.
"""
import os
import sys
import time

import numpy as np


def measure(trans_a, trans_b, m, k, n):
    rng = np.random.default_rng(42)
    a = (rng.random((k, m) if trans_a else (m, k), dtype=np.float32) - 0.5)
    b = (rng.random((n, k) if trans_b else (k, n), dtype=np.float32) - 0.5)
    op_a = a.T if trans_a else a
    op_b = b.T if trans_b else b
    c = np.empty((m, n), dtype=np.float32)
    flops = 2.0 * m * n * k

    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < 0.2 or calls < 3:
        np.matmul(op_a, op_b, out=c)
        calls += 1
    batch = max(1, int(calls * 0.02 / (time.perf_counter() - start)))
    seconds = []
    for _ in range(9):
        t = time.perf_counter()
        for _ in range(batch):
            np.matmul(op_a, op_b, out=c)
        seconds.append((time.perf_counter() - t) / batch)
    seconds.sort()
    return flops / seconds[len(seconds) // 2] / 1e9


def main():
    threads = int(os.environ.get("OPENBLAS_NUM_THREADS", "0"))
    if threads <= 0:
        sys.exit("set OPENBLAS_NUM_THREADS to the thread count to benchmark")
    for line in sys.stdin:
        parts = line.split()
        if len(parts) != 7 or int(parts[6]) != threads:
            continue
        label, ta, tb, m, k, n = parts[0], parts[1] == "1", parts[2] == "1", int(parts[3]), int(parts[4]), int(parts[5])
        print(f"{label} threads={threads} {measure(ta, tb, m, k, n):.1f} GFLOP/s", flush=True)


if __name__ == "__main__":
    main()
