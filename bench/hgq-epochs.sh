#!/usr/bin/env bash
# Issue 4's training cost on real data: one MNIST training epoch of the float model (`mixq train`), then one HGQ epoch
# from that checkpoint (`mixq quantize --method hgq`), for each model and each mixq build given, ROUNDS times in
# alternation; prints each build's training samples/s (the Trainer's figure: evaluation and calibration excluded) and
# the float / HGQ ratio, i.e. how many times longer an HGQ epoch takes.
# usage: bench/hgq-epochs.sh ROUNDS MODELS MIXQ...   e.g. bench/hgq-epochs.sh 3 mlp,jetmlp,lenet5 /tmp/before/mixq /tmp/after/mixq
set -euo pipefail
rounds=$1 models=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
speed() { tail -1 | grep -oE '"samples_per_second":[0-9.]+' | cut -d: -f2; }
for round in $(seq 1 "$rounds"); do
  for model in ${models//,/ }; do
    for mixq in "$@"; do
      out="$work/$model"
      rm -rf "$out"
      float=$("$mixq" train --model "$model" --data mnist --epochs 1 --batch-size 128 --seed 0 --out "$out/float" --json | speed)
      hgq=$("$mixq" quantize --method hgq --checkpoint "$out/float/checkpoint.safetensors" --data mnist --epochs 1 --seed 0 \
        --limit-test 1000 --out "$out/hgq" --json | speed)
      awk -v t="$(date -u +%H:%M:%S)" -v r="$round" -v m="$model" -v b="$mixq" -v f="$float" -v h="$hgq" 'BEGIN {
        printf "%s round %d %-7s %s float %.0f hgq %.0f samples/s  HGQ epoch / float epoch %.2fx\n", t, r, m, b, f, h, f / h }'
    done
  done
done
