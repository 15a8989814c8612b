"""Prints compare.sh's results as one table: medians over runs, and Roomcast's ratio to each peer.

Usage: python3 compare_table.py results.jsonl
"""
import json
import statistics
import sys

# (case, field, label, higher_is_better)
ROWS = [
    ("connect", "server_rss_bytes_per_connection", "idle conn: RSS bytes/conn, fresh server", False),
    ("connect-2", "server_rss_bytes_per_connection", "idle conn: RSS bytes/conn, 2nd round", False),
    ("connect", "connections_per_s", "idle conn: connections/s", True),
    ("connect-2", "connections_per_s", "idle conn: connections/s, 2nd round", True),
    ("connect", "server_cpu_us_per_connection", "idle conn: server CPU us/connection, fresh server", False),
    ("connect", "bench_cpu_pct", "  bench CPU % (connect, all client procs)", None),
    ("echo", "messages_per_s", "echo: messages/s", True),
    ("echo", "rtt_p99_ms", "echo: RTT p99 ms", False),
    ("echo", "server_cpu_us_per_message", "echo: server CPU us/message", False),
    ("echo", "bench_cpu_pct", "  bench CPU % (echo)", None),
    ("fanout-1/s", "latency_p99_ms", "fanout 1 msg/s: p99 ms", False),
    ("fanout-1/s", "server_cpu_us_per_delivery", "fanout 1 msg/s: server CPU us/delivery", False),
    ("fanout-1/s", "lost", "fanout 1 msg/s: lost", False),
    ("fanout-max", "deliveries_per_s", "fanout max: deliveries/s", True),
    ("fanout-max", "server_cpu_us_per_delivery", "fanout max: server CPU us/delivery", False),
    ("fanout-max", "latency_p99_ms", "fanout max: p99 ms", False),
    ("fanout-max", "lost", "fanout max: lost", False),
    ("fanout-max", "bench_cpu_pct", "  bench CPU % (fanout max)", None),
    ("chat", "deliveries_per_s", "chat: deliveries/s", True),
    ("chat", "offered_deliveries_per_s", "chat: offered deliveries/s", None),
    ("chat", "latency_p99_ms", "chat: p99 ms", False),
    ("chat", "late_pct", "chat: % later than 250 ms", False),
    ("chat", "server_cpu_us_per_delivery", "chat: server CPU us/delivery", False),
    ("chat", "server_cpu_pct", "  server CPU % (chat)", None),
    ("chat", "lost", "chat: lost", False),
    ("chat", "bench_cpu_pct", "  bench CPU % (chat)", None),
    ("slow", "broadcast_mb", "slow reader: MB broadcast to the room", None),
    ("slow", "slow_closed_1013", "slow reader: closed with 1013 (of 1)", None),
    ("slow", "slow_closed_otherwise", "slow reader: closed without 1013 (of 1)", None),
    ("slow", "server_rss_growth_mib", "slow reader: server RSS growth MiB", False),
    ("slow", "lost", "slow reader: lost by the others", False),
    ("slow", "deliveries_per_s", "slow reader: others' deliveries/s", True),
]


def main(path):
    values = {}
    peers = []
    errors = []
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if "error" in r:
                errors.append(f'{r["peer"]} {r["case"]} run {r["run"]}: {r["error"]}')
            if r["peer"] not in peers:
                peers.append(r["peer"])
            for key, value in r.items():
                if isinstance(value, (int, float)):
                    values.setdefault((r["peer"], r["case"], key), []).append(value)
    def median(peer, case, field):
        v = values.get((peer, case, field))
        return statistics.median(v) if v else None

    others = [p for p in peers if p != "roomcast"]
    header = ["metric (median of runs)"] + peers + ["roomcast/" + p for p in others]
    rows = []
    for case, field, label, higher in ROWS:
        cells = [label]
        for p in peers:
            m = median(p, case, field)
            cells.append("-" if m is None else (f"{m:,.0f}" if abs(m) >= 100 else f"{m:,.2f}"))
        base = median("roomcast", case, field)
        for p in others:
            m = median(p, case, field)
            if higher is None or base is None or m is None or m == 0:
                cells.append("")
            else:
                cells.append(f"{base / m:.2f}x")
        rows.append(cells)
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    def show(r):
        return "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r))
    print(show(header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(show(r))
    for e in errors:
        print("FAILED " + e)
    print("\nratios: roomcast's figure divided by the peer's (for bytes, latency and CPU, lower is better)")


if __name__ == "__main__":
    main(sys.argv[1])
