#!/usr/bin/env bash
# Runs the hub on the embedded default: SQLite and files under ./data, listening on http://127.0.0.1:5080.
# The hub needs no OS package beyond the .NET 10 SDK today; this script checks for it and says so.
# Extra arguments go to the hub, e.g. --urls http://0.0.0.0:8080 or --Hub:DataDirectory=/var/lib/esign-hub.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  exit 1
fi
# dotnet run starts the hub in the project folder; keep the data beside the repository's README instead.
export Hub__DataDirectory="${Hub__DataDirectory:-$PWD/data}"
printf '==> Building and starting ESign.Hub (data in %s)\n' "$Hub__DataDirectory"
exec dotnet run -c Release --project src/ESign.Hub -- "$@"
