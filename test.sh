#!/usr/bin/env bash
# Runs the whole test suite after installing what it needs. Extra arguments go to 'dotnet test'.
set -uo pipefail
cd "$(dirname "$0")"
scripts/setup.sh || exit 1

log=$(mktemp)
dotnet test Actors.sln -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One closing line over all test assemblies.
awk '/(Passed|Failed)! +- +Failed:/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
