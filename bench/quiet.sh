#!/usr/bin/env bash
# For shared benchmark machines only: it SIGSTOPs every other process matching the pattern below (builds,
# trainings, simulators) for the duration of CMD, then SIGCONTs them. Never use it on a machine others rely on.
# usage: quiet.sh CMD...  — runs CMD while every other compute-heavy process is kept stopped (re-frozen every
# 0.3 s so new ones are caught too); resumes them afterwards. Use /tmp/qdnx and /tmp/qpy for dotnet/python in CMD.
pat='dotnet|csc|VBCSCompiler|python3|yosys|verilator|cc1plus|g\+\+|iverilog|vvp|make'
( while true; do pgrep -f "$pat" | grep -v "^$$\$" >> /tmp/frozen.all; kill -STOP $(pgrep -f "$pat") 2>/dev/null; sleep 0.3; done ) &
loop=$!
sleep 1
"$@"
kill $loop
kill -CONT $(sort -u /tmp/frozen.all) 2>/dev/null; rm -f /tmp/frozen.all
