#!/usr/bin/env bash
# A cluster on this machine, for demos and tests: a private PostgreSQL, N silos and G gateways that host no grains
# (client-only), each its own process, everything on loopback. Membership, grain state, reminders and the campaign
# tables are in PostgreSQL. Ctrl-C (or SIGTERM) stops every process; the data stays in DIR for the next start.
#
#   deploy/local-cluster.sh [--silos N] [--gateways G] [--port P] [--orleans-ports O] [--data DIR] [--image-roots DIRS]
#                           [--admin-password PW] [--restart S] [--model-silos LIST] [-- EXTRA OPTIONS]
#
#   N silos (default 2): silo i listens on silo port O+2(i-1) and gateway port O+2(i-1)+1 (O defaults to 11111), with
#     its models in DIR/silo-i and its process id in DIR/silo-i.pid.
#   G gateways (default 1): gateway j answers on http://127.0.0.1:P+j-1 (P defaults to 5080); PostgreSQL listens on P+1000.
#   DIR (default ./cluster-data): PostgreSQL's files, the logs (DIR/*.log) and the gateways' key ring (shared).
#   DIRS: the folders campaigns may take images from (default: ../shared/datasets beside the repository, when present).
#   S: a silo that exits (or is killed) is started again after S seconds, as systemd's Restart= would; default: never.
#   LIST: the silos that run models, e.g. 2,3 (default: all); the others start with --Inference:Models none and host no
#     image grains.
#   Options after "--" go to every process (for example --Inference:BackgroundSlots 1); each ignores the ones it has no use for.
#
# Needs a Release build (dotnet build Actors.sln -c Release) and PostgreSQL's server programs (scripts/setup.sh).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/deploy/private-postgres.sh"

silos=2 gateways=1 port=5080 orleans_ports=11111 data=./cluster-data image_roots="" admin_password=${ANNOTATION_ADMIN_PASSWORD:-} restart="" model_silos=""
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --silos) silos=$2; shift 2 ;;
    --gateways) gateways=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --orleans-ports) orleans_ports=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --image-roots) image_roots=$2; shift 2 ;;
    --admin-password) admin_password=$2; shift 2 ;;
    --restart) restart=$2; shift 2 ;;
    --model-silos) model_silos=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$silos" =~ ^[1-9][0-9]?$ ]] || { echo "--silos must be 1..99" >&2; exit 2; }
[[ "$gateways" =~ ^[1-9][0-9]?$ ]] || { echo "--gateways must be 1..99" >&2; exit 2; }
[[ -z "$restart" || "$restart" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "--restart must be a number of seconds" >&2; exit 2; }
[[ -z "$model_silos" || "$model_silos" =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "--model-silos takes silo numbers separated by commas, e.g. 2,3" >&2; exit 2; }
for k in ${model_silos//,/ }; do
  [[ $k -ge 1 && $k -le $silos ]] || { echo "--model-silos: there is no silo $k (silos 1..$silos)" >&2; exit 2; }
done
if [[ -z "$image_roots" && -d "$repo/../shared/datasets" ]]; then image_roots=$(cd "$repo/../shared/datasets" && pwd); fi
for dll in Silo/bin/Release/net10.0/Silo.dll ApiGateway/bin/Release/net10.0/ApiGateway.dll; do
  [[ -f "$repo/$dll" ]] || { echo "$dll is missing: run 'dotnet build Actors.sln -c Release' first" >&2; exit 1; }
done

mkdir -p "$data"
data=$(cd "$data" && pwd)
pg_port=$((port + 1000))
pids=()
# Process ids of an earlier start are stale: never signal them.
rm -f "$data"/silo-*.pid "$data"/gateway-*.pid

stop_all() {
  trap - INT TERM EXIT
  echo "stopping the cluster" >&2
  # The restart loops first, so none starts a silo again; then every process they or this script started.
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for file in "$data"/silo-*.pid "$data"/gateway-*.pid; do
    [[ -f "$file" ]] && kill "$(cat "$file")" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # A host gets 30 s to shut down; one still running after 40 s is killed, so none outlives the database.
  for file in "$data"/silo-*.pid "$data"/gateway-*.pid; do
    [[ -f "$file" ]] || continue
    pid=$(cat "$file")
    for _ in $(seq 1 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { echo "process $pid did not stop; killing it" >&2; kill -KILL "$pid" 2>/dev/null || true; }
    rm -f "$file"
  done
  pg_stop "$data"
}
trap stop_all INT TERM EXIT

if [[ -d "$data/pg" ]]; then
  pg_stop "$data" # left running by a run that was killed
  pg_resume "$data" "$pg_port"
  pg_connection=$(pg_connection_string "$pg_port")
else
  pg_start "$data" "$pg_port"
fi
echo "PostgreSQL on 127.0.0.1:$pg_port (files in $data/pg)" >&2

# Silos of this start only: a run that was killed leaves rows that still read Active until the cluster sees them gone.
started=$(date -u -d '-5 seconds' '+%Y-%m-%d %H:%M:%S')
active_silos() {
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -d annotation -Atc \
    "SELECT count(*) FROM orleansmembershiptable WHERE deploymentid = 'annotation' AND status = 3 AND starttime >= '$started'" 2>/dev/null || echo 0
}

# Runs silo $1 with schema $2 in the background and records its process id (written whole, never half).
start_silo() {
  local i=$1 schema=$2 models=()
  [[ -n "$model_silos" && ",$model_silos," != *",$i,"* ]] && models=(--Inference:Models none)
  dotnet "$repo/Silo/bin/Release/net10.0/Silo.dll" --storage postgres --connection "$pg_connection" --schema "$schema" \
    --data "$data/silo-$i" --Orleans:SiloPort $((orleans_ports + 2 * (i - 1))) --Orleans:GatewayPort $((orleans_ports + 2 * (i - 1) + 1)) \
    "${models[@]}" "${extra[@]}" >> "$data/silo-$i.log" 2>&1 &
  echo $! > "$data/silo-$i.pid.new"
  mv "$data/silo-$i.pid.new" "$data/silo-$i.pid"
}

# Silo $1 and, after it exits, again after $restart seconds (with the schema left alone), until stopped. A silo that
# refuses its options (exit code 2) is not started again, nor one that exits 5 times within 10 s (as systemd would).
supervise_silo() {
  local i=$1 schema=$2 code starts=()
  while true; do
    start_silo "$i" "$schema"
    starts+=("$(date +%s)")
    code=0
    wait "$(cat "$data/silo-$i.pid")" || code=$?
    if [[ $code == 2 ]]; then
      echo "silo $i refused its options (see $data/silo-$i.log); not starting it again" >&2
      return 1
    fi
    if [[ ${#starts[@]} -ge 5 && $(( $(date +%s) - ${starts[-5]} )) -lt 10 ]]; then
      echo "silo $i exited 5 times within 10 s (see $data/silo-$i.log); not starting it again" >&2
      return 1
    fi
    echo "silo $i exited (code $code); starting it again in $restart s" >&2
    echo "--- exited with code $code at $(date -u '+%H:%M:%S'); started again in $restart s" >> "$data/silo-$i.log"
    sleep "$restart"
    schema=skip
  done
}

for i in $(seq 1 "$silos"); do
  # The first silo applies the schema; the others start after it, so no two apply it at once.
  schema=skip
  [[ $i == 1 ]] && schema=apply
  : > "$data/silo-$i.log"
  if [[ -n "$restart" ]]; then
    supervise_silo "$i" "$schema" &
    pids+=($!)
    for _ in $(seq 1 20); do [[ -f "$data/silo-$i.pid" ]] && break; sleep 0.1; done
  else
    start_silo "$i" "$schema"
    pids+=("$(cat "$data/silo-$i.pid")")
  fi
  for _ in $(seq 1 120); do
    [[ $(active_silos) -ge $i ]] && break
    kill -0 "$(cat "$data/silo-$i.pid")" 2>/dev/null || { tail -20 "$data/silo-$i.log" >&2; exit 1; }
    sleep 0.5
  done
  [[ $(active_silos) -ge $i ]] || { echo "silo $i did not join the cluster (see $data/silo-$i.log)" >&2; exit 1; }
  echo "silo $i active (silo port $((orleans_ports + 2 * (i - 1))), log $data/silo-$i.log)" >&2
done

gateway_args=(--storage postgres --connection "$pg_connection" --schema skip --Orleans:ClientOnly true --data "$data/gateway")
[[ -n "$image_roots" ]] && gateway_args+=(--image-roots "$image_roots")
[[ -n "$admin_password" ]] && gateway_args+=(--admin-password "$admin_password")
for j in $(seq 1 "$gateways"); do
  url="http://127.0.0.1:$((port + j - 1))"
  dotnet "$repo/ApiGateway/bin/Release/net10.0/ApiGateway.dll" --urls "$url" "${gateway_args[@]}" "${extra[@]}" > "$data/gateway-$j.log" 2>&1 &
  pids+=($!)
  echo $! > "$data/gateway-$j.pid"
  for _ in $(seq 1 120); do
    curl -fs "$url/health" >/dev/null 2>&1 && break
    kill -0 "${pids[-1]}" 2>/dev/null || { tail -20 "$data/gateway-$j.log" >&2; exit 1; }
    sleep 0.5
  done
  curl -fs "$url/health" >/dev/null 2>&1 || { echo "gateway $j did not become healthy (see $data/gateway-$j.log)" >&2; exit 1; }
  echo "gateway $j ready at $url (log $data/gateway-$j.log)" >&2
done

first_password=$(grep -ho "one-time password [^ ]*" "$data"/gateway-*.log 2>/dev/null | head -1 | cut -d' ' -f3 || true)
cat >&2 <<EOF

The cluster is up: $silos silo(s), $gateways gateway(s), PostgreSQL at 127.0.0.1:$pg_port.
  Pages and API: http://127.0.0.1:$port/   (user admin${first_password:+, one-time password $first_password})
  Images may come from: ${image_roots:-(no folder allowed; give --image-roots)}
Ctrl-C stops everything; the data stays in $data.
EOF
echo "ready"
# Until Ctrl-C: a process that stops (or is killed, as the fault tests do) leaves the others running.
wait || true
