#!/bin/sh
# The Debian packages, tested the way a sysadmin uses them, in a fresh Debian 12 root:
#     scripts/fresh-root.sh debian/src/test/deb-test.sh
# It installs packages and creates and deletes users, so it refuses to run anywhere else
# (LACME_DEB_TEST_ANYWHERE=1 overrides: only on a throw-away machine).
#
# 1. Builds the packages (mvn install: the fresh root has its own ~/.m2) and starts Pebble.
# 2. Fresh install: dpkg -i both packages, apt-get install -f for their dependencies; the
#    packaged programs, with only a test configuration in /etc/lacme, register an account and
#    issue a certificate through the command line of lacme.service (the timer's service);
#    dpkg -r keeps the conffiles and the users; dpkg -P removes the conffiles and the users the
#    package created.
# 3. Drop-in upgrade: Debian's lacme 0.8.2 configured and issuing a certificate, then ours
#    installed over it: the conffiles are kept, the same /etc/lacme files issue a certificate;
#    purge keeps the users that Debian's lacme (not ours) created.
# Not scripts/setup.sh: it installs Debian's lacme and creates the users, which this test must
# see done (or not) by the packages. Ends with "N passed, M failed"; exit 1 if any failed.
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)

if [ "$(cat /etc/hostname 2>/dev/null)" != fresh-root ] && [ "${LACME_DEB_TEST_ANYWHERE:-}" != 1 ]; then
    echo "deb-test: installs and purges packages and users: run it in a fresh root:" >&2
    echo "    scripts/fresh-root.sh debian/src/test/deb-test.sh" >&2
    exit 2
fi

. "$top/debian/src/test/test-config.sh"
passed=0
failed=0
out=$(mktemp /tmp/deb-test-out.XXXXXXXXXX)
say() { echo "deb-test: $*" >&2; }
check() {
    what=$1; shift
    if "$@" >"$out" 2>&1; then
        passed=$((passed + 1)); say "ok   $what"
    else
        failed=$((failed + 1)); say "FAIL $what: $*"; tail -n 20 "$out" | sed 's/^/    /' >&2
    fi
}
installed() { dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null | grep -q "^install ok installed $2"; }
is_user() { getent passwd "$1" >/dev/null; }
no_user() { ! getent passwd "$1" >/dev/null; }
# the certificate names both requested names and chains to Pebble's roots
good_cert() {
    openssl x509 -in "$1" -noout -ext subjectAltName | grep -q "DNS:www.example.test" &&
        openssl x509 -in "$1" -noout -ext subjectAltName | grep -q "DNS:example.test" &&
        openssl verify -CAfile "$PEBBLE_ROOTS" -untrusted "$2" "$1"
}
serial() { openssl x509 -in "$1" -noout -serial; }
apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2; }

# --- 1. build and Pebble --------------------------------------------------------------------
t0=$(date +%s)
apt-get update -q >&2
apt_install openjdk-17-jdk-headless maven openssl ca-certificates
sh "$top/scripts/fetch-pebble.sh" >/dev/null
cd "$top"
say "building (mvn install -DskipTests in the fresh root's own ~/.m2)"
mvn -B -q -ntp -DskipTests install >&2
mvn -B -q -ntp -pl testkit dependency:build-classpath -Dmdep.outputFile="$top/build/testkit.cp" >&2
accountd_deb=$(ls "$top"/debian/target/lacme-accountd_*_all.deb)
lacme_deb=$(ls "$top"/debian/target/lacme_*_all.deb)
version=$(dpkg-deb -f "$lacme_deb" Version)
say "built $lacme_deb and $accountd_deb in $(( $(date +%s) - t0 ))s"

work=$(mktemp -d /tmp/deb-test.XXXXXXXXXX)
chmod 755 "$work"
pebble_pid=""
cleanup() {
    [ -z "$pebble_pid" ] || { kill "$pebble_pid" 2>/dev/null || true; wait "$pebble_pid" 2>/dev/null || true; }
    rm -rf "$work" "$out"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
start_pebble "$work" "$top/build/testkit.cp"
chmod 644 "$PEBBLE_ROOTS"
# Pebble's HTTPS CA joins the system trust store (and so Java's, through ca-certificates-java):
# the lacme.conf below is one that Debian's lacme 0.8.2 accepts too, which has no SSL_ca_file.
cp "$PEBBLE_CA" /usr/local/share/ca-certificates/pebble-test-ca.crt
update-ca-certificates >/dev/null 2>&1
say "Pebble $PEBBLE_VERSION at $PEBBLE_DIRECTORY"

# --- 2. fresh install, issue, remove, purge --------------------------------------------------
say "== fresh install of $version"
check "no lacme user before installing" no_user _lacme-client
dpkg -i "$accountd_deb" "$lacme_deb" >&2 || say "dpkg -i left dependencies to apt-get install -f"
DEBIAN_FRONTEND=noninteractive apt-get install -f -y -q --no-install-recommends >&2
check "lacme $version installed" installed lacme "$version"
check "lacme-accountd $version installed" installed lacme-accountd "$version"
check "postinst created _lacme-client" is_user _lacme-client
check "postinst created _lacme-www" is_user _lacme-www
check "the users' group is nogroup" sh -c '[ "$(id -gn _lacme-www)" = nogroup ] && [ "$(id -gn _lacme-client)" = nogroup ]'
check "/etc/lacme/lacme.conf is a conffile" sh -c 'dpkg-query -W -f="\${Conffiles}" lacme | grep -q " /etc/lacme/lacme.conf "'
check "/etc/lacme/lacme-accountd.conf is a conffile" sh -c 'dpkg-query -W -f="\${Conffiles}" lacme-accountd | grep -q " /etc/lacme/lacme-accountd.conf "'
check "lacme --help lists the commands" sh -c 'lacme --help 2>&1 | grep -q "revokeCert FILE"'
check "the man pages are installed" test -f /usr/share/man/man8/lacme.8.gz -a -f /usr/share/man/man5/lacme.conf.5.gz \
    -a -f /usr/share/man/man1/lacme-accountd.1.gz -a -f /usr/share/man/man8/lacme-webserver.8.gz
# class-data archives built by postinst for the installed JDK: root's, 0644, and used
jsa_ok() {
    for m in accountd client master webserver; do
        f=/usr/share/lacme/java/$m.jsa
        [ "$(stat -c '%U %a' "$f")" = "root 644" ] || { ls -l "$f"; return 1; }
    done
}
check "postinst built the four class-data archives, root's, mode 644" jsa_ok
check "lacme's classes come from its archive" sh -c 'cp=$(sed "s|^|/usr/share/lacme/java/|" /usr/share/lacme/java/master.classpath | paste -sd:); java -Xshare:on -XX:SharedArchiveFile=/usr/share/lacme/java/master.jsa -Xlog:class+load -cp "$cp" lacme.master.MasterMain --version | grep -q "lacme.master.MasterMain source: shared objects file"'
configure
check "lacme account --register" lacme account --register --tos-agreed mailto:hostmaster@example.test
# accountd's native signer: its JNI library root's, 0644, loaded from the package's path
accp=/usr/share/lacme/java/accountd-native/libamazonCorrettoCryptoProvider.so
check "ACCP's library is root's, mode 644" sh -c "[ \"\$(stat -c '%U %a' $accp)\" = 'root 644' ]"
if [ "$(dpkg --print-architecture)" = amd64 ]; then
    check "lacme-accountd signs with ACCP from $accp" sh -c \
        "lacme-accountd --stdio --debug </dev/null 2>&1 | grep -F 'Signing with ACCP' | grep -qF '($accp)'"
fi
# what the timer starts, word for word
service_cmd=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/lacme.service)
say "running lacme.service's command: $service_cmd"
check "lacme.service's command issues the certificate" sh -c "$service_cmd"
check "the certificate is valid for both names" good_cert /srv/tls/www.crt /srv/tls/www.chain.pem
s1=$(serial /srv/tls/www.crt 2>/dev/null || echo none)
check "postinst made /var/lib/lacme root's, mode 700" test "$(stat -c %U:%a /var/lib/lacme)" = root:700
check "a second run skips the still-valid certificate" sh -c "$service_cmd"
check "... and leaves it as it was" test "$s1" = "$(serial /srv/tls/www.crt 2>/dev/null)"
check "lacme newOrder --force renews it" lacme newOrder --force www
check "... with a new certificate" test "$s1" != "$(serial /srv/tls/www.crt 2>/dev/null)"

say "== dpkg -r"
conf_sum=$(md5sum /etc/lacme/lacme.conf)
dpkg -r lacme lacme-accountd >&2
check "dpkg -r removed the programs" test ! -e /usr/sbin/lacme -a ! -e /usr/bin/lacme-accountd
check "dpkg -r removed the class-data archives (prerm)" test ! -e /usr/share/lacme/java
check "dpkg -r kept the modified lacme.conf" sh -c "echo '$conf_sum' | md5sum -c"
check "dpkg -r kept the unmodified nginx.conf" test -f /etc/lacme/nginx.conf
check "dpkg -r kept lacme-accountd.conf" test -f /etc/lacme/lacme-accountd.conf
check "dpkg -r kept the users" is_user _lacme-www
say "== dpkg -P"
dpkg -P lacme lacme-accountd >&2
check "dpkg -P removed lacme.conf" test ! -e /etc/lacme/lacme.conf
check "dpkg -P removed nginx.conf" test ! -e /etc/lacme/nginx.conf
check "dpkg -P removed lacme-accountd.conf" test ! -e /etc/lacme/lacme-accountd.conf
check "dpkg -P removed _lacme-client" no_user _lacme-client
check "dpkg -P removed _lacme-www" no_user _lacme-www
check "dpkg -P removed its record of them" test ! -e /var/lib/lacme
check "dpkg -P left the administrator's files" test -f /etc/lacme/account.key -a -f /srv/tls/www.crt
rm -rf /etc/lacme /srv/tls

# --- 3. drop-in upgrade over Debian's lacme 0.8.2 ---------------------------------------------
say "== Debian's lacme, then ours over it"
apt_install lacme lacme-accountd libcrypt-openssl-rsa-perl liblwp-protocol-https-perl
debian_version=$(dpkg-query -W -f='${Version}' lacme)
check "Debian's lacme $debian_version installed" installed lacme 0.8.2
configure
# Pebble rejects 5 % of nonces; lacme 0.8.2 gives up on a badNonce (ours retries), so its
# runs are repeated as an administrator would.
retry() { for _ in 1 2 3 4 5; do "$@" && return 0; sleep 1; done; return 1; }
check "Debian's lacme registers" retry lacme account --register --tos-agreed mailto:hostmaster@example.test
check "Debian's lacme issues the certificate" retry lacme newOrder
check "Debian's certificate is valid" good_cert /srv/tls/www.crt /srv/tls/www.chain.pem
s1=$(serial /srv/tls/www.crt 2>/dev/null || echo none)
# the files configure() changed; the other conffiles are Debian's, unmodified
sums=$(md5sum /etc/lacme/lacme.conf /etc/lacme/lacme-accountd.conf /etc/lacme/lacme-certs.conf.d/www.conf)
# --force-confold: what an unattended upgrade answers for a conffile the admin changed
dpkg -i --force-confdef --force-confold "$accountd_deb" "$lacme_deb" >&2
check "lacme upgraded from $debian_version to $version" installed lacme "$version"
check "lacme-accountd upgraded" installed lacme-accountd "$version"
check "the upgrade kept the modified configuration files" sh -c "echo '$sums' | md5sum -c"
ours() { dpkg-deb --fsys-tarfile "$lacme_deb" | tar -xOf - ".$1" | cmp -s - "$1"; }
check "... and replaced the unmodified nginx.conf with ours" ours /etc/lacme/nginx.conf
check "... and lacme-certs.conf" ours /etc/lacme/lacme-certs.conf
check "the Java lacme is the one installed" grep -q run-java /usr/sbin/lacme
check "the same /etc/lacme files issue a certificate" lacme newOrder --force
check "... a new one" test "$s1" != "$(serial /srv/tls/www.crt 2>/dev/null)"
check "... valid for both names" good_cert /srv/tls/www.crt /srv/tls/www.chain.pem
check "the upgrade created no user (Debian's lacme had)" test ! -e /var/lib/lacme/created-users
dpkg -P lacme lacme-accountd >&2
check "purge keeps the users Debian's lacme created" is_user _lacme-www

say "total $(( $(date +%s) - t0 ))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
