#!/bin/sh
# The whole test suite: installs what it needs (scripts/setup.sh), then builds every module,
# runs the unit tests, assembles the distribution and runs the end-to-end tests against a
# real Pebble. Run as root on Debian 12. Extra arguments go to mvn.
# A test skipped by an assumption (a missing tool, not root, ...) makes the run fail, listing
# each skip and its reason: a green run cannot hide a capability that was never tested.
# Only the benchmarks and load tests, off unless asked for, may be skipped.
# LACME_ALLOW_SKIPS=1 lists the skips without failing (e.g. a run as another user).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/setup.sh"
cd "$top"
# Only this run's JUnit reports are scanned below: drop those of earlier runs (file times are
# not trusted for that: a copy or an overlay file system may not keep them in order).
find . -path ./build -prune -o -type d \( -name surefire-reports -o -name failsafe-reports \) -path '*/target/*' -prune \
    -exec rm -rf {} +
# INT and QUIT at their defaults even when started in the background (CI): a JVM keeps
# ignored signals ignored, and the SIGINT tests would see lacme ignore them.
env --default-signal=INT,QUIT mvn -B -ntp verify "$@"

# JUnit reports of this run: list every skipped test case with its reason.
skips=$(find . -path ./build -prune -o -path '*/target/*-reports/TEST-*.xml' -print |
    sort | xargs -r awk '
        /<testcase / {
            name = $0; sub(/.* name="/, "", name); sub(/".*/, "", name)
            cls = $0; sub(/.* classname="/, "", cls); sub(/".*/, "", cls)
        }
        /<skipped/ {
            msg = $0
            # The reason: the message attribute, else (an assumption) the exception text.
            if (msg ~ /message="/) { sub(/.*message="/, "", msg); sub(/".*/, "", msg) }
            else if (msg ~ /Exception: /) sub(/.*Exception: /, "", msg)
            else msg = "(no reason given)"
            print cls "." name ": " msg
        }')
# Opt-in: benchmarks (any name with "bench") and load tests (a class named *LoadIT, matched on
# the class name only, so that a reason mentioning e.g. "payload" allows nothing).
optin='bench|^[A-Za-z0-9_.$]*LoadIT\.'
bench=$(printf '%s\n' "$skips" | grep -i -E "$optin" || true)
other=$(printf '%s\n' "$skips" | grep -v -i -E "$optin" | grep . || true)
[ -z "$bench" ] || printf '%s\n' "$bench" | sed 's/^/test: benchmark or load test not run (on request only): /' >&2
if [ -n "$other" ]; then
    printf '%s\n' "$other" | sed 's/^/test: SKIPPED /' >&2
    if [ "${LACME_ALLOW_SKIPS:-0}" = 1 ]; then
        echo "test: $(printf '%s\n' "$other" | wc -l) test(s) skipped (allowed by LACME_ALLOW_SKIPS=1)" >&2
    else
        echo "test: FAILED: $(printf '%s\n' "$other" | wc -l) test(s) skipped; install what they name (scripts/setup.sh) or run as root" >&2
        exit 1
    fi
fi
echo "test: passed with no test skipped" >&2
