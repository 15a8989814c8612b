// gobench is a second, independent load generator for cross-checking `roomcast bench`: Go and
// gorilla/websocket instead of Java and Netty, so it shares no runtime, JIT or allocation habits
// with the server it measures. It speaks the FastAPI tutorial's text protocol (/ws/{room}, /echo),
// runs the same scenarios with the same flags, and prints the same figures under the same names
// (a table, or one JSON line with --json). Loopback only; bounded in count and time.
//
// Build (offline, from Debian's golang-go and golang-github-gorilla-websocket-dev): ./build.sh
//
//	gobench connect -n 15000 --rooms 100 --duration 2s --server-pid PID
//	gobench echo -n 1000 [--echo-path]
//	gobench fanout -n 10000 --rate 1          (or --rate 0 --window 64)
//	gobench fanout -n 10000 --rate 1 --url ws://127.0.0.1:8001,ws://127.0.0.1:8002 --publishers 2
//	                                          (members and publishers spread over two nodes)
//	gobench chat -n 5000 --room-size 50 --rate 1
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

func main() {
	p, err := parsePlan(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "gobench:", err)
		fmt.Fprintln(os.Stderr, "usage: gobench connect|echo|fanout|chat [flags]; gobench SCENARIO -h lists the flags")
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	command := commandLine(os.Args[1:])
	if !p.json && !p.child {
		fmt.Fprintln(out, "$ "+command)
		out.Flush()
	}
	r, err := run(p, command, out)
	if err != nil {
		out.Flush()
		fmt.Fprintln(os.Stderr, "gobench:", err)
		os.Exit(1)
	}
	if r == nil { // a child of a connect run reports on its own
		return
	}
	if p.json {
		fmt.Fprintln(out, r.json())
	} else {
		fmt.Fprint(out, r.table())
	}
}

// run drives one plan to the end and returns its figures; nil for a child of a connect run.
func run(p *plan, command string, out *bufio.Writer) (*result, error) {
	r := newResult().
		put("tool", "gobench").
		put("scenario", p.scenario).
		put("server", p.server.String()).
		put("protocol", "seed").
		put("clients", p.clients).
		put("command", command)
	switch p.scenario {
	case "connect":
		if !p.child {
			// One process holds at most its open-file limit in sockets: more go to child processes.
			perProcess := socketsPerProcess()
			p.procs = max(p.procs, (p.clients+perProcess-1)/perProcess)
		}
		if p.procs > 1 && !p.child {
			return runConnectProcesses(p, r.put("procs", p.procs))
		}
		return runConnect(p, r.put("rooms", p.rooms), out)
	case "echo":
		path := "room of one"
		if p.echoPath {
			path = "/echo"
		}
		return runEcho(p, r.put("path", path))
	case "fanout":
		rate := fmt.Sprint(p.rate)
		if p.rate == 0 {
			rate = fmt.Sprintf("max, window %d", p.window)
		}
		if len(p.servers) > 1 || p.publishers > 1 {
			r.put("servers", len(p.servers)).put("publishers", p.publishers)
		}
		return runFanout(p, r.put("rate", rate))
	case "chat":
		return runChat(p, r.put("room_size", p.roomSize).put("rate_per_client", p.rate))
	}
	return nil, fmt.Errorf("unknown scenario %q", p.scenario)
}

// commandLine is the command as typed, quoted where a shell would need it.
func commandLine(args []string) string {
	words := []string{"gobench"}
	for _, a := range args {
		if a != "" && strings.Trim(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-") == "" {
			words = append(words, a)
		} else {
			words = append(words, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
		}
	}
	return strings.Join(words, " ")
}
