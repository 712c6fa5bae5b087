#!/usr/bin/env bash
# Deliberately rewrites the golden design files of tests/MixQ.Codegen.Tests/Golden from the current generators.
# Review `git diff tests/MixQ.Codegen.Tests/Golden` afterwards: every change there is a change of generated hardware.
set -euo pipefail
cd "$(dirname "$0")/.."
MIXQ_REGENERATE_GOLDEN=1 dotnet test tests/MixQ.Codegen.Tests -c Release --filter "FullyQualifiedName~GoldenDesignTests.GeneratedFilesMatchTheGoldenFiles"
git status --short tests/MixQ.Codegen.Tests/Golden
