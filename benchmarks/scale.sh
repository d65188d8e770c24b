#!/usr/bin/env bash
# A campaign of ROWS synthetic boxes on one box, end to end through the HTTP API, with the box model:
# import (time, rows/s), round 0 for all, next+submit latencies of 16 annotators, the streamed COCO export,
# the gateway's peak resident memory at each stage and the database's size.
#
#   benchmarks/scale.sh ROWS postgres|sqlite [OUT.json]
#
# ROUNDS (default 3) and ANSWERS (default 10000) in the environment set the campaign's rounds and how many
# answers the annotators give; with more than one round every answered instance stays in progress, which is
# what the resident memory after the answers measures.
#
# PostgreSQL runs as the tests run it: a private cluster in a temporary folder on loopback (fsync off).
# Needs a Release build (dotnet build Actors.sln -c Release) and the DAVIS images beside the repository.
set -euo pipefail
rows=${1:?usage: benchmarks/scale.sh ROWS postgres|sqlite [OUT.json]}
storage=${2:?usage: benchmarks/scale.sh ROWS postgres|sqlite [OUT.json]}
out=${3:-benchmarks/scale-$storage-$rows.json}
rounds=${ROUNDS:-3}
answers=${ANSWERS:-10000}
repo=$(cd "$(dirname "$0")/.." && pwd)
PG_FSYNC=off
source "$repo/deploy/private-postgres.sh"
source "$repo/benchmarks/benchmark-gateway.sh"
images=$(cd "$repo/../shared/datasets/davis345/img" && pwd)
work=$(mktemp -d -t annotation-scale-XXXXXX)
port=$((20000 + RANDOM % 20000))
api="http://127.0.0.1:$port"
password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
gateway_pid=""
pg_data=""

cleanup() {
  [[ -n "$gateway_pid" ]] && kill "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null || true
  if [[ -n "$pg_data" ]]; then pg_stop "$pg_data"; fi
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { printf '%.3f' "$(echo "$(now) - $1" | bc -l)"; }
num() { printf '%.1f' "$(echo "$1" | bc -l)"; }
peak_kib() { awk '/VmHWM/ {print $2}' "/proc/$gateway_pid/status"; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$gateway_pid/status"; }

storage_args=()
if [[ "$storage" == postgres ]]; then
  pg_data="$work"
  pg_port=$((port + 1))
  pg_start "$work" "$pg_port"
  storage_args=(--storage postgres --connection "$pg_connection")
elif [[ "$storage" != sqlite ]]; then
  echo "storage must be postgres or sqlite" >&2; exit 2
fi

csv="$work/boxes.csv"
"$repo/scripts/synthetic-openimages-boxes.sh" "$rows" "$csv"

gateway_start "$repo" "$work" "$api" "$password" "$images" --Import:MaxBytes 4294967296 "${storage_args[@]}"
idle_kib=$(rss_kib)

token=$(admin_token "$api" "$password" scale)
auth=(-H "Authorization: Bearer $token")
curl -fs "${auth[@]}" -H 'Content-Type: application/json' \
  -d "{\"id\":\"scale\",\"imageRoot\":\"$images\",\"rounds\":$rounds,\"maxClicksPerRound\":4,\"model\":\"box\",\"shards\":16,\"leaseSeconds\":600}" \
  "$api/api/v1/campaigns" >/dev/null

echo "importing $rows rows ($storage)" >&2
t0=$(now)
import=$(curl -fsS "${auth[@]}" -H 'Content-Type: text/csv' --data-binary "@$csv" "$api/api/v1/campaigns/scale/imports?format=openimages&onError=skip")
import_s=$(since "$t0")
import_peak_kib=$(peak_kib)
created=$(echo "$import" | sed -E 's/.*"imported":([0-9]+).*/\1/')
echo "imported $created in $import_s s" >&2

echo "round 0 for all" >&2
t0=$(now)
while true; do
  progress=$(curl -fs "${auth[@]}" "$api/api/v1/campaigns/scale/progress")
  pending=$(echo "$progress" | sed -E 's/.*"pending":([0-9]+).*/\1/')
  waiting=$(echo "$progress" | sed -E 's/.*"rounds":\[\{"round":1,"waiting":([0-9]+).*/\1/')
  [[ "$waiting" == "$created" ]] && break
  sleep 2
done
round0_s=$(since "$t0")
round0_peak_kib=$(peak_kib)
after_round0_kib=$(rss_kib)
echo "round 0 done in $round0_s s" >&2

curl -fs "${auth[@]}" -X POST "$api/api/v1/campaigns/scale/start" >/dev/null
dotnet "$repo/Simulator/bin/Release/net10.0/Simulator.dll" queue-bench --server "$api/" --campaign scale --token "$token" \
  --annotators 16 --answers "$answers" --out "$work/queue.json" >&2
queue_peak_kib=$(peak_kib)
sleep 5
after_answers_kib=$(rss_kib)

echo "export" >&2
t0=$(now)
curl -fsS "${auth[@]}" -o "$work/export.json" "$api/api/v1/campaigns/scale/export?format=coco"
export_s=$(since "$t0")
export_bytes=$(stat -c %s "$work/export.json")
export_peak_kib=$(peak_kib)

if [[ "$storage" == postgres ]]; then
  db_bytes=$(psql -h 127.0.0.1 -p "$pg_port" -U postgres -d annotation -Atc "SELECT pg_database_size('annotation')")
else
  db_bytes=$(du -cb "$work/data"/annotation.db* | tail -1 | cut -f1)
fi

mkdir -p "$(dirname "$out")"
cat > "$out" <<JSON
{
  "rows": $rows, "storage": "$storage", "created": $created, "rounds": $rounds, "answers": $answers,
  "import_seconds": $import_s, "import_rows_per_second": $(num "$created / $import_s"),
  "round0_seconds": $round0_s,
  "rss_idle_mib": $(num "$idle_kib / 1024"),
  "rss_after_round0_mib": $(num "$after_round0_kib / 1024"),
  "peak_rss_import_mib": $(num "$import_peak_kib / 1024"),
  "peak_rss_round0_mib": $(num "$round0_peak_kib / 1024"),
  "peak_rss_queue_mib": $(num "$queue_peak_kib / 1024"),
  "rss_after_answers_mib": $(num "$after_answers_kib / 1024"),
  "peak_rss_export_mib": $(num "$export_peak_kib / 1024"),
  "export_seconds": $export_s, "export_bytes": $export_bytes,
  "database_bytes": $db_bytes,
  "queue": $(cat "$work/queue.json")
}
JSON
echo "wrote $out" >&2
cat "$out"
