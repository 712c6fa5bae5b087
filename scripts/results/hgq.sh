#!/usr/bin/env bash
# HGQ Pareto fronts against uniform fixed-point QAT (docs/RESULTS.md, section HGQ).
# Usage: scripts/results/hgq.sh [MIXQ_DLL] [MODELS...]   MODELS from: mlp-mnist jetmlp-mnist mlp-fashion lenet5-mnist
# Budgets (environment): HGQ_EPOCHS (12), HGQ_EPOCHS_LENET (4), BASE_EPOCHS (2), BETA (log:1e-7:1e-4), BITS ("2 3 4 5 6 7 8"),
# STAGES ("hgq base": the HGQ run and the uniform baselines; "report" alone only prints the table).
# TARGET=N: the HGQ run steers EBOPs toward N (--target-ebops) instead of following BETA; it is stored as
# <model>-hgq-target<N> (JSON) and runs/hgq/<model>-target<N>, and the table compares the uniform models with it.
# Needs float checkpoints in runs/float/<model>-<data>/checkpoint.safetensors (the train commands are below).
# Every run's JSON summary goes to runs/hgq-results/; the table is printed at the end (needs jq).
#
# The runs reported in docs/RESULTS.md (MIXQ_DLL "" = the default build):
#   HGQ_EPOCHS=12 STAGES=hgq                                   scripts/results/hgq.sh "" mlp-mnist
#   BASE_EPOCHS=1 BITS="2 3 4 5 6 8" STAGES=base               scripts/results/hgq.sh "" mlp-mnist
#   HGQ_EPOCHS=8 BASE_EPOCHS=1 BITS="2 3 4 5 6 8"              scripts/results/hgq.sh "" jetmlp-mnist
#   HGQ_EPOCHS=10 BETA=log:1e-7:1e-5 STAGES=hgq                scripts/results/hgq.sh "" mlp-fashion
#   BASE_EPOCHS=1 BITS="2 3 4 6 8" STAGES=base                 scripts/results/hgq.sh "" mlp-fashion
#   HGQ_EPOCHS_LENET=6 BETA=log:1e-7:5e-6 STAGES=hgq           scripts/results/hgq.sh "" lenet5-mnist
#   BITS="2 4 6 8" STAGES=base                                 scripts/results/hgq.sh "" lenet5-mnist
#   BITS="2 3 4 5 6 8" STAGES=report scripts/results/hgq.sh "" mlp-mnist jetmlp-mnist   (prints the tables)
#   Targeted runs for the rows the ramp runs missed (docs/RESULTS.md, "Targeted runs"):
#   HGQ_EPOCHS=24 TARGET=800000 BITS="2 3 4 5 6 8" STAGES=hgq scripts/results/hgq.sh "" jetmlp-mnist
#   HGQ_EPOCHS=16 TARGET=3000000 BITS="2 3 4 6 8" STAGES=hgq scripts/results/hgq.sh "" mlp-fashion
set -euo pipefail
cd "${MIXQ_ROOT:-$(dirname "$0")/../..}"
MIXQ=${1:-}
[ -n "$MIXQ" ] || MIXQ=src/MixQ.Cli/bin/Release/net10.0/mixq.dll
shift || true
MODELS=${*:-mlp-mnist jetmlp-mnist mlp-fashion lenet5-mnist}
OUT=runs/hgq-results
mkdir -p "$OUT"

run() { # name, then mixq arguments; keeps the last (JSON) line
  local name=$1; shift
  echo "== $name: mixq $*" >&2
  dotnet "$MIXQ" "$@" --json | tail -n 1 > "$OUT/$name.json"
}

for m in $MODELS; do
  model=${m%%-*}; data=${m#*-}
  [ "$data" = fashion ] && data=fashion-mnist
  ckpt=runs/float/$m/checkpoint.safetensors
  if [ ! -f "$ckpt" ]; then
    case $m in
      mlp-mnist) epochs=8 ;; jetmlp-mnist) epochs=8 ;; mlp-fashion) epochs=10 ;; lenet5-mnist) epochs=4 ;;
    esac
    dotnet "$MIXQ" train --model "$model" --data "$data" --epochs "$epochs" --out "runs/float/$m" --json | tail -n 1 > "$OUT/$m-float.json"
  fi
  hgq_epochs=${HGQ_EPOCHS:-12}; base_epochs=${BASE_EPOCHS:-2}
  [ "$model" = lenet5 ] && { hgq_epochs=${HGQ_EPOCHS_LENET:-4}; base_epochs=1; }
  case " ${STAGES:-hgq base} " in *" hgq "*)
  if [ -n "${TARGET:-}" ]; then
    run "$m-hgq-target$TARGET" quantize --method hgq --checkpoint "$ckpt" --data "$data" --epochs $hgq_epochs \
        --target-ebops "$TARGET" --out "runs/hgq/$m-target$TARGET"
  else
    run "$m-hgq" quantize --method hgq --checkpoint "$ckpt" --data "$data" --epochs $hgq_epochs \
        --beta-schedule "${BETA:-log:1e-7:1e-4}" --out "runs/hgq/$m"
  fi ;;
  esac
  case " ${STAGES:-hgq base} " in *" base "*) ;; *) continue ;; esac
  for b in ${BITS:-2 3 4 5 6 7 8}; do
    run "$m-fixed$b" quantize --method fixed --wbits $b --abits $b --first-last mix --checkpoint "$ckpt" --data "$data" \
        --epochs $base_epochs --out "runs/hgq-baseline/$m-fixed$b"
  done
done

# Uniform models' EBOPs: every multiplication costs input bits x weight bits. "as run": the first layer's input at
# 8 bits (mixq quantize keeps it there) and B bits elsewhere; "all B": every input at B bits, a lower bound.
# "HGQ at >= accuracy": the cheapest Pareto point at least as accurate as the uniform model, and the EBOPs ratio.
for m in $MODELS; do
  hgq=$OUT/$m-hgq${TARGET:+-target$TARGET}.json
  echo "## $m (HGQ run: $hgq)"
  [ -s "$hgq" ] || continue
  jq -r '"HGQ pareto: " + ([.pareto[] | "\(.test_accuracy) @ \(.ebops)"] | join(", ")) + " | final integer mismatches: \(.integer_mismatches)"' "$hgq"
  echo "| uniform | accuracy | EBOPs (as run) | EBOPs (all B) | cheapest HGQ point at >= accuracy | EBOPs ratio (as run / all B) |"
  echo "|---|---:|---:|---:|---:|---:|"
  for b in ${BITS:-2 3 4 5 6 7 8}; do
    [ -s "$OUT/$m-fixed$b.json" ] || continue
    jq -r --arg b "$b" --slurpfile hgq "$hgq" '
      ($hgq[0].layers | map(.multiplications)) as $macs |
      ($b | tonumber) as $bits |
      ([range(0; $macs | length)] | map($macs[.] * (if . == 0 then 8 else $bits end) * $bits) | add) as $asrun |
      (($macs | add) * $bits * $bits) as $allb |
      .test_accuracy as $acc |
      ([$hgq[0].pareto[] | select(.test_accuracy >= $acc)] | min_by(.ebops)) as $best |
      "| W\($bits)A\($bits) | \($acc) | \($asrun) | \($allb) | " +
      (if $best == null then "none | - |"
       else "\($best.test_accuracy) @ \($best.ebops) | \(($asrun / $best.ebops * 100 | round) / 100)x / \(($allb / $best.ebops * 100 | round) / 100)x |" end)' "$OUT/$m-fixed$b.json"
  done
done
