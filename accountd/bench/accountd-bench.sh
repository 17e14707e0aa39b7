#!/bin/sh
# Issue-3 benchmark: our lacme-accountd and Debian's (if installed) side by side,
# 1/8/64 concurrent connections x 10 signatures, RSA-2048 and P-256.
# Usage: accountd/bench/accountd-bench.sh [JVM flags for our daemon, e.g. -XX:TieredStopAtLevel=1]
# Result: printed, and written to accountd/target/accountd-bench.txt.
set -e
cd "$(dirname "$0")/../.."
exec mvn -o -q -pl accountd test -Dtest=AccountdBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dlacme.bench=true -Dlacme.bench.jvmflags="$*"
