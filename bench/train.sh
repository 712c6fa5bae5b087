#!/usr/bin/env bash
# Training throughput, MixQ vs PyTorch on CPU, same machine, same run, same thread count (2), batch 128,
# identical architectures and optimizer (SGD momentum 0.9, weight decay 5e-4). Prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${THREADS:-2}
dotnet build bench/MixQ.Bench -c Release -v quiet -nologo >/dev/null
out=$(mktemp)
for round in 1 2; do
  DOTNET_PROCESSOR_COUNT=$threads dotnet bench/MixQ.Bench/bin/Release/net10.0/MixQ.Bench.dll train >> "$out"
  OMP_NUM_THREADS=$threads /usr/bin/python3 bench/peers/train_torch.py --threads "$threads" >> "$out"
done
/usr/bin/python3 - "$out" <<'PY'
import json, sys, collections
best = collections.defaultdict(float)
for line in open(sys.argv[1]):
    r = json.loads(line)
    best[(r["model"], r["engine"])] = max(best[(r["model"], r["engine"])], r["samples_per_second"])
print("| model | MixQ samples/s | PyTorch samples/s | MixQ / PyTorch |")
print("|---|---:|---:|---:|")
for m in ["mlp", "lenet5", "cifarnet"]:
    a, b = best[(m, "mixq")], best[(m, "pytorch")]
    print(f"| {m} | {a:.0f} | {b:.0f} | {a / b:.2f}x |")
PY
rm -f "$out"
