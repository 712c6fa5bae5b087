#!/usr/bin/env bash
# Training throughput, MixQ vs PyTorch on CPU, same machine, same run, same thread count (2), batch 128,
# identical architectures and optimizer (SGD momentum 0.9, weight decay 5e-4). Alternates the two engines for
# ROUNDS rounds (default 3) and keeps each side's best; prints a markdown table with wall-clock samples/s and
# samples per CPU-second (robust to other jobs sharing the machine). DOTNET and PYTHON override the two
# interpreters; NO_BUILD=1 skips the build. INFERENCE=1 measures evaluation instead (eval mode, no gradients, loss
# and hits per batch, batch 256 as MixQ's Trainer evaluates).
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${THREADS:-2}
dotnet=${DOTNET:-dotnet} python=${PYTHON:-/usr/bin/python3}
[[ -n "${NO_BUILD:-}" ]] || dotnet build bench/MixQ.Bench -c Release -v quiet -nologo >/dev/null
out=$(mktemp)
rounds=${ROUNDS:-3}
mode=()
[[ -z "${INFERENCE:-}" ]] || mode=(--inference --batch 256)
for round in $(seq "$rounds"); do
  DOTNET_PROCESSOR_COUNT=$threads $dotnet bench/MixQ.Bench/bin/Release/net10.0/MixQ.Bench.dll train "${mode[@]}" >> "$out"
  OMP_NUM_THREADS=$threads $python bench/peers/train_torch.py --threads "$threads" "${mode[@]}" >> "$out"
done
$python - "$out" <<'PY'
import json, sys, collections
best = collections.defaultdict(float)
best_cpu = collections.defaultdict(float)
for line in open(sys.argv[1]):
    r = json.loads(line)
    key = (r["model"], r["engine"])
    best[key] = max(best[key], r["samples_per_second"])
    best_cpu[key] = max(best_cpu[key], r["samples_per_cpu_second"])
print("| model | MixQ samples/s | PyTorch samples/s | MixQ / PyTorch | MixQ samples/CPU-s | PyTorch samples/CPU-s | MixQ / PyTorch (CPU) |")
print("|---|---:|---:|---:|---:|---:|---:|")
for m in ["mlp", "lenet5", "cifarnet"]:
    a, b = best[(m, "mixq")], best[(m, "pytorch")]
    c, d = best_cpu[(m, "mixq")], best_cpu[(m, "pytorch")]
    print(f"| {m} | {a:.0f} | {b:.0f} | {a / b:.2f}x | {c:.0f} | {d:.0f} | {c / d:.2f}x |")
PY
rm -f "$out"
