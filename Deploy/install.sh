#!/usr/bin/env bash
# Installs the agent on a Debian host as a systemd service. Run as root; safe to run again
# (an upgrade replaces the binary and the unit, and never touches an existing config).
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: Deploy/install.sh [--binary PATH] [--key KEY] [--no-packages] [--help]

Installs, as root on Debian:
  - the runtime packages: libsodium23 iptables conntrack iproute2 (apt-get)
  - the binary PATH (default .build-dist/release/agent, built by `make dist` -- a release
    build with the Swift runtime linked in, so the host needs no Swift -- when missing and
    swift is installed) as /usr/local/bin/agent
  - Deploy/agent.service as /etc/systemd/system/agent.service
  - Deploy/agent.yaml as /etc/agent/agent.yaml (mode 0600) only if none exists, with the
    cluster key KEY, or a new one from `agent keygen`; every node needs the same key
  - the group "agent", whose members may use the CLI without root
  - /etc/sysctl.d/90-agent.conf (net.ipv4.ip_forward=1, for NodePorts to other hosts' Pods)
then, when systemd is running, `systemctl daemon-reload` and `systemctl enable --now agent`
(or `systemctl restart agent` when it was already running); otherwise says what it would do.

Options:
  --binary PATH   the agent binary to install
  --key KEY       the cluster key for a new /etc/agent/agent.yaml (from `agent keygen` on
                  the first node); ignored when the config exists
  --no-packages   skip apt-get
  --help          this text
EOF
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
binary="$repo/.build-dist/release/agent"
key=""
packages=yes

while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
        --binary=*) binary="${1#--binary=}"; shift ;;
        --key) key="${2:?--key needs a key from agent keygen}"; shift 2 ;;
        --key=*) key="${1#--key=}"; shift ;;
        --no-packages) packages=no; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "install.sh: unknown argument \"$1\" (see --help)" >&2; exit 2 ;;
    esac
done

if [ -n "$key" ] && ! [[ "$key" =~ ^[A-Za-z0-9+/]+=*$ ]]; then
    echo "install.sh: --key \"$key\" is not a key from agent keygen (base64 of 32 bytes)" >&2
    exit 2
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run as root (it writes /usr/local/bin, /etc and runs apt-get)" >&2
    exit 2
fi

step() { printf '==> %s\n' "$*"; }

if [ "$packages" = yes ]; then
    step "runtime packages: libsodium23 iptables conntrack iproute2"
    missing=()
    for package in libsodium23 iptables conntrack iproute2; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    fi
fi

if [ ! -x "$binary" ]; then
    if [ "$binary" = "$repo/.build-dist/release/agent" ] && command -v swift >/dev/null; then
        step "building the agent: swift build -c release --static-swift-stdlib"
        (cd "$repo" && swift build -c release --static-swift-stdlib --scratch-path .build-dist --product agent)
    else
        echo "install.sh: no agent binary at $binary (build it with make dist, or pass --binary PATH)" >&2
        exit 1
    fi
fi

step "binary: /usr/local/bin/agent"
install -m 0755 "$binary" /usr/local/bin/agent.new
mv -f /usr/local/bin/agent.new /usr/local/bin/agent

step "group: agent (members may use the CLI)"
getent group agent >/dev/null || groupadd --system agent

step "unit: /etc/systemd/system/agent.service"
install -m 0644 "$here/agent.service" /etc/systemd/system/agent.service
install -d -m 0755 /usr/local/share/doc/agent
if [ -f "$repo/Docs/operations.md" ]; then
    install -m 0644 "$repo/Docs/operations.md" /usr/local/share/doc/agent/operations.md
fi

step "sysctl: /etc/sysctl.d/90-agent.conf"
printf '# Written by the agent'"'"'s install.sh: NodePort traffic is forwarded to Pods on other hosts.\nnet.ipv4.ip_forward = 1\n' \
    > /etc/sysctl.d/90-agent.conf
sysctl -q -p /etc/sysctl.d/90-agent.conf || echo "    (could not apply it now; it applies at boot)"

install -d -m 0750 -g agent /etc/agent
if [ -e /etc/agent/agent.yaml ]; then
    step "config: keeping the existing /etc/agent/agent.yaml"
else
    step "config: /etc/agent/agent.yaml (mode 0600)"
    if [ -z "$key" ]; then
        key="$(/usr/local/bin/agent keygen)"
        echo "    generated a new cluster key (the encrypt: line of /etc/agent/agent.yaml); install the other nodes with --key KEY"
    fi
    umask 077
    # The key is base64 (A-Z a-z 0-9 + / =), so it is safe inside sed's | delimiters.
    sed "s|^encrypt: .*|encrypt: \"$key\"|" "$here/agent.yaml" > /etc/agent/agent.yaml.new
    chmod 0600 /etc/agent/agent.yaml.new
    mv -f /etc/agent/agent.yaml.new /etc/agent/agent.yaml
fi

if [ "$(ps -o comm= -p 1 2>/dev/null)" = systemd ]; then
    step "systemd: daemon-reload, enable and (re)start agent"
    systemctl daemon-reload
    if systemctl is-active --quiet agent; then
        systemctl restart agent
    else
        systemctl enable --now agent
    fi
    systemctl --no-pager --lines=0 status agent || true
else
    step "systemd is not PID 1 here; on a systemd host this script would run:"
    echo "    systemctl daemon-reload"
    echo "    systemctl enable --now agent    (or: systemctl restart agent, when it is running)"
fi
