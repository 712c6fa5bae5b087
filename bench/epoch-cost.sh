#!/usr/bin/env bash
# The training cost of quantization on real data (issue 4 for HGQ, issue 3 for the row-wise methods): EPOCHS MNIST
# training epochs of the float model (`mixq train`), then EPOCHS quantization-aware epochs from that checkpoint
# (`mixq quantize --method $METHOD`, default hgq), for each model and each mixq build given, ROUNDS times in
# alternation. Prints every epoch's training samples/s (the Trainer's figure: evaluation and calibration excluded) and
# how many times longer a quantization-aware epoch takes than a float epoch: for the first epoch (which also pays
# for compiling the code and first touches of memory) and, with EPOCHS >= 2, for the later ones (the steady state a
# multi-epoch run spends most of its time in).
# usage: [METHOD=rmsmp] [EPOCHS=3] bench/epoch-cost.sh ROUNDS MODELS MIXQ...
#   e.g. EPOCHS=3 bench/epoch-cost.sh 3 mlp,jetmlp,lenet5 /tmp/before/mixq /tmp/after/mixq
set -euo pipefail
rounds=$1 models=$2 method=${METHOD:-hgq} epochs=${EPOCHS:-1}
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Each epoch's "N samples/s" from the training log, one per line.
speeds() { grep -E '^epoch [0-9]+: train loss' | grep -oE '[0-9]+ samples/s' | cut -d' ' -f1; }
for round in $(seq 1 "$rounds"); do
  for model in ${models//,/ }; do
    for mixq in "$@"; do
      out="$work/$model"
      rm -rf "$out"
      float=$("$mixq" train --model "$model" --data mnist --epochs "$epochs" --batch-size 128 --seed 0 --limit-test 1000 \
        --out "$out/float" 2>/dev/null | speeds | paste -sd' ')
      quantized=$("$mixq" quantize --method "$method" --checkpoint "$out/float/checkpoint.safetensors" --data mnist \
        --epochs "$epochs" --seed 0 --limit-test 1000 --out "$out/quantized" 2>/dev/null | speeds | paste -sd' ')
      awk -v t="$(date -u +%H:%M:%S)" -v r="$round" -v m="$model" -v b="$mixq" -v q="$method" -v f="$float" -v h="$quantized" 'BEGIN {
        nf = split(f, fs, " "); nh = split(h, hs, " ")
        if (nf < 1 || nf != nh) { printf "%s round %d %s %s: could not read the epoch speeds (float: %s; %s: %s)\n", t, r, m, b, f, q, h; exit 1 }
        line = sprintf("%s round %d %-7s %s float %s | %s %s samples/s | %s epoch / float epoch: first %.2fx", t, r, m, b, f, q, h, q, fs[1] / hs[1])
        if (nf > 1) { sf = 0; sh = 0; for (i = 2; i <= nf; i++) { sf += 1 / fs[i]; sh += 1 / hs[i] }; line = line sprintf(", later %.2fx", sh / sf) }
        print line }'
    done
  done
done
