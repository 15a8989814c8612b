#!/usr/bin/env bash
# Starts one server with the tutorial's endpoints (/echo, /ws, /ws/{room}) on 127.0.0.1:PORT, in the
# foreground (exec, so the caller's $! is the server's pid). Servers: roomcast fastapi node go.
#   bench/peers/start.sh go 18080
# Installs nothing by itself except `npm ci` for node and building the Go binary; the Debian packages
# are listed in bench/peers/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
name="${1:?usage: start.sh roomcast|fastapi|node|go PORT}"
port="${2:?usage: start.sh roomcast|fastapi|node|go PORT}"

case "$name" in
  roomcast)
    # Through the launcher on purpose, with its default JVM flags: this is what a user gets.
    [ -f "$repo/server/target/roomcast.jar" ] || (cd "$repo" && mvn -q -B -o -DskipTests -pl server -am package)
    # The peers have no per-address cap or rate limit, so neither does Roomcast here.
    exec "$repo/roomcast" serve --port "$port" \
      --max-connections-per-ip 0 --rate-limit 1000000 --rate-limit-burst 1000000
    ;;
  fastapi)
    cd "$here/fastapi"
    exec /usr/bin/python3 -m uvicorn main:app --host 127.0.0.1 --port "$port" --log-level warning
    ;;
  node)
    cd "$here/node"
    [ -d node_modules/ws ] || npm ci --no-audit --no-fund --silent
    exec node server.js "$port"
    ;;
  go)
    cd "$here/go"
    if [ ! -x peer-go ] || [ server.go -nt peer-go ]; then
      GO111MODULE=off GOPATH=/usr/share/gocode go build -o peer-go server.go
    fi
    exec ./peer-go "$port"
    ;;
  *)
    echo "start.sh: unknown server '$name' (roomcast, fastapi, node or go)" >&2
    exit 2
    ;;
esac
