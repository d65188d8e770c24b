#!/usr/bin/env bash
# A simulated campaign on PostgreSQL while the database stops for a while in the middle: the campaign must finish with
# the masks an undisturbed run gives (export mIoU equal to `eval --protocol rounds` with the same settings), every
# instance done and every count right.
#
#   benchmarks/outage-campaign.sh [OUT.json]
#
# STOP_AFTER (default 40) seconds after the campaign starts, PostgreSQL stops for OUTAGE (default 10) seconds. The
# campaign: the reference model, every EVERY-th DAVIS object (default 3), 16 annotators, 3 rounds of up to 4 clicks, seed 1.
# Needs a Release build and the DAVIS images beside the repository.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
PG_FSYNC=off
source "$repo/deploy/private-postgres.sh"
source "$repo/benchmarks/benchmark-gateway.sh"
out=${1:-benchmarks/outage-campaign.json}
stop_after=${STOP_AFTER:-40}
outage=${OUTAGE:-10}
every=${EVERY:-3}
data=$(cd "$repo/../shared/datasets/davis345" && pwd)
work=$(mktemp -d -t annotation-outage-XXXXXX)
port=$((20000 + RANDOM % 20000))
api="http://127.0.0.1:$port"
password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
gateway_pid=""

cleanup() {
  [[ -n "$gateway_pid" ]] && kill "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null || true
  pg_stop "$work"
  rm -rf "$work"
}
trap cleanup EXIT

pg_start "$work" $((port + 1))
gateway_start "$repo" "$work" "$api" "$password" "$data/img" --storage postgres --connection "$pg_connection"
token=$(admin_token "$api" "$password" outage)

settings=(--images "$data/img" --masks "$data/gt" --every "$every" --rounds 3 --clicks 4 --seed 1)
(
  sleep "$stop_after"
  echo "stopping PostgreSQL for $outage s" >&2
  pg_stop "$work"
  sleep "$outage"
  pg_resume "$work" $((port + 1))
  echo "PostgreSQL is back" >&2
) &
outage_pid=$!
dotnet "$repo/Simulator/bin/Release/net10.0/Simulator.dll" campaign --api "$api" --token "$token" --annotators 16 \
  "${settings[@]}" --model reference --campaign outage --out "$out" >&2
wait "$outage_pid"
unhealthy=$(grep -c "storage_unavailable\|StorageUnavailable" "$work/gateway.log" || true)
progress=$(curl -fs -H "Authorization: Bearer $token" "$api/api/v1/campaigns/outage/progress")
# The server's reference model is the two crop-contract models it generated into its data folder.
models="$work/data/models"
dotnet "$repo/Simulator/bin/Release/net10.0/Simulator.dll" eval "${settings[@]}" --model crop --mb "$models/reference-box.onnx" \
  --mbc "$models/reference-box-clicks.onnx" --protocol rounds --out "$work/eval.json" >&2
echo "gateway log lines about storage failures: $unhealthy" >&2
echo "progress after the campaign: $progress"
echo "campaign export mIoU: $(grep -o '"export_miou":[^,]*' "$out")"
echo "eval mIoU per round: $(tr -d ' \n' < "$work/eval.json" | grep -o '"miou_per_round":\[[^]]*\]')"
cp "$work/eval.json" "${out%.json}-eval.json"
