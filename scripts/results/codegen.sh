#!/usr/bin/env bash
# Hardware results for docs/RESULTS.md ("Hardware: generated designs"): for each quantized MNIST checkpoint
# runs/<model>-<method>/quantized.safetensors (mixq train + mixq quantize, see docs/RESULTS.md), generates the design
# of each architecture, simulates all 1,000 test vectors with Verilator (cycles per inference without stalls),
# runs the HLS C++ testbench, and synthesizes with yosys. Results: runs/codegen/<model>-<method>-<arch>/{sim.txt,hls.txt,synth.json}.
#   usage: scripts/results/codegen.sh [mixq binary] [archs] [models] [methods]
set -uo pipefail
cd "$(dirname "$0")/../.."
mixq=${1:-src/MixQ.Cli/bin/Release/net10.0/mixq}
archs=${2:-"gemm unrolled"}
models=${3:-"mlp lenet5"}
methods=${4:-"fixed sp2 msq rmsmp"}
for arch in $archs; do
  for model in $models; do
    for method in $methods; do
      ckpt=runs/$model-$method/quantized.safetensors
      [[ -f $ckpt ]] || { echo "skip $model-$method: no $ckpt"; continue; }
      dir=runs/codegen/$model-$method-$arch
      echo "== $dir"
      [[ -f $dir/design.json ]] || nice "$mixq" generate --checkpoint "$ckpt" --arch "$arch" --out "$dir" --data mnist --vectors 1000 || continue
      if [[ ! -s $dir/sim.txt ]]; then
        start=$(date +%s)
        (cd "$dir/sim" && nice sh run_verilator.sh > build.log 2>&1; tail -1 build.log) > "$dir/sim.txt"
        echo "seconds $(( $(date +%s) - start ))" >> "$dir/sim.txt"
      fi
      cat "$dir/sim.txt"
      if [[ ! -s $dir/hls.txt ]]; then
        (cd "$dir/hls" && nice g++ -std=c++17 -O1 -o tb_hls tb_hls.cpp && ./tb_hls ../vectors) > "$dir/hls.txt" 2>&1
      fi
      cat "$dir/hls.txt"
      if [[ ! -s $dir/synth.json && "${SKIP_SYNTH:-0}" != 1 ]]; then
        start=$(date +%s)
        nice "$mixq" synth --design "$dir" --family xc7 --json > "$dir/synth.txt" 2>&1 && tail -1 "$dir/synth.txt" > "$dir/synth.json"
        echo "synth seconds $(( $(date +%s) - start ))" >> "$dir/synth.txt"
      fi
      [[ -s $dir/synth.json ]] && head -c 400 "$dir/synth.json" && echo
    done
  done
done
