#!/usr/bin/env bash
# A/B timing of two builds of MixQ.Bench in one session: runs "before" then "after" with the same arguments,
# ROUNDS times, printing the UTC time of each run. Run it under bench/quiet.sh (it uses /tmp/qdnx like quiet.sh CMDs).
# usage: alternate.sh ROUNDS BEFORE.dll AFTER.dll BENCH-ARGS...
#   e.g. bench/quiet.sh bench/alternate.sh 3 /tmp/base/bench/MixQ.Bench/bin/Release/net10.0/MixQ.Bench.dll \
#        bench/MixQ.Bench/bin/Release/net10.0/MixQ.Bench.dll hgq --models mlp,jetmlp,lenet5 --repeats 4
set -euo pipefail
rounds=$1 before=$2 after=$3
shift 3
dotnet=/tmp/qdnx
[ -x "$dotnet" ] || dotnet=dotnet
for i in $(seq 1 "$rounds"); do
  echo "== before, round $i, $(date -u +%H:%M:%S)"; "$dotnet" "$before" "$@"
  echo "== after, round $i, $(date -u +%H:%M:%S)"; "$dotnet" "$after" "$@"
done
echo "== end $(date -u +%H:%M:%S)"
