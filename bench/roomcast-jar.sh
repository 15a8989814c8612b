#!/usr/bin/env bash
# Prints the path of the Roomcast jar, building it first when it is missing: the one place the
# bench scripts learn where the build puts it.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$repo/server/target/roomcast.jar"
[ -f "$jar" ] || (cd "$repo" && mvn -q -B -o -DskipTests -pl server -am package) >&2
echo "$jar"
