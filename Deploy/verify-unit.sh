#!/usr/bin/env bash
# Checks Deploy/agent.service without installing it: `systemd-analyze verify` must print
# nothing, then prints the `systemd-analyze security` review and its overall exposure.
# verify insists that ExecStart's binary exists, so it checks a copy whose ExecStart
# points at /bin/true instead; nothing else in the unit changes.
set -euo pipefail

unit="${1:-$(dirname "$0")/agent.service}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

sed 's|/usr/local/bin/agent|/bin/true|' "$unit" > "$scratch/agent.service"

echo "== systemd-analyze verify (must print nothing)"
output="$(systemd-analyze verify "$scratch/agent.service" 2>&1)" || { echo "$output"; exit 1; }
if [ -n "$output" ]; then
    echo "$output"
    exit 1
fi
echo "clean"

echo "== systemd-analyze security --offline=true"
systemd-analyze security --offline=true "$scratch/agent.service"
