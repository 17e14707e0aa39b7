#!/bin/sh
# Installs what building, the demo and the tests need on Debian 12 (run as root), with
# --no-install-recommends, so everything a test runs is listed here (checked in a fresh
# minbase root: scripts/fresh-root.sh ./scripts/test.sh):
# - build: a JDK and Maven, git;
# - the programs lacme runs: openssl, setpriv and setsid (util-linux);
# - python3: ContainTest runs its probe under a pseudo-terminal (pty.spawn); Dns01IT's dns-hook
#   sets and clears TXT records through pebble-challtestsrv's management API (urllib);
# - the firewall tests run the master in a network namespace: ip (iproute2), iptables;
# - the tests: kill and ps (procps), chattr (e2fsprogs: an unwritable directory for root),
#   gpg and gpg-agent (a gpg-encrypted account key), OpenSSH server and client (accountd
#   reached over ssh, through a real sshd each test starts on loopback; the system's sshd is
#   not started by this install), debootstrap (scripts/fresh-root.sh);
# - Debian's pebble 2.4.0 as a fallback CA; the Debian lacme/lacme-accountd 0.8.2 packages
#   (the reference the interop tests run against; they also create the _lacme-client and
#   _lacme-www users) and the Perl modules they only Recommend but need
#   (libcrypt-openssl-rsa-perl for lacme-accountd, liblwp-protocol-https-perl for the client);
#   Config::Tiny and JSON, which the parity tests also run directly;
# then fetches Pebble 2.10 from Debian sid into build/pebble (never installed system-wide).
# Idempotent: installs only what is missing.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
    echo "setup: must run as root (it installs packages and the tests drop privileges)" >&2
    exit 1
fi

pkgs="openjdk-17-jdk-headless maven git openssl util-linux iproute2 iptables procps e2fsprogs
      python3 gpg gpg-agent openssh-server openssh-client debootstrap ca-certificates
      pebble lacme lacme-accountd libcrypt-openssl-rsa-perl liblwp-protocol-https-perl
      libconfig-tiny-perl libjson-perl"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing$missing" >&2
    apt-get update -q >&2
    # Installing a daemon (openssh-server) must not start it: the tests start their own sshd.
    # policy-rc.d is Debian's switch for that (invoke-rc.d honours it), removed afterwards.
    policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\n# scripts/setup.sh: no service starts while it installs\nexit 101\n' >"$policy"
        chmod 755 "$policy"
    fi
    status=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2 || status=$?
    [ -z "$policy" ] || rm -f "$policy"
    [ "$status" -eq 0 ] || exit "$status"
fi

# The unprivileged users lacme runs its children as (normally created by the lacme package).
for u in _lacme-client _lacme-www; do
    if ! getent passwd "$u" >/dev/null; then
        adduser --system --force-badname --no-create-home --home /nonexistent --ingroup nogroup "$u" >&2
    fi
done

# Pebble 2.10 from sid; fall back to Debian 12's pebble when it cannot be fetched.
sh "$top/scripts/fetch-pebble.sh" >/dev/null || echo "setup: using Debian 12's pebble (/usr/bin/pebble)" >&2
