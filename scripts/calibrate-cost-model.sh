#!/usr/bin/env bash
# Regenerates the cost model's calibration table: writes every calibration block as Verilog (kept in
# runs/calibration-verilog/ for inspection), synthesizes each with yosys (synth_xilinx -family xc7, -nodsp unless
# the block is meant for DSP slices) and writes src/MixQ.Hardware/Cost/calibration.json. Takes ~10-20 minutes on
# 2 cores. Afterwards rebuild and run the Hardware tests: they check the fitted model against the new table.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v yosys >/dev/null || { echo "calibrate-cost-model: yosys is required (apt-get install -y yosys)" >&2; exit 1; }
dotnet build src/MixQ.Cli -c Release -v quiet -nologo
# Run from a private copy of the build so that a rebuild meanwhile cannot pull files from under it.
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
cp -r src/MixQ.Cli/bin/Release/net10.0/. "$bin"
dotnet "$bin/mixq.dll" calibrate --out src/MixQ.Hardware/Cost/calibration.json --verilog runs/calibration-verilog --family "${FAMILY:-xc7}"
