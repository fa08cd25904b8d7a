#!/usr/bin/env bash
# Runs the hub on the embedded default: SQLite and files under ./data, listening on http://127.0.0.1:5080.
# Installs the Debian packages the hub uses when missing (as root, with apt): chromium-headless-shell renders generated
# documents to PDF, poppler-utils renders document pages for the signing page, fonts-liberation is the font of stamped fields and
# audit certificates, fonts-dancingscript the handwriting of typed signatures.
# Extra arguments go to the hub, e.g. --urls http://0.0.0.0:8080 or --Hub:DataDirectory=/var/lib/esign-hub.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  exit 1
fi

PACKAGES=(chromium-headless-shell poppler-utils fonts-liberation fonts-dancingscript)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}. Run this script as root, or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  printf '==> Installing missing Debian packages with apt: %s\n' "${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# dotnet run starts the hub in the project folder; keep the data beside the repository's README instead.
export Hub__DataDirectory="${Hub__DataDirectory:-$PWD/data}"
printf '==> Building and starting ESign.Hub (data in %s)\n' "$Hub__DataDirectory"
exec dotnet run -c Release --project src/ESign.Hub -- "$@"
