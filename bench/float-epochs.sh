#!/usr/bin/env bash
# Float training speed of the CNNs on real data, per epoch, for each mixq build given, ROUNDS times in alternation:
# LeNet-5 on MNIST (3 epochs) and cifarnet on 6,400 CIFAR-10 images (2 epochs). Prints the Trainer's training
# samples/s of every epoch (evaluation excluded). For before/after comparisons of engine changes.
# usage: bench/float-epochs.sh ROUNDS MIXQ...   (CIFAR-10 from ../shared/data or $MIXQ_DATA)
set -euo pipefail
rounds=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
speeds() { grep -E '^epoch [0-9]+: train loss' | grep -oE '[0-9]+ samples/s' | cut -d' ' -f1 | paste -sd' '; }
for round in $(seq 1 "$rounds"); do
  for mixq in "$@"; do
    lenet=$("$mixq" train --model lenet5 --data mnist --epochs 3 --seed 0 --limit-test 1000 --out "$work/lenet5" 2>/dev/null | speeds)
    cifar=$("$mixq" train --model cifarnet --data cifar10 --epochs 2 --limit-train 6400 --limit-test 500 --seed 0 \
      --out "$work/cifarnet" 2>/dev/null | speeds)
    echo "$(date -u +%H:%M:%S) round $round $mixq lenet5 [$lenet] cifarnet [$cifar]"
  done
done
