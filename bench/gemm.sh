#!/usr/bin/env bash
# MixQ SGEMM vs OpenBLAS (numpy), same shapes, transposes and thread counts, in one run.
# Usage: bash bench/gemm.sh [--threads N] [--filter TEXT]   (threads default 2; per-sample conv shapes use 1)
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2
filter=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --filter) filter=(--filter "$2"); shift 2 ;;
    *) echo "usage: bash bench/gemm.sh [--threads N] [--filter TEXT]" >&2; exit 2 ;;
  esac
done

# numpy linked against OpenBLAS: prefer the system python3 (Debian's python3-numpy uses libopenblas).
python=python3
for candidate in /usr/bin/python3 python3; do
  if "$candidate" -c "import numpy" 2>/dev/null; then python="$candidate"; break; fi
done

dotnet build bench/MixQ.Bench -c Release -v quiet -nologo >/dev/null
bench=(dotnet bench/MixQ.Bench/bin/Release/net10.0/MixQ.Bench.dll gemm --threads "$threads" "${filter[@]}")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"${bench[@]}" --list > "$work/shapes"
"${bench[@]}" | grep 'GFLOP/s' > "$work/mixq"
{
  OPENBLAS_NUM_THREADS="$threads" "$python" bench/peers/gemm_numpy.py < "$work/shapes"
  if [[ "$threads" != 1 ]]; then OPENBLAS_NUM_THREADS=1 "$python" bench/peers/gemm_numpy.py < "$work/shapes"; fi
} > "$work/openblas"

echo "| shape (m x k x n, op) | threads | MixQ GFLOP/s | OpenBLAS GFLOP/s | MixQ / OpenBLAS |"
echo "|---|---:|---:|---:|---:|"
awk '
  FNR == NR { split($2, t, "="); peer[$1] = $3; next }
  {
    split($2, t, "=");
    label = $1; gsub("_", " ", label);
    ratio = ($1 in peer && peer[$1] > 0) ? sprintf("%.0f%%", 100 * $3 / peer[$1]) : "n/a";
    printf "| %s | %s | %.1f | %s | %s |\n", label, t[2], $3, ($1 in peer) ? peer[$1] : "n/a", ratio
  }' "$work/openblas" "$work/mixq"
