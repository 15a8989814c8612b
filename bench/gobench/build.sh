#!/usr/bin/env bash
# Builds bench/gobench/gobench when it is missing or older than its sources, offline, from Debian's
# golang-go and golang-github-gorilla-websocket-dev (GOPATH mode: no module download), and prints
# the binary's path. Everything that runs gobench (compare.sh, GoBenchIT) builds it through here.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
binary="$here/gobench"
if [ ! -x "$binary" ] || [ -n "$(find "$here" -name '*.go' -newer "$binary" -print -quit)" ]; then
  command -v go >/dev/null || { echo "gobench: needs go (apt-get install golang-go golang-github-gorilla-websocket-dev)" >&2; exit 3; }
  (cd "$here" && GO111MODULE=off GOPATH=/usr/share/gocode go build -o "$binary" .) >&2
fi
echo "$binary"
