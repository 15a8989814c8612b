#!/usr/bin/env bash
# Side by side: starts each server in turn (Roomcast with its default JVM flags, then the peers in
# bench/peers/), runs the same `roomcast bench` scenarios against it, stops it by pid, and prints
# a table with each peer's figures and Roomcast's ratio to it. Loopback only; bounded in time.
# With --tool go the same matrix is driven by bench/gobench (Go, gorilla/websocket) instead, a load
# generator that shares nothing with the server's runtime.
#
#   bench/compare.sh                 default sizes, about 10 minutes for the four servers
#   bench/compare.sh --full          the sizes of issue 4 (15,000 connections, 1,000 echo clients,
#                                    10,000 subscribers, 5,000 chat clients, a 1,000-member room with
#                                    one reader that stops while 50 MB are broadcast), about 25 minutes
#   bench/compare.sh --servers "roomcast go" --runs 3 --out /tmp/cmp
#   bench/compare.sh --tool go       the same matrix driven by bench/gobench (built offline if missing)
#   bench/compare.sh --servers go --connect 200 --echo 20 --fanout 100 --chat 100 --slow 0 --ports 22000-22999
#                                    small sizes, servers on ports 22000-22999, no slow-reader room
#                                    (--slow N sets its members, 0 leaves it out)
#
# Every figure comes from `roomcast bench ... --json --server-pid PID` (or `gobench ...`, which takes
# the same flags and prints the same figures); the raw JSON lines are kept in OUT/results.jsonl and
# the exact commands in OUT/commands.txt. Each bench run is killed after
# BENCH_TIMEOUT seconds (default 300) and each server after 10 s of ignoring SIGTERM, so a run that
# hangs costs minutes, not the session. Before each bench run the script waits until the server is idle
# (under a tenth of a core for a second; at most IDLE_CAP seconds, default 180), so the work a scenario's
# departing clients leave behind is not counted against the next one.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

servers="roomcast go node fastapi"
runs=1
tool=java
out="$(mktemp -d /tmp/roomcast-compare.XXXXXX)"
connect_n=5000; connect_procs=2; echo_n=200; fanout_n=2000; chat_n=1000; room_size=50; chat_rate=1; slow_n=200
duration=5s; warmup=2s
# The slow-reader case of issue 4: 880 messages of 60,000 bytes are 52.8 MB (50.4 MiB), broadcast to
# the room as fast as 4 messages in flight allow (240 kB: with 8, a reader that lagged the average
# could pass a 1 MiB outbound bound), stopped after slow_cap if a server is slower.
slow_payload=60000; slow_messages=880; slow_cap=60s
bench_timeout="${BENCH_TIMEOUT:-300}"
idle_cap="${IDLE_CAP:-180}"
# Servers listen on a free port from this range, below the kernel's ephemeral range (32768 and up)
# so that no outgoing connection holds it.
first_port=20000; last_port=31999
while [ $# -gt 0 ]; do
  case "$1" in
    --full) connect_n=15000; echo_n=1000; fanout_n=10000; chat_n=5000; slow_n=1000; duration=10s; warmup=3s; slow_cap=120s ;;
    --servers) servers="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --tool) tool="$2"; shift ;;
    --out) out="$2"; mkdir -p "$out"; shift ;;
    --connect) connect_n="$2"; shift ;;
    --echo) echo_n="$2"; shift ;;
    --fanout) fanout_n="$2"; shift ;;
    --chat) chat_n="$2"; shift ;;
    --slow) slow_n="$2"; shift ;;
    --ports) first_port="${2%-*}"; last_port="${2#*-}"; shift ;;
    --duration) duration="$2"; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# Built before any server starts, even for --tool go: start.sh would otherwise build it while
# wait_for_port counts down.
jar="$("$here/roomcast-jar.sh")"
case "$tool" in
  java) bench_command=(java -jar "$jar" bench) ;;
  go) bench_command=("$("$here/gobench/build.sh")") ;;
  *) echo "compare.sh: unknown tool '$tool' (java or go)" >&2; exit 2 ;;
esac
results="$out/results.jsonl"
: > "$results"
: > "$out/commands.txt"
server_pid=""

# stop_server: SIGTERM to the server's pid, SIGKILL if it is still there 10 s later.
stop_server() {
  [ -n "$server_pid" ] || return 0
  kill "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -9 "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
trap stop_server EXIT

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port: a port of the range that nothing listens on.
free_port() {
  local p
  while :; do
    p=$((first_port + RANDOM % (last_port - first_port + 1)))
    port_in_use "$p" || { echo "$p"; return; }
  done
}

# wait_for_port PORT: until the server we started listens on PORT; fails if it exits first.
wait_for_port() {
  for _ in $(seq 1 150); do
    kill -0 "$server_pid" 2>/dev/null || { echo "compare.sh: server exited, see its log" >&2; return 1; }
    if port_in_use "$1"; then return 0; fi
    sleep 0.2
  done
  echo "compare.sh: server did not open port $1" >&2
  return 1
}

# wait_idle: until the server has used under a tenth of a core for a second, at most idle_cap seconds. A
# scenario's clients leaving at the end can keep a server busy for minutes (a 10,000-member room where every
# departure is announced to the rest), which must not be counted against the next scenario. The wait is logged.
wait_idle() {
  local ticks_per_s; ticks_per_s="$(getconf CLK_TCK)"
  local start=$SECONDS before after
  while [ $((SECONDS - start)) -lt "$idle_cap" ] && kill -0 "$server_pid" 2>/dev/null; do
    before="$(awk '{print $14 + $15}' "/proc/$server_pid/stat")"
    sleep 1
    after="$(awk '{print $14 + $15}' "/proc/$server_pid/stat" 2>/dev/null || echo "$before")"
    [ $((after - before)) -lt $((ticks_per_s / 10)) ] && break
  done
  echo "  waited $((SECONDS - start)) s for the server to go idle" >&2
}

# bench SERVER RUN SCENARIO-NAME ARGS...: one run of the bench tool, its JSON line tagged and kept.
bench() {
  local server="$1" run="$2" name="$3"; shift 3
  local cmd=("${bench_command[@]}" "$@" --url "ws://127.0.0.1:$port" --server-pid "$server_pid" --json)
  echo "${cmd[*]}" >> "$out/commands.txt"
  local line
  wait_idle
  if line="$(timeout --kill-after=10 "$bench_timeout" "${cmd[@]}" 2>>"$out/bench-stderr.log")"; then
    echo "$line" | sed "s|^{|{\"peer\":\"$server\",\"case\":\"$name\",\"run\":$run,|" >> "$results"
  else
    echo "{\"peer\":\"$server\",\"case\":\"$name\",\"run\":$run,\"error\":\"bench failed, see $out/bench-stderr.log\"}" >> "$results"
  fi
  echo "  $server $name run $run done" >&2
}

for run in $(seq 1 "$runs"); do
  for server in $servers; do
    port="$(free_port)"
    "$here/peers/start.sh" "$server" "$port" > "$out/$server-$run.log" 2>&1 &
    server_pid=$!
    if ! wait_for_port "$port"; then
      echo "{\"peer\":\"$server\",\"case\":\"start\",\"run\":$run,\"error\":\"server did not start, see $out/$server-$run.log\"}" >> "$results"
      stop_server
      continue
    fi
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
    # last, on a warm server: one member stops reading while 50 MB are broadcast to the room
    if [ "$slow_n" -gt 0 ]; then
      bench "$server" "$run" slow fanout -n "$slow_n" --slow 1 --payload "$slow_payload" --messages "$slow_messages" \
        --window 4 --warmup 0s --duration "$slow_cap"
    fi
    stop_server
  done
done

/usr/bin/python3 "$here/compare_table.py" "$results"
echo
echo "raw results: $results; commands: $out/commands.txt"
