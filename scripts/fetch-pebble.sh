#!/bin/sh
# Fetches Debian sid's "pebble" package (Pebble 2.10.x: ARI, profiles, Retry-After)
# and unpacks it into build/pebble of this repository, for the integration tests.
# It is never installed system-wide: apt runs with a private sources list, a private
# list/cache directory, and the .deb is only unpacked with dpkg -x.
# Idempotent: does nothing when build/pebble already holds a pebble binary.
# Prints the directory holding the binaries (build/pebble/usr/bin) on stdout.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dest="$top/build/pebble"
bin="$dest/usr/bin"

mkdir -p "$top/build"
# Several test JVMs may call this at once: one fetch at a time.
exec 9>"$top/build/.fetch-pebble.lock"
flock 9

if [ -x "$bin/pebble" ] && [ -x "$bin/pebble-challtestsrv" ] && [ -s "$dest/VERSION" ]; then
    echo "fetch-pebble: Pebble $(cat "$dest/VERSION") already in $bin" >&2
    echo "$bin"
    exit 0
fi

mirror=${PEBBLE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=${PEBBLE_DEBIAN_SUITE:-sid}
work="$top/build/pebble-apt"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/download"
printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
    "$mirror" "$suite" >"$work/sources.list"

# One set of options for update and download, so that nothing of the system's
# apt state (sources, lists, caches) is read or written.
set -- -q \
    -o "Dir::Etc::SourceList=$work/sources.list" \
    -o Dir::Etc::SourceParts=/dev/null \
    -o "Dir::State::Lists=$work/lists" \
    -o "Dir::Cache=$work/cache" \
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
    -o APT::Sandbox::User=root \
    -o Acquire::Languages=none

echo "fetch-pebble: apt-get update ($suite, private lists in $work)" >&2
apt-get "$@" update >&2
version=$(apt-cache "$@" policy pebble | sed -n 's/^ *Candidate: *//p')
case "$version" in
    ''|'(none)') echo "fetch-pebble: no pebble package in $suite" >&2; exit 1 ;;
esac
echo "fetch-pebble: downloading pebble $version" >&2
rm -f "$work/download"/pebble_*.deb
(cd "$work/download" && apt-get "$@" download "pebble=$version" >&2)
deb=$(ls "$work/download"/pebble_*.deb)

rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
dpkg -x "$deb" "$dest.tmp"
[ -x "$dest.tmp/usr/bin/pebble" ] || { echo "fetch-pebble: $deb has no usr/bin/pebble" >&2; exit 1; }
[ -x "$dest.tmp/usr/bin/pebble-challtestsrv" ] || { echo "fetch-pebble: $deb has no usr/bin/pebble-challtestsrv" >&2; exit 1; }
echo "$version" >"$dest.tmp/VERSION"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
echo "fetch-pebble: Pebble $version unpacked into $dest" >&2
echo "$bin"
