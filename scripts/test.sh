#!/bin/sh
# The whole test suite: installs what it needs (scripts/setup.sh), then builds every module,
# runs the unit tests, assembles the distribution and runs the end-to-end tests against a
# real Pebble. Run as root on Debian 12.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/setup.sh"
cd "$top"
exec mvn -B -ntp verify "$@"
