#!/bin/sh
# Stall benchmark for the challenge webserver (issue 5).
#
# Starts lacme-webserver as its own process with a listening socket on fd 0 (as lacme's
# master does), holds 1,000 idle connections and 50 slow-header clients open against it
# (reopening any it closes), and meanwhile sends 200 validation GETs (one every 20 ms).
# Prints successes, p50/p90/p99/max latency and the server's peak RSS (VmHWM from
# /proc/PID/status). The code is lacme.webserver.StallBench (webserver/src/test/java),
# run through surefire so that the class path comes from Maven, offline.
#
# Usage: webserver/bench/stall-bench.sh [--perl] [-Dstall.idle=N] [-Dstall.slow=N] [-Dstall.gets=N]
#   --perl   benchmark lacme 0.8.2's Perl webserver (/usr/libexec/lacme/webserver) instead
set -eu
cd "$(dirname "$0")/../.."
# ~2 descriptors per held connection (client and server side) plus the JVMs' own
ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null || true
perl=false
if [ "${1:-}" = "--perl" ]; then perl=true; shift; fi
exec mvn -o -q -pl webserver test -Dtest=StallBench -Dsurefire.failIfNoSpecifiedTests=false \
    -Dstall.bench=true -Dstall.perl="$perl" "$@"
