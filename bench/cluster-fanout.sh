#!/usr/bin/env bash
# Fan-out across a cluster (docs/benchmarks.md, "Fan-out across two nodes on one Redis"): one room of MEMBERS
# subscribers and two publishers, driven by bench/gobench, against one Roomcast node and against two nodes on the
# same Redis (members spread over both, one publisher on each). Starts its own redis-server (no persistence) on PORT
# and the nodes on PORT+10 and PORT+11; ROUNDS times, interleaved: one node, then two nodes, each measured at a fixed
# rate (p99 latency) and as fast as a window of 64 messages in flight allows (deliveries/s), with the CPU of every
# node and of redis-server over the measured window read from /proc. Prints one line per run and a summary of the
# medians; stops everything it started by pid. Each gobench run is killed after BENCH_TIMEOUT seconds (default 180).
#   bench/cluster-fanout.sh [PORT] [ROUNDS] [MEMBERS] [DURATION] [RATE]
#   bench/cluster-fanout.sh 28100 3 10000 10s 2      the defaults
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${1:-28100}"
rounds="${2:-3}"
members="${3:-10000}"
duration="${4:-10s}"
rate="${5:-2}"
bench_timeout="${BENCH_TIMEOUT:-180}"
jar="$("$repo/bench/roomcast-jar.sh")"
gobench="$("$repo/bench/gobench/build.sh")"
work="$(mktemp -d /tmp/roomcast-cluster-fanout.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --protected-mode no --dir "$work" \
  >"$work/redis.log" 2>&1 &
redis_pid=$!
pids+=("$redis_pid")
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done

node_pids=()
# start_nodes N: N nodes on the Redis, on PORT+10 and up; waits until each is ready.
start_nodes() {
  node_pids=()
  for i in $(seq 0 $(($1 - 1))); do
    local np=$((port + 10 + i))
    ROOMCAST_JAR="$jar" "$repo/server/src/dist/bin/roomcast" serve --port "$np" --broker "redis://127.0.0.1:$port" \
      --max-connections-per-ip 0 --rate-limit 1000000 --rate-limit-burst 1000000 >"$work/node-$np.log" 2>&1 &
    node_pids+=($!)
    pids+=($!)
  done
  for i in $(seq 0 $(($1 - 1))); do
    until curl -sf "http://127.0.0.1:$((port + 10 + i))/readyz" >/dev/null; do sleep 0.2; done
  done
}

stop_nodes() {
  for np in "${node_pids[@]}"; do
    kill "$np" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$np" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$np" 2>/dev/null || true
  done
}

# measure NODES NAME GOBENCH_FLAGS...: one gobench fanout run against the running nodes; appends its JSON line.
measure() {
  local nodes="$1" name="$2"; shift 2
  local urls="ws://127.0.0.1:$((port + 10))" cpu_pids="$redis_pid"
  if [ "$nodes" = 2 ]; then
    urls+=",ws://127.0.0.1:$((port + 11))"
    cpu_pids="${node_pids[1]},$redis_pid"
  fi
  local load_before; load_before="$(cut -d' ' -f1 /proc/loadavg)"
  local out="$work/$nodes-$name-$round.json"
  timeout "$bench_timeout" "$gobench" fanout -n "$members" --publishers 2 --url "$urls" --server-pid "${node_pids[0]}" \
    --cpu-pids "$cpu_pids" --duration "$duration" --json "$@" >"$out" 2>"$out.err" \
    || { echo "gobench failed (nodes=$nodes $name): $(tail -1 "$out.err")" >&2; return 0; }
  python3 - "$out" "$nodes" "$name" "$load_before" "$(cut -d' ' -f1 /proc/loadavg)" >>"$work/runs.jsonl" <<'PY'
import json, sys
path, nodes, name, before, after = sys.argv[1:]
r = json.loads(open(path).read().strip().splitlines()[-1])
nodes = int(nodes)
r["nodes"], r["case"], r["load_before"], r["load_after"] = nodes, name, float(before), float(after)
r["redis_cpu_s"] = r["cpu_s_%d" % nodes]
r["nodes_cpu_s"] = r["server_cpu_s"] + (r["cpu_s_1"] if nodes == 2 else 0)
print(json.dumps(r))
PY
  tail -1 "$work/runs.jsonl" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
per_msg = r["redis_cpu_s"] * 1e6 / max(1, r["published"])
print("nodes=%d %-4s deliveries/s=%.0f p50=%.1fms p99=%.1fms lost=%d published=%d nodes_cpu=%.2fs redis_cpu=%.2fs (%.0f us/message, %.1f%% of all) load %.1f->%.1f"
      % (r["nodes"], r["case"], r["deliveries_per_s"], r["latency_p50_ms"], r["latency_p99_ms"], r["lost"], r["published"],
         r["nodes_cpu_s"], r["redis_cpu_s"], per_msg, 100 * r["redis_cpu_s"] / (r["redis_cpu_s"] + r["nodes_cpu_s"]),
         r["load_before"], r["load_after"]))'
}

echo "members: $members, publishers: 2, window: $duration, rate: $rate msg/s, rounds: $rounds, redis pid $redis_pid on $port, work dir: $work"
echo "\$ $0 $port $rounds $members $duration $rate"
: >"$work/runs.jsonl"
for round in $(seq "$rounds"); do
  for nodes in 1 2; do
    start_nodes "$nodes"
    measure "$nodes" rate --rate "$rate"
    measure "$nodes" max --rate 0 --window 64
    stop_nodes
  done
done

python3 - "$work/runs.jsonl" "$members" "$duration" "$rate" <<'PY'
import json, statistics, sys
path, members, duration, rate = sys.argv[1:]
runs = [json.loads(line) for line in open(path) if line.strip()]
def median(values):
    return statistics.median(values) if values else float("nan")
print()
print("Summary: medians of %d rounds, %s members in one room, 2 publishers, %s window" % (max(1, len(runs) // 4), members, duration))
print("| nodes | at %s msg/s: p50 / p99 ms | as fast as possible: deliveries/s | CPU per delivery, nodes + Redis (us) | Redis CPU per message (us) | Redis share of CPU | load |" % rate)
print("|---|---|---|---|---|---|---|")
for nodes in (1, 2):
    at_rate = [r for r in runs if r["nodes"] == nodes and r["case"] == "rate"]
    at_max = [r for r in runs if r["nodes"] == nodes and r["case"] == "max"]
    per_delivery = median([(r["nodes_cpu_s"] + r["redis_cpu_s"]) * 1e6 / max(1, r["deliveries_per_s"] * r["window_s"]) for r in at_max])
    per_message = median([r["redis_cpu_s"] * 1e6 / max(1, r["published"]) for r in at_max])
    share = median([100 * r["redis_cpu_s"] / (r["redis_cpu_s"] + r["nodes_cpu_s"]) for r in at_max])
    loads = [r["load_before"] for r in at_rate + at_max]
    print("| %d | %.1f / %.1f | %.0f | %.1f | %.1f | %.1f %% | %.1f-%.1f |" % (
        nodes, median([r["latency_p50_ms"] for r in at_rate]), median([r["latency_p99_ms"] for r in at_rate]),
        median([r["deliveries_per_s"] for r in at_max]), per_delivery, per_message, share,
        min(loads, default=float("nan")), max(loads, default=float("nan"))))
lost = sum(r["lost"] for r in runs)
print("lost deliveries in all runs: %d; raw results: %s" % (lost, path))
PY
