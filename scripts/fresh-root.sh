#!/bin/sh
# Runs COMMAND... as root in a fresh, minimal Debian 12 (bookworm) root holding a clean clone
# of this repository in /root/project (the way a newcomer would clone it), to check that
# README's commands work on a new machine. Example: scripts/fresh-root.sh ./scripts/demo.sh
#
# - The base is `debootstrap --variant=minbase bookworm` from the mirror the host's apt uses
#   (/etc/apt/sources.list.d/debian.sources, else /etc/apt/sources.list), built once and cached
#   in $LACME_FRESH_ROOT_CACHE (default /var/cache/lacme-fresh-root/bookworm-minbase); delete
#   that directory to rebuild it. The cached base is never modified: every run gets its own
#   overlay (writable layer in the cache's run.* directory), removed on exit.
# - Shared with the host, on purpose: the network (the registries), /etc/resolv.conf, the
#   host's apt sources and /etc/apt/apt.conf.d/99artifact-registry (the mirror is a snapshot:
#   Check-Valid-Until false), the host's locally added CA certificates
#   (/usr/local/share/ca-certificates: the registries are reached through a TLS-intercepting
#   egress), http(s)_proxy variables if set, and the kernel (/proc, /sys, /dev are mounted
#   fresh or bound).
# - NOT shared: installed packages (only minbase is there; scripts/setup.sh must install the
#   rest), ~/.m2 and every other file of root's home, users, /etc/hosts (Debian's standard one,
#   with "::1 localhost"), the working tree's uncommitted changes and build outputs (only the
#   committed HEAD is cloned), /tmp, /run, processes (own PID namespace: everything COMMAND
#   started is killed when it ends) and mounts (own mount namespace: they vanish with it).
# Exits with COMMAND's status. Prints timings on stderr. Run as root (debootstrap, chroot, mounts).
set -eu
me=$(readlink -f "$0")

# Second stage, inside the private mount and PID namespaces (pid 1): mount, run, unmount.
if [ "${1:-}" = "--in-namespace" ]; then
    root=$2; shift 2
    # Mounts made here are private to this namespace: they disappear with it, also on a signal.
    mount -t proc proc "$root/proc"
    mount -t sysfs sysfs "$root/sys"
    mount --bind /dev "$root/dev"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts" 2>/dev/null || true
    mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
    mount -t tmpfs -o mode=755 tmpfs "$root/run"
    mkdir -p "$root/run/lock" && chmod 1777 "$root/run/lock"
    status=0
    # INT and QUIT at their defaults, as in a terminal: a script started in the background
    # inherits them ignored, and a JVM (hence lacme, and the SIGINT tests) keeps them ignored.
    env --default-signal=INT,QUIT chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/sh \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        TERM="${TERM:-dumb}" LANG=C.UTF-8 \
        ${http_proxy:+http_proxy="$http_proxy"} ${https_proxy:+https_proxy="$https_proxy"} \
        ${no_proxy:+no_proxy="$no_proxy"} \
        /bin/sh -c 'cd /root/project && exec "$@"' fresh-root "$@" || status=$?
    for m in run dev/shm dev/pts dev sys proc; do
        umount -l "$root/$m" 2>/dev/null || true
    done
    exit "$status"
fi

if [ "$#" -eq 0 ]; then
    echo "usage: scripts/fresh-root.sh COMMAND [ARG...]   (run as root; COMMAND runs in /root/project)" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "fresh-root: must run as root (debootstrap, chroot, mounts)" >&2
    exit 1
fi
top=$(cd "$(dirname "$me")/.." && pwd)
head=$(git -C "$top" rev-parse HEAD)
[ -z "$(git -C "$top" status --porcelain --untracked-files=no)" ] ||
    echo "fresh-root: note: uncommitted changes in $top are not in the root (only HEAD is cloned)" >&2
cache=${LACME_FRESH_ROOT_CACHE:-/var/cache/lacme-fresh-root}
base="$cache/bookworm-minbase"
start=$(date +%s)
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

# The host's Debian mirror (first "bookworm" entry), so the root reaches the same registry.
mirror=""
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    mirror=$(awk '
        /^[ \t]*$/ { if (suite && uri) { print uri; exit } suite = 0; uri = "" }
        /^URIs:/ { uri = $2 }
        /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite = 1 }
        END { if (suite && uri) print uri }' /etc/apt/sources.list.d/debian.sources | head -n 1)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list)
fi
mirror=${mirror:-http://deb.debian.org/debian}

mkdir -p "$cache"
chmod 700 "$cache"
# One base build at a time; concurrent runs wait for it.
exec 9>"$cache/.lock"
flock 9
if [ ! -x "$base/bin/sh" ]; then
    command -v debootstrap >/dev/null || {
        echo "fresh-root: installing debootstrap" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2
    }
    echo "fresh-root: building the base: debootstrap --variant=minbase bookworm from $mirror (cached in $base)" >&2
    t=$(date +%s)
    rm -rf "$base.tmp"
    debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
        bookworm "$base.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
        echo "fresh-root: debootstrap failed; last lines of $cache/debootstrap.log:" >&2
        tail -n 20 "$cache/debootstrap.log" >&2
        exit 1
    }
    apt-get -o RootDir="$base.tmp" clean 2>/dev/null || rm -f "$base.tmp"/var/cache/apt/archives/*.deb
    mv "$base.tmp" "$base"
    echo "fresh-root: base built in $(elapsed "$t")" >&2
fi
flock -u 9

run=$(mktemp -d "$cache/run.XXXXXXXXXX")
ns_pid=""
cleanup() {
    status=$?
    trap - EXIT INT TERM HUP
    if [ -n "$ns_pid" ]; then
        # unshare --fork blocks INT and TERM; KILL it, and --kill-child takes the namespace's
        # pid 1, hence every process COMMAND started, with it.
        kill -KILL "$ns_pid" 2>/dev/null || true
        wait "$ns_pid" 2>/dev/null || true
    fi
    # The overlay lives in the namespace, gone with it; unmount anyway in case it leaked.
    umount -l "$run/root" 2>/dev/null || true
    rm -rf "$run"
    echo "fresh-root: removed the run's root; total $(elapsed "$start")" >&2
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkdir -p "$run/upper" "$run/work" "$run/root"
t=$(date +%s)
# Prepare the run's layer: the overlay is mounted in a throwaway namespace for the setup,
# then again in the namespace COMMAND runs in.
overlay="lowerdir=$base,upperdir=$run/upper,workdir=$run/work"
unshare --mount --propagation private sh -eu -c '
    run=$1; overlay=$2; top=$3; head=$4
    root="$run/root"
    mount -t overlay overlay -o "$overlay" "$root"
    # apt: the host sources and the registry settings that matter.
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
        : >"$root/etc/apt/sources.list"
    fi
    [ ! -f /etc/apt/apt.conf.d/99artifact-registry ] || cp /etc/apt/apt.conf.d/99artifact-registry "$root/etc/apt/apt.conf.d/"
    cp -L /etc/resolv.conf "$root/etc/resolv.conf"
    # Debian'"'"'s standard /etc/hosts (as the installer writes it).
    printf "127.0.0.1\tlocalhost\n127.0.1.1\tfresh-root\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n" >"$root/etc/hosts"
    echo fresh-root >"$root/etc/hostname"
    # The locally added CAs; update-ca-certificates also runs when ca-certificates gets installed.
    if [ -d /usr/local/share/ca-certificates ]; then
        mkdir -p "$root/usr/local/share/ca-certificates"
        cp -R /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
        [ ! -x "$root/usr/sbin/update-ca-certificates" ] || chroot "$root" update-ca-certificates >/dev/null
    fi
    chmod 700 "$root/root"
    git clone -q --no-hardlinks "$top" "$root/root/project"
    git -C "$root/root/project" checkout -q --detach "$head"
    umount "$root"
' fresh-root "$run" "$overlay" "$top" "$head"
echo "fresh-root: prepared the root (clone of $(git -C "$top" log -1 --format='%h %s' "$head" | cut -c1-60)) in $(elapsed "$t")" >&2

t=$(date +%s)
echo "fresh-root: running as root in /root/project: $*" >&2
unshare --mount --pid --fork --kill-child --propagation private sh -eu -c '
    run=$1; overlay=$2; me=$3; shift 3
    mount -t overlay overlay -o "$overlay" "$run/root"
    exec sh "$me" --in-namespace "$run/root" "$@"
' fresh-root "$run" "$overlay" "$me" "$@" &
ns_pid=$!
status=0
wait "$ns_pid" || status=$?
ns_pid=""
echo "fresh-root: command exited with status $status after $(elapsed "$t")" >&2
exit "$status"
