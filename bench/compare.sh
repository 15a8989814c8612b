#!/usr/bin/env bash
# Side by side: starts each server in turn (Roomcast with its default JVM flags, then the peers in
# bench/peers/), runs the same `roomcast bench` scenarios against it, stops it by pid, and prints
# a table with each peer's figures and Roomcast's ratio to it. Loopback only; bounded in time.
#
#   bench/compare.sh                 default sizes, about 4 minutes for the four servers
#   bench/compare.sh --full          the sizes of issue 4 (15,000 connections, 1,000 echo clients,
#                                    10,000 subscribers, 5,000 chat clients, a 1,000-member room with
#                                    one reader that stops), about 12 minutes
#   bench/compare.sh --servers "roomcast go" --runs 3 --out /tmp/cmp
#
# Every figure comes from `roomcast bench ... --json --server-pid PID`; the raw JSON lines are kept
# in OUT/results.jsonl and the exact commands in OUT/commands.txt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
jar="$repo/target/roomcast.jar"

servers="roomcast go node fastapi"
runs=1
out="$(mktemp -d /tmp/roomcast-compare.XXXXXX)"
connect_n=5000; connect_procs=2; echo_n=200; fanout_n=2000; chat_n=1000; room_size=50; chat_rate=1; slow_n=200
duration=5s; warmup=2s
while [ $# -gt 0 ]; do
  case "$1" in
    --full) connect_n=15000; echo_n=1000; fanout_n=10000; chat_n=5000; slow_n=1000; duration=10s; warmup=3s ;;
    --servers) servers="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --out) out="$2"; mkdir -p "$out"; shift ;;
    --connect) connect_n="$2"; shift ;;
    --echo) echo_n="$2"; shift ;;
    --fanout) fanout_n="$2"; shift ;;
    --chat) chat_n="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

[ -f "$jar" ] || (cd "$repo" && mvn -q -B -o -DskipTests package)
results="$out/results.jsonl"
: > "$results"
: > "$out/commands.txt"
server_pid=""
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

wait_for_port() {
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "compare.sh: server did not open port $1" >&2
  return 1
}

# bench SERVER RUN SCENARIO-NAME ARGS...: one `roomcast bench` run, its JSON line tagged and kept.
bench() {
  local server="$1" run="$2" name="$3"; shift 3
  local cmd=(java -jar "$jar" bench "$@" --url "ws://127.0.0.1:$port" --server-pid "$server_pid" --json)
  echo "${cmd[*]}" >> "$out/commands.txt"
  local line
  if line="$("${cmd[@]}" 2>>"$out/bench-stderr.log")"; then
    echo "$line" | sed "s|^{|{\"peer\":\"$server\",\"case\":\"$name\",\"run\":$run,|" >> "$results"
  else
    echo "{\"peer\":\"$server\",\"case\":\"$name\",\"run\":$run,\"error\":\"bench failed, see $out/bench-stderr.log\"}" >> "$results"
  fi
  echo "  $server $name run $run done" >&2
}

for run in $(seq 1 "$runs"); do
  for server in $servers; do
    port=$((20000 + RANDOM % 20000))
    "$here/peers/start.sh" "$server" "$port" > "$out/$server-$run.log" 2>&1 &
    server_pid=$!
    wait_for_port "$port"
    sleep 1
    # connect first, on the fresh server, so its RSS growth is the connections' alone; then once more
    # on the now warm server (heaps and pools already grown), which is the steady-state cost
    bench "$server" "$run" connect connect -n "$connect_n" --rooms 100 --procs "$connect_procs" --duration 2s
    sleep 2
    bench "$server" "$run" connect-2 connect -n "$connect_n" --rooms 100 --procs "$connect_procs" --duration 2s
    bench "$server" "$run" echo echo -n "$echo_n" --warmup "$warmup" --duration "$duration"
    bench "$server" "$run" fanout-1/s fanout -n "$fanout_n" --rate 1 --warmup "$warmup" --duration "$duration"
    bench "$server" "$run" fanout-max fanout -n "$fanout_n" --rate 0 --window 64 --warmup "$warmup" --duration "$duration"
    bench "$server" "$run" chat chat -n "$chat_n" --room-size "$room_size" --rate "$chat_rate" --warmup "$warmup" --duration "$duration"
    # last, on a warm server: one member stops reading while 16 kB messages are broadcast
    bench "$server" "$run" slow fanout -n "$slow_n" --slow 1 --payload 16000 --window 16 --warmup 1s --duration "$duration"
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  done
done

/usr/bin/python3 "$here/compare_table.py" "$results"
echo
echo "raw results: $results; commands: $out/commands.txt"
