#!/bin/sh
# The main job, end to end on this machine: installs what is needed (scripts/setup.sh),
# builds the distribution if the sources changed, starts a local Pebble test CA, creates an
# account key and a service key, writes a lacme configuration, registers an account, issues
# a certificate for two names, and prints its subject, names, issuer and expiry.
# Run as root on Debian 12. KEEP=1 keeps the work directory.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/setup.sh"
cd "$top"

dist="$top/packaging/target/dist"
stamp="$top/build/.demo-built"
mkdir -p "$top/build"
if [ ! -x "$dist/sbin/lacme" ] || [ ! -f "$stamp" ] || \
   [ -n "$(find . -path ./build -prune -o -path '*/target' -prune -o -newer "$stamp" -type f \( -name '*.java' -o -name 'pom.xml' -o -path './packaging/src/dist/*' \) -print | head -n 1)" ]; then
    echo "demo: building the distribution (mvn package, tests skipped; the test suite is scripts/test.sh)" >&2
    mvn -B -q -ntp -DskipTests install >&2
    mvn -B -q -ntp -pl testkit dependency:build-classpath -Dmdep.outputFile="$top/build/testkit.cp" >&2
    touch "$stamp"
fi

work=$(mktemp -d /tmp/lacme-demo.XXXXXXXXXX)
chmod 755 "$work"
# lacme runs its children as _lacme-client and _lacme-www: they must reach the launchers.
# A clone under a private directory (root's clone in /root, mode 0700) is not reachable, so
# the demo runs a world-readable copy of the distribution (as the end-to-end tests do).
built="$dist"
dist="$work/dist"
cp -R "$built" "$dist"
chmod -R u=rwX,go=rX "$dist"
pebble_pid=""
cleanup() {
    [ -z "$pebble_pid" ] || { kill "$pebble_pid" 2>/dev/null || true; wait "$pebble_pid" 2>/dev/null || true; }
    if [ "${KEEP:-0}" = 1 ]; then echo "demo: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "demo: starting Pebble" >&2
java -cp "$top/testkit/target/classes:$(cat "$top/build/testkit.cp")" lacme.testkit.PebbleMain "$work" \
    >"$work/pebble-main.log" 2>&1 &
pebble_pid=$!
i=0
while [ ! -f "$work/pebble.env" ]; do
    i=$((i + 1))
    if [ "$i" -gt 300 ] || ! kill -0 "$pebble_pid" 2>/dev/null; then
        echo "demo: Pebble did not start:" >&2; cat "$work/pebble-main.log" >&2; exit 1
    fi
    sleep 0.1
done
. "$work/pebble.env"
echo "demo: Pebble $PEBBLE_VERSION at $PEBBLE_DIRECTORY" >&2

cd "$work"
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out account.key
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out www.key
chmod 600 account.key www.key
cat >lacme-accountd.conf <<EOC
privkey = file:$work/account.key
EOC
cat >lacme.conf <<EOC
config-certs = lacme-certs.conf
[client]
server = $PEBBLE_DIRECTORY
SSL_ca_file = $PEBBLE_CA
command = $dist/libexec/lacme/client
[webserver]
listen = 127.0.0.1:$PEBBLE_HTTP_PORT
command = $dist/libexec/lacme/webserver
[accountd]
command = $dist/bin/lacme-accountd
config = $work/lacme-accountd.conf
EOC
cat >lacme-certs.conf <<EOC
[www]
certificate-key = $work/www.key
certificate = $work/www.crt
certificate-chain = $work/www.chain.pem
subject = /CN=www.example.test
subjectAltName = DNS:www.example.test,DNS:example.test
CAfile = $PEBBLE_ROOTS
EOC

echo "demo: lacme account --register --tos-agreed mailto:hostmaster@example.test" >&2
"$dist/sbin/lacme" --config="$work/lacme.conf" account --register --tos-agreed mailto:hostmaster@example.test >/dev/null
echo "demo: lacme newOrder" >&2
"$dist/sbin/lacme" --config="$work/lacme.conf" newOrder >/dev/null
echo "demo: issued $work/www.crt" >&2
openssl x509 -in www.crt -noout -subject -ext subjectAltName -issuer -enddate
