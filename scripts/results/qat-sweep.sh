#!/usr/bin/env bash
# Quantization-aware fine-tuning sweep behind docs/RESULTS.md: every method, and the row-assignment ablation, from
# one float checkpoint. Prints a markdown table (method, mix, rule, accuracy, average weight bits, seconds).
#   usage: scripts/results/qat-sweep.sh FLOAT_CHECKPOINT DATA EPOCHS OUT_DIR
#   RUNS="fixed rmsmp ..." limits the sweep to the named rows (default: all); EXTRA="..." adds mixq quantize
#   options to every run (e.g. EXTRA="--limit-train 20000" for a shorter fine-tuning epoch).
set -euo pipefail
cd "$(dirname "$0")/../.."
ckpt=$1 data=$2 epochs=$3 out=$4
mixq="dotnet ${MIXQ_BIN:-src/MixQ.Cli/bin/Release/net10.0}/mixq.dll"
mkdir -p "$out"
runs=(
  "fixed|--method fixed --wbits 4"
  "pot|--method pot --wbits 4"
  "sp2|--method sp2 --wbits 4"
  "msq-50|--method msq --ratio sp2-4:50,fixed-4:50"
  "msq-70|--method msq --ratio sp2-4:70,fixed-4:30"
  "rmsmp|--method rmsmp --ratio sp2-4:60,fixed-4:35,fixed-8:5"
  "ilmpq|--method ilmpq --ratio fixed-4:95,fixed-8:5"
  "rmsmp-error|--method rmsmp --ratio sp2-4:60,fixed-4:35,fixed-8:5 --rule error"
  "rmsmp-kurtosis|--method rmsmp --ratio sp2-4:60,fixed-4:35,fixed-8:5 --rule kurtosis"
  "rmsmp-random|--method rmsmp --ratio sp2-4:60,fixed-4:35,fixed-8:5 --rule random"
)
echo "| run | method | mix | rule | float acc | calibrated acc | QAT acc | avg weight bits | seconds |"
echo "|---|---|---|---|---:|---:|---:|---:|---:|"
for r in "${runs[@]}"; do
  name=${r%%|*} args=${r#*|}
  [[ -z "${RUNS:-}" || " $RUNS " == *" $name "* ]] || continue
  if ! $mixq quantize --checkpoint "$ckpt" --data "$data" $args --abits 4 --epochs "$epochs" ${EXTRA:-} --out "$out/$name" --json \
    > "$out/$name.log" 2>&1; then
    echo "| $name | failed: $(tail -n 1 "$out/$name.log") |"; continue   # one failed run does not end the sweep
  fi
  /usr/bin/python3 - "$name" "$out/$name.log" <<'PY'
import json, sys
r = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
print(f"| {sys.argv[1]} | {r['method']} | {r['mix']} | {r['rule']} | {r['float_accuracy']:.2%} | {r['calibrated_accuracy']:.2%} | "
      f"**{r['test_accuracy']:.2%}** | {r['average_weight_bits']:.3f} | {r['seconds']:.0f} |")
PY
done
