#!/bin/sh
# Issue-3 benchmark: our lacme-accountd and Debian's /usr/bin/lacme-accountd 0.8.2 (if
# installed) side by side in one run, each a daemon on a UNIX socket: 1/8/64 concurrent
# connections x 10 signatures, RSA-2048 and P-256 (Perl: RSA only), at every think time.
#
# Usage: accountd/bench/accountd-bench.sh [OPTIONS]
#   --think-ms=LIST   pause in ms before each signature of a connection, comma-separated;
#                     every value is measured, side by side (default: 0,20). It models a
#                     real ACME client, which holds its accountd connection for a whole
#                     session and signs between HTTP round trips to the CA; 0 measures raw
#                     signing throughput. (--think-ms N works too.)
#   --accountd=PATH   our daemon's command (default: the distribution's launcher,
#                     packaging/target/dist/bin/lacme-accountd, run as users run it; build it
#                     first: mvn -q -o -B install -DskipTests). --accountd= (empty) runs
#                     `java -cp <test class path>` instead.
#   --jvm-flags=FLAGS extra JVM flags for our daemon (JAVA_TOOL_OPTIONS for the launcher)
#   --conns=LIST      concurrent connections (default: 1,8,64)
#   --sigs=N          signatures per connection (default: 10)
#   --rounds=N        rounds per cell, the one whose last connection finished first is kept
#                     (default: 3)
# Result: a table on stdout, also written to accountd/target/accountd-bench.txt.
# The load generator (accountd's test class AccountdBench) runs under Maven surefire on the
# same machine, so it shares the CPUs with the daemon under test, for both daemons alike.
set -eu
cd "$(dirname "$0")/../.."
think=0,20
accountd=$PWD/packaging/target/dist/bin/lacme-accountd
flags=
conns=1,8,64
sigs=10
rounds=3
while [ $# -gt 0 ]; do
    case $1 in
        --think-ms=*) think=${1#*=} ;;
        --think-ms) think=$2; shift ;;
        --accountd=*) accountd=${1#*=} ;;
        --jvm-flags=*) flags=${1#*=} ;;
        --conns=*) conns=${1#*=} ;;
        --sigs=*) sigs=${1#*=} ;;
        --rounds=*) rounds=${1#*=} ;;
        -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "accountd-bench.sh: unknown option $1 (see --help)" >&2; exit 1 ;;
    esac
    shift
done
if [ -n "$accountd" ] && [ ! -x "$accountd" ]; then
    echo "accountd-bench.sh: $accountd is missing: build the distribution first (mvn -q -o -B install -DskipTests)" >&2
    exit 1
fi
exec mvn -o -q -B -pl accountd test -Dtest=AccountdBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dlacme.bench=true -Dlacme.bench.accountd="$accountd" -Dlacme.bench.jvmflags="$flags" \
    -Dlacme.bench.thinkms="$think" -Dlacme.bench.conns="$conns" -Dlacme.bench.sigs="$sigs" \
    -Dlacme.bench.rounds="$rounds"
