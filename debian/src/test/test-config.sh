# Sourced by deb-test.sh and nspawn-timer.sh (sh), with $top set to the clone.
#
# start_pebble WORK CLASSPATH_FILE starts Pebble through the testkit (its classes built, its
# class path in CLASSPATH_FILE), sets $pebble_pid and the variables of WORK/pebble.env.
start_pebble() {
    java -cp "$top/testkit/target/classes:$(cat "$2")" lacme.testkit.PebbleMain "$1" >"$1/pebble-main.log" 2>&1 &
    pebble_pid=$!
    i=0
    while [ ! -f "$1/pebble.env" ]; do
        i=$((i + 1))
        if [ "$i" -gt 300 ] || ! kill -0 "$pebble_pid" 2>/dev/null; then
            echo "Pebble did not start:" >&2; cat "$1/pebble-main.log" >&2; return 1
        fi
        sleep 0.1
    done
    . "$1/pebble.env"
}

# configure ROOT writes a test configuration
# under ROOT (default /) for the Pebble described by $PEBBLE_DIRECTORY, $PEBBLE_HTTP_PORT and
# $PEBBLE_ROOTS (pebble.env): the packaged defaults plus the CA's URL, a listen address Pebble
# validates against, an account key and one certificate section. Only keys that Debian's
# lacme 0.8.2 accepts too, so that the same files serve the drop-in upgrade test.
configure() {
    r=${1:-}
    install -d -m 755 "$r/etc/lacme" "$r/etc/lacme/lacme-certs.conf.d" "$r/srv/tls"
    [ -f "$r/etc/lacme/account.key" ] ||
        (umask 077 && openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$r/etc/lacme/account.key")
    [ -f "$r/srv/tls/www.key" ] ||
        (umask 077 && openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$r/srv/tls/www.key")
    cat >"$r/etc/lacme/lacme.conf" <<EOC
# test configuration (debian/src/test)
[client]
server = $PEBBLE_DIRECTORY
[webserver]
listen = 127.0.0.1:$PEBBLE_HTTP_PORT
[accountd]
EOC
    cat >"$r/etc/lacme/lacme-accountd.conf" <<EOC
privkey = file:/etc/lacme/account.key
EOC
    cat >"$r/etc/lacme/lacme-certs.conf.d/www.conf" <<EOC
[www]
certificate-key = /srv/tls/www.key
certificate = /srv/tls/www.crt
certificate-chain = /srv/tls/www.chain.pem
subject = /CN=www.example.test
subjectAltName = DNS:www.example.test,DNS:example.test
CAfile = $PEBBLE_ROOTS
EOC
}
