#!/usr/bin/env bash
# One command on a fresh machine: install what is missing, build, and run the main job
# (train LeNet-5 on MNIST and print its test accuracy).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
dotnet build MixQ.slnx -c Release -v quiet -nologo
dotnet src/MixQ.Cli/bin/Release/net10.0/mixq.dll train --model lenet5 --data mnist --epochs 8 --out runs/lenet5-mnist
