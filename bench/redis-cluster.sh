#!/usr/bin/env bash
# Publishes/s that Redis Cluster carries with one shard and with three (docs/benchmarks.md, "Redis Cluster").
# Starts a one-master cluster and a three-master cluster (no replicas, no persistence) on PORT..PORT+3, then,
# ROUNDS times, for one cluster and then the other: two Roomcast nodes on it and one `roomcast bench echo
# --protocol json` against each node at once (every client alone in its room, closed loop: each message is one
# publish.lua on its room's shard and one SPUBLISH back). Prints one line per run with the two benches' sum and
# each Redis's CPU over the window; stops everything it started by pid.
#   bench/redis-cluster.sh [PORT] [ROUNDS] [CLIENTS_PER_NODE] [DURATION]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${1:-23100}"
rounds="${2:-3}"
clients="${3:-100}"
duration="${4:-10s}"
jar="$repo/server/target/roomcast.jar"
[ -f "$jar" ] || { echo "redis-cluster.sh: build $jar first (mvn -o -q -pl server package -DskipTests)" >&2; exit 2; }
work="$(mktemp -d /tmp/roomcast-cluster-bench.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# One cluster-mode redis-server on $1 (bus port $1+500); prints its pid.
start_redis() {
  mkdir -p "$work/$1"
  redis-server --port "$1" --cluster-port "$(($1 + 500))" --cluster-enabled yes --bind 127.0.0.1 \
    --save '' --appendonly no --protected-mode no --dir "$work/$1" >"$work/$1.log" 2>&1 &
  pids+=($!)
  until redis-cli -p "$1" ping >/dev/null 2>&1; do sleep 0.1; done
}

one="$port"
three=("$((port + 1))" "$((port + 2))" "$((port + 3))")
start_redis "$one"
redis-cli -p "$one" cluster addslotsrange 0 16383 >/dev/null
for p in "${three[@]}"; do start_redis "$p"; done
redis-cli --cluster create "${three[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes >"$work/create.log"
for p in "$one" "${three[@]}"; do
  until redis-cli -p "$p" cluster info | grep -q cluster_state:ok; do sleep 0.1; done
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Calls of publish.lua (EVALSHA) on one Redis so far and their mean run time in µs, as Redis counts them.
evalsha() { redis-cli -p "$1" info commandstats | tr -d '\r' | awk -F'[=,:]' '/^cmdstat_evalsha:/ {print $3, $7}'; }
redis_pid() { redis-cli -p "$1" info server | awk -F: '/^process_id/ {print $2}' | tr -d '\r'; }

# Runs one measurement on the cluster whose nodes listen on the given ports.
run() {
  local shards="$1"; shift
  local broker="redis-cluster://127.0.0.1:$1"
  local node_ports=("$((port + 10))" "$((port + 11))") node_pids=() bench_pids=()
  for np in "${node_ports[@]}"; do
    ROOMCAST_JAR="$jar" "$repo/server/src/dist/bin/roomcast" serve --port "$np" --broker "$broker" \
      --max-connections-per-ip 0 --rate-limit 1000000 --rate-limit-burst 1000000 >"$work/node-$np.log" 2>&1 &
    node_pids+=($!)
    pids+=($!)
  done
  for np in "${node_ports[@]}"; do
    until curl -sf "http://127.0.0.1:$np/readyz" >/dev/null; do sleep 0.2; done
  done
  local before=() redis_pids=()
  for p in "$@"; do redis_pids+=("$(redis_pid "$p")"); redis-cli -p "$p" config resetstat >/dev/null; done
  for rp in "${redis_pids[@]}"; do before+=("$(cpu_ticks "$rp")"); done
  local load_before; load_before="$(cut -d' ' -f1 /proc/loadavg)"
  for np in "${node_ports[@]}"; do
    java -jar "$jar" bench echo -n "$clients" --protocol json --url "ws://127.0.0.1:$np" \
      --duration "$duration" --json >"$work/bench-$shards-$np.json" 2>"$work/bench-$shards-$np.err" &
    bench_pids+=($!)
  done
  for bp in "${bench_pids[@]}"; do wait "$bp"; done
  local cpu=""
  for i in "${!redis_pids[@]}"; do
    cpu+=" $(( ($(cpu_ticks "${redis_pids[$i]}") - ${before[$i]}) ))"
  done
  local sum
  sum="$(python3 -c 'import json,sys; print(round(sum(json.loads(open(f).read().strip().splitlines()[-1])["messages_per_s"] for f in sys.argv[1:])))' \
    "$work/bench-$shards-${node_ports[0]}.json" "$work/bench-$shards-${node_ports[1]}.json")"
  local scripts=""
  for p in "$@"; do scripts+=" $(evalsha "$p" | tr ' ' '/')"; done
  echo "shards=$shards messages_per_s=$sum evalsha_calls/usec_per_call_per_shard=[${scripts# }] redis_cpu_ticks_per_shard=[${cpu# }] loadavg_before=$load_before loadavg_after=$(cut -d' ' -f1 /proc/loadavg)"
  for np in "${node_pids[@]}"; do kill "$np"; wait "$np" 2>/dev/null || true; done
}

echo "clients per node: $clients, window: $duration, rounds: $rounds, work dir: $work"
for _ in $(seq "$rounds"); do
  run 1 "$one"
  run 3 "${three[@]}"
done
