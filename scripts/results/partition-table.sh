#!/usr/bin/env bash
# The partition-ratio table of docs/RESULTS.md ("Hardware: partition ratio"): mixq partition for the MSQ mix
# (SP2-4 / Fixed-4) and the RMSMP mix (SP2-4 / Fixed-4 / Fixed-8 pinned at 5%) on XC7Z020 and XC7Z045, for lenet5,
# cifarnet, resnet20 and ResNet-18 (ImageNet shapes). Prints a markdown table.
#   usage: scripts/results/partition-table.sh [CAP]
set -euo pipefail
cd "$(dirname "$0")/../.."
cap=${1:-0.8}
mixq="dotnet ${MIXQ_BIN:-src/MixQ.Cli/bin/Release/net10.0}/mixq.dll"
echo "| device | model | mix | ratio (--ratio) | LUT lanes | DSP | LUT used | frames/s | DSP-only packed fps | speedup | speedup vs 1 product/DSP |"
echo "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
for device in XC7Z020 XC7Z045; do
  for model in lenet5 cifarnet resnet20 resnet18; do
    for mix in "sp2-4,fixed-4" "sp2-4,fixed-4,fixed-8:5"; do
      line=$($mixq partition --device "$device" --model "$model" --mix "$mix" --cap "$cap" --json | tail -n 1)
      /usr/bin/python3 - "$device" "$model" "$mix" "$line" <<'PY'
import json, sys
device, model, mix, r = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
d, b = r["design"], r["baseline"]
print(f"| {device} | {model} | {mix} | `{r['ratio']}` | {d['lut_lanes']:,} | {d['dsp_slices']:,} | {d['luts']:,.0f} | "
      f"{d['frames_per_second']:,.1f} | {b['frames_per_second']:,.1f} | **{r['speedup']:.2f}x** | {r['speedup_over_unpacked']:.2f}x |")
PY
    done
  done
done
