#!/bin/sh
# Installs what building, the demo and the tests need on Debian 12 (run as root):
# a JDK and Maven, openssl, setpriv (util-linux), ip and iptables (the firewall tests run the
# master in a network namespace), Debian's pebble 2.4.0 as a fallback CA,
# the Debian lacme/lacme-accountd 0.8.2 packages (the reference the interop tests run
# against; they also create the _lacme-client and _lacme-www users), then fetches
# Pebble 2.10 from Debian sid into build/pebble (never installed system-wide).
# Idempotent: installs only what is missing.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
    echo "setup: must run as root (it installs packages and the tests drop privileges)" >&2
    exit 1
fi

pkgs="openjdk-17-jdk-headless maven openssl util-linux iproute2 iptables pebble lacme lacme-accountd ca-certificates"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing$missing" >&2
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2
fi

# The unprivileged users lacme runs its children as (normally created by the lacme package).
for u in _lacme-client _lacme-www; do
    if ! getent passwd "$u" >/dev/null; then
        adduser --system --force-badname --no-create-home --home /nonexistent --ingroup nogroup "$u" >&2
    fi
done

# Pebble 2.10 from sid; fall back to Debian 12's pebble when it cannot be fetched.
sh "$top/scripts/fetch-pebble.sh" >/dev/null || echo "setup: using Debian 12's pebble (/usr/bin/pebble)" >&2
