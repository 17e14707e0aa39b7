#!/bin/sh
# Boots Debian 12 with systemd in a container (systemd-nspawn -b), installs the packages there,
# lets lacme.timer fire lacme.service under its sandbox, and checks that the service issued a
# certificate from Pebble (which runs on the host; the container shares the host's network).
# Run as root on the host, after `mvn package` (debian/target/*.deb) and after
# scripts/fresh-root.sh has built its cached Debian base once (e.g. `scripts/fresh-root.sh true`):
#     debian/src/test/nspawn-timer.sh
# The container is an overlay on that base, in a private mount namespace, removed on exit.
# Needs systemd-container (systemd-nspawn). (man is not installed in the container: verify --man=no.) Ends with "N passed, M failed"; exit 1 if any failed.
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
me=$(readlink -f "$0")
base=${LACME_FRESH_ROOT_CACHE:-/var/cache/lacme-fresh-root}/bookworm-minbase

if [ "${1:-}" != --in-namespace ]; then
    [ "$(id -u)" -eq 0 ] || { echo "nspawn-timer: run as root" >&2; exit 2; }
    [ -x "$base/bin/sh" ] || { echo "nspawn-timer: no base in $base: run scripts/fresh-root.sh true first" >&2; exit 2; }
    command -v systemd-nspawn >/dev/null || { echo "nspawn-timer: needs systemd-nspawn (apt-get install systemd-container)" >&2; exit 2; }
    ls "$top"/debian/target/lacme_*_all.deb "$top"/debian/target/lacme-accountd_*_all.deb >/dev/null
    exec unshare --mount --propagation private sh "$me" --in-namespace
fi

. "$top/debian/src/test/test-config.sh"
passed=0
failed=0
say() { echo "nspawn-timer: $*" >&2; }
check() {
    what=$1; shift
    if "$@" >/dev/null 2>&1; then passed=$((passed + 1)); say "ok   $what"; else failed=$((failed + 1)); say "FAIL $what"; fi
}

t0=$(date +%s)
work=$(mktemp -d /var/tmp/lacme-nspawn.XXXXXXXXXX)
root=$work/root
pebble_pid=""
cleanup() {
    [ -z "$pebble_pid" ] || { kill "$pebble_pid" 2>/dev/null || true; wait "$pebble_pid" 2>/dev/null || true; }
    umount "$root" 2>/dev/null || umount -l "$root" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

say "building the testkit's class path (Pebble fixture)"
(cd "$top" && mvn -B -q -ntp -pl testkit -am package -DskipTests dependency:build-classpath \
    -Dmdep.outputFile="$work/testkit.cp" >&2)
start_pebble "$work" "$work/testkit.cp"
say "Pebble $PEBBLE_VERSION at $PEBBLE_DIRECTORY"

mkdir -p "$work/upper" "$work/work" "$root"
mount -t overlay overlay -o "lowerdir=$base,upperdir=$work/upper,workdir=$work/work" "$root"
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
    : >"$root/etc/apt/sources.list"
fi
[ ! -f /etc/apt/apt.conf.d/99artifact-registry ] || cp /etc/apt/apt.conf.d/99artifact-registry "$root/etc/apt/apt.conf.d/"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/usr/local/share/ca-certificates"
[ ! -d /usr/local/share/ca-certificates ] || cp -R /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
cp "$PEBBLE_CA" "$root/usr/local/share/ca-certificates/pebble-test-ca.crt"
cp "$top"/debian/target/lacme_*_all.deb "$top"/debian/target/lacme-accountd_*_all.deb "$root/root/"

# --keep-unit --register=no: no systemd on the host to register with (PID 1 is not systemd)
nsp() { systemd-nspawn --keep-unit --register=no -q -D "$root" "$@"; }
say "installing systemd, a Java runtime and the packages in the container"
nsp sh -c 'export DEBIAN_FRONTEND=noninteractive
    apt-get update -q && apt-get install -y -q --no-install-recommends systemd systemd-sysv dbus openssl \
        ca-certificates openjdk-17-jre-headless && update-ca-certificates &&
    { dpkg -i /root/lacme-accountd_*_all.deb /root/lacme_*_all.deb || apt-get install -f -y -q --no-install-recommends; }' \
    >"$work/install.log" 2>&1 || { tail -n 30 "$work/install.log" >&2; exit 1; }
check "the packages are installed" nsp dpkg-query -W lacme lacme-accountd

install -d -m 755 "$root/etc/lacme"
cp "$PEBBLE_ROOTS" "$root/etc/lacme/pebble-roots.pem"
PEBBLE_ROOTS=/etc/lacme/pebble-roots.pem configure "$root"
check "lacme account --register (in the container)" nsp lacme account --register --tos-agreed mailto:hostmaster@example.test

# The timer fires 2 s after it starts instead of twice a day; the rest of the units as shipped.
mkdir -p "$root/etc/systemd/system/lacme.timer.d" "$root/root/probe"
printf '[Timer]\nOnActiveSec=2s\nRandomizedDelaySec=0\n' >"$root/etc/systemd/system/lacme.timer.d/test.conf"
cat >"$root/root/probe.sh" <<'EOF'
#!/bin/sh
# Runs once booted: enables the timer, waits (at most 180 s) for the service it fires, records, powers off.
cd /root/probe
systemctl enable --now lacme.timer >enable.log 2>&1
i=0
while [ "$i" -lt 180 ]; do
    [ "$(systemctl show -P ExecMainExitTimestampMonotonic lacme.service)" != 0 ] && break
    sleep 1; i=$((i + 1))
done
systemctl show lacme.service -p Result -p ExecMainStatus -p ActiveState >show
systemctl list-timers --all --no-pager lacme.timer >timers
journalctl -u lacme.service --no-pager -o short-monotonic >journal
systemd-analyze verify --man=no lacme.service lacme.timer lacme-accountd.socket lacme-accountd@.service >verify 2>&1; echo $? >verify.rc
systemd-analyze security --no-pager lacme.service >security 2>&1
# the key host's units: lacme-accountd.socket, one sandboxed lacme-accountd@ per connection
openssl x509 -in /srv/tls/www.crt -noout -serial >serial.before
systemctl start lacme-accountd.socket
timeout 120 lacme --socket=/run/lacme-accountd.socket newOrder --force www >socket-order 2>&1; echo $? >socket-order.rc
openssl x509 -in /srv/tls/www.crt -noout -serial >serial.after
journalctl -u 'lacme-accountd@*' --no-pager -o short-monotonic >accountd-journal
systemd-analyze security --no-pager lacme-accountd@probe.service >accountd-security 2>&1
systemctl poweroff
EOF
cat >"$root/etc/systemd/system/lacme-probe.service" <<'EOF'
[Unit]
Description=nspawn-timer probe
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/bin/sh /root/probe.sh
[Install]
WantedBy=multi-user.target
EOF
ln -s /etc/systemd/system/lacme-probe.service "$root/etc/systemd/system/multi-user.target.wants/lacme-probe.service"

say "booting the container (systemd-nspawn -b)"
timeout 300 systemd-nspawn --keep-unit --register=no -q -D "$root" -b >"$work/boot.log" 2>&1 || say "systemd-nspawn -b exited $?"
p=$root/root/probe
for f in show timers journal verify security socket-order accountd-journal accountd-security; do
    [ ! -f "$p/$f" ] || { say "--- $f"; sed 's/^/    /' "$p/$f" >&2; }
done
check "the container booted and ran the probe" test -f "$p/show"
check "lacme.timer fired lacme.service, which succeeded" grep -qx "Result=success" "$p/show"
check "... with exit status 0" grep -qx "ExecMainStatus=0" "$p/show"
check "lacme.timer is scheduled" grep -q "lacme.timer" "$p/timers"
check "systemd-analyze verify of the installed units" grep -qx 0 "$p/verify.rc"
check "the service installed a certificate for both names" sh -c "
    openssl x509 -in '$root/srv/tls/www.crt' -noout -ext subjectAltName | grep -q DNS:www.example.test &&
    openssl verify -CAfile '$root/etc/lacme/pebble-roots.pem' -untrusted '$root/srv/tls/www.chain.pem' '$root/srv/tls/www.crt'"
check "lacme --socket=/run/lacme-accountd.socket renews through the socket-activated signer" grep -qx 0 "$p/socket-order.rc"
check "... with a new certificate" sh -c "! cmp -s '$p/serial.before' '$p/serial.after'"

say "total $(( $(date +%s) - t0 ))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
