#!/usr/bin/env bash
# MixQ SGEMM vs OpenBLAS (numpy float32 matmul) on the same shapes, transposes and thread counts.
# Usage: bash bench/gemm.sh [--threads N] [--rounds R] [--filter TEXT]
#   --threads  threads for the square and MLP shapes (default 2); per-sample conv shapes always use 1
#   --rounds   alternations per shape (default 3); each side keeps its best round
# The two libraries are measured alternately, shape by shape, so a burst of load from other processes on
# this shared machine hits both sides instead of one whole column of the table.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2
rounds=3
filter=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --filter) filter=(--filter "$2"); shift 2 ;;
    *) echo "usage: bash bench/gemm.sh [--threads N] [--rounds R] [--filter TEXT]" >&2; exit 2 ;;
  esac
done

# numpy linked against OpenBLAS: prefer the system python3 (Debian's python3-numpy uses libopenblas).
python=python3
for candidate in /usr/bin/python3 python3; do
  if "$candidate" -c "import numpy" 2>/dev/null; then python="$candidate"; break; fi
done

dotnet build bench/MixQ.Bench -c Release -v quiet -nologo >/dev/null
bench=(dotnet bench/MixQ.Bench/bin/Release/net10.0/MixQ.Bench.dll gemm --threads "$threads")

best() { # best GFLOP/s of the numbers given
  printf '%s\n' "$@" | sort -g | tail -1
}

echo "| shape (m x k x n, op) | threads | MixQ GFLOP/s | OpenBLAS GFLOP/s | MixQ / OpenBLAS |"
echo "|---|---:|---:|---:|---:|"
"${bench[@]}" --list "${filter[@]}" | while read -r label ta tb m k n t; do
  mixq=()
  peer=()
  for ((r = 0; r < rounds; r++)); do
    mixq+=("$("${bench[@]}" --filter "$label" | awk '/GFLOP/ {print $3}')")
    peer+=("$(echo "$label $ta $tb $m $k $n $t" | OPENBLAS_NUM_THREADS="$t" "$python" bench/peers/gemm_numpy.py | awk '{print $3}')")
  done
  a=$(best "${mixq[@]}")
  b=$(best "${peer[@]}")
  awk -v l="$label" -v t="$t" -v a="$a" -v b="$b" 'BEGIN {
    gsub("_", " ", l); printf "| %s | %s | %.1f | %.1f | %.0f%% |\n", l, t, a, b, 100 * a / b }'
done
