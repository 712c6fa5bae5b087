#!/usr/bin/env bash
# The training cost of quantization on real data (issue 4 for HGQ, issue 3 for the row-wise methods): one MNIST
# training epoch of the float model (`mixq train`), then one quantization-aware epoch from that checkpoint
# (`mixq quantize --method $METHOD`, default hgq), for each model and each mixq build given, ROUNDS times in
# alternation; prints each build's training samples/s (the Trainer's figure: evaluation and calibration excluded) and
# the float / quantized ratio, i.e. how many times longer a quantization-aware epoch takes.
# usage: [METHOD=rmsmp] bench/epoch-cost.sh ROUNDS MODELS MIXQ...
#   e.g. bench/epoch-cost.sh 3 mlp,jetmlp,lenet5 /tmp/before/mixq /tmp/after/mixq
set -euo pipefail
rounds=$1 models=$2 method=${METHOD:-hgq}
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
speed() { tail -1 | grep -oE '"samples_per_second":[0-9.]+' | cut -d: -f2; }
for round in $(seq 1 "$rounds"); do
  for model in ${models//,/ }; do
    for mixq in "$@"; do
      out="$work/$model"
      rm -rf "$out"
      float=$("$mixq" train --model "$model" --data mnist --epochs 1 --batch-size 128 --seed 0 --out "$out/float" --json 2>/dev/null | speed)
      quantized=$("$mixq" quantize --method "$method" --checkpoint "$out/float/checkpoint.safetensors" --data mnist --epochs 1 --seed 0 \
        --limit-test 1000 --out "$out/quantized" --json 2>/dev/null | speed)
      awk -v t="$(date -u +%H:%M:%S)" -v r="$round" -v m="$model" -v b="$mixq" -v q="$method" -v f="$float" -v h="$quantized" 'BEGIN {
        printf "%s round %d %-7s %s float %.0f %s %.0f samples/s  %s epoch / float epoch %.2fx\n", t, r, m, b, f, q, h, q, f / h }'
    done
  done
done
