# Sourced by the benchmark scripts: a gateway (co-hosted silo) from the Release build on loopback, with an admin account
# and rate limits out of the way, and the admin's API token.
#
#   gateway_start REPO WORK API PASSWORD IMAGE_ROOT [ARGS...]   start it, wait until /health answers; sets gateway_pid
#   admin_token API PASSWORD NAME                               print a new API token of the admin

gateway_start() {
  local repo=$1 work=$2 api=$3 password=$4 images=$5
  shift 5
  dotnet "$repo/ApiGateway/bin/Release/net10.0/ApiGateway.dll" --urls "$api" --data "$work/data" --admin-password "$password" \
    --image-roots "$images" --RateLimit:Burst 1000000 --RateLimit:PermitsPerSecond 1000000 "$@" > "$work/gateway.log" 2>&1 &
  gateway_pid=$!
  for _ in $(seq 1 120); do curl -fs "$api/health" >/dev/null 2>&1 && return 0; sleep 0.5; done
  tail -30 "$work/gateway.log" >&2
  return 1
}

admin_token() {
  curl -fs -H 'Content-Type: application/json' -d "{\"userName\":\"admin\",\"password\":\"$2\",\"name\":\"$3\"}" \
    "$1/api/v1/auth/tokens" | sed -E 's/.*"token":"([^"]+)".*/\1/'
}
