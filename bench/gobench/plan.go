package main

import (
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// plan is everything one run is told to do, with the flag names and defaults of `roomcast bench`.
type plan struct {
	scenario      string
	server        *url.URL   // the first of servers
	servers       []*url.URL // fanout: member i connects to servers[i % len(servers)]
	clients       int        // connections (connect, echo, chat) or room members including the publisher (fanout)
	rooms         int        // connect: rooms the connections are spread over
	roomSize      int        // chat: members per room
	rate          float64    // fanout: the publisher's msg/s, 0 = as fast as the window allows; chat: each client's msg/s
	window        int        // fanout at rate 0: messages in flight at most
	publishers    int        // fanout: members 0..publishers-1 publish, together at rate (or within window)
	slow          int        // fanout: members that stop reading once joined
	messages      int64      // fanout: messages to publish at most, 0 = no bound; the window ends once all are delivered
	payload       int        // bytes of text per message
	echoPath      bool       // echo over /echo instead of a room of one
	warmup        time.Duration
	duration      time.Duration // measured window, or how long connect holds its connections
	drainTimeout  time.Duration
	concurrency   int   // handshakes in flight at once
	serverPid     int   // 0 when unknown
	cpuPids       []int // other processes whose CPU over the measured window is reported
	procs         int   // connect: client processes
	sourceAddress string
	runID         string
	child         bool // one client process of a connect run with several
	json          bool
}

func parsePlan(args []string) (*plan, error) {
	if len(args) == 0 {
		return nil, errors.New("no scenario")
	}
	p := &plan{scenario: args[0]}
	switch p.scenario {
	case "connect", "echo", "fanout", "chat":
	default:
		return nil, fmt.Errorf("unknown scenario %q", p.scenario)
	}
	flags := flag.NewFlagSet("gobench "+p.scenario, flag.ContinueOnError)
	server := flags.String("url", "ws://127.0.0.1:8000", "server to load; loopback only. fanout: a comma-separated list spreads the members over several (member i on the (i mod count)th)")
	flags.IntVar(&p.clients, "n", 100, "connections (connect, echo, chat) or room members including the publisher (fanout)")
	flags.IntVar(&p.rooms, "rooms", 10, "connect: rooms the connections are spread over")
	flags.IntVar(&p.roomSize, "room-size", 50, "chat: members per room")
	flags.Float64Var(&p.rate, "rate", 0, "fanout: publisher msg/s, 0 = as fast as --window allows; chat: msg/s per client")
	flags.IntVar(&p.window, "window", 64, "fanout at rate 0: messages in flight at most")
	flags.IntVar(&p.publishers, "publishers", 1, "fanout: members that publish (the first ones, so spread over the --url servers like the rest); --rate and --window are for all of them together")
	flags.IntVar(&p.slow, "slow", 0, "fanout: members that stop reading once joined")
	flags.Int64Var(&p.messages, "messages", 0, "fanout: messages to publish at most; the window ends once all are delivered; 0 = no bound")
	flags.IntVar(&p.payload, "payload", 32, fmt.Sprintf("bytes of text per message (%d to %d)", minPayload, maxPayload))
	flags.BoolVar(&p.echoPath, "echo-path", false, "echo: use /echo instead of a room of one per client")
	flags.DurationVar(&p.warmup, "warmup", 2*time.Second, "traffic before the measured window")
	flags.DurationVar(&p.duration, "duration", 10*time.Second, "measured window, or how long connect holds its connections")
	flags.DurationVar(&p.drainTimeout, "drain-timeout", 10*time.Second, "how long to wait for messages still in flight after the window")
	flags.IntVar(&p.concurrency, "concurrency", 256, "handshakes in flight at once")
	flags.IntVar(&p.serverPid, "server-pid", 0, "the server's pid, to report its CPU and resident memory from /proc")
	cpuPids := flags.String("cpu-pids", "", "fanout: comma-separated pids of other processes (a second node, Redis) whose CPU over the window is reported as cpu_s_1, cpu_s_2, ... in this order")
	flags.IntVar(&p.procs, "procs", 1, "connect: client processes, each from its own 127.x.y.z; more are used when one process's open-file limit is too low")
	flags.StringVar(&p.sourceAddress, "source-address", "", "loopback address to connect from; the kernel chooses by default")
	flags.StringVar(&p.runID, "run-id", strconv.FormatInt(rand.New(rand.NewSource(time.Now().UnixNano())).Int63n(1<<28), 36),
		"suffix that makes room names unique")
	flags.BoolVar(&p.child, "child", false, "internal: one client process of a connect run")
	flags.BoolVar(&p.json, "json", false, "print one JSON line instead of a table")
	if err := flags.Parse(args[1:]); err != nil {
		return nil, err
	}
	if flags.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", flags.Arg(0))
	}
	for _, each := range strings.Split(*server, ",") {
		u, err := url.Parse(each)
		if err != nil {
			return nil, err
		}
		if u.Scheme != "ws" {
			return nil, fmt.Errorf("--url must be ws://, not %q", each)
		}
		if err := requireLoopback(u.Hostname(), "--url"); err != nil {
			return nil, err
		}
		p.servers = append(p.servers, u)
	}
	p.server = p.servers[0]
	if *cpuPids != "" {
		for _, each := range strings.Split(*cpuPids, ",") {
			pid, err := strconv.Atoi(each)
			if err != nil || pid <= 0 {
				return nil, fmt.Errorf("--cpu-pids: %q is not a pid", each)
			}
			p.cpuPids = append(p.cpuPids, pid)
		}
	}
	if p.sourceAddress != "" {
		if err := requireLoopback(p.sourceAddress, "--source-address"); err != nil {
			return nil, err
		}
	}
	return p, p.validate()
}

func (p *plan) validate() error {
	checks := []struct {
		ok      bool
		message string
	}{
		{p.clients >= 1, "-n must be at least 1"},
		{p.rooms >= 1, "--rooms must be at least 1"},
		{p.roomSize >= 1, "--room-size must be at least 1"},
		{p.rate >= 0, "--rate must not be negative"},
		{p.window >= 1, "--window must be at least 1"},
		{p.payload >= minPayload && p.payload <= maxPayload, fmt.Sprintf("--payload must be %d to %d bytes", minPayload, maxPayload)},
		{p.concurrency >= 1, "--concurrency must be at least 1"},
		{p.messages >= 0, "--messages must not be negative"},
		{p.procs >= 1, "--procs must be at least 1"},
		{p.publishers >= 1, "--publishers must be at least 1"},
		{p.slow >= 0 && p.publishers+p.slow <= p.clients, "--publishers and --slow together must not exceed the members"},
		{p.scenario == "fanout" || len(p.servers) == 1 && p.publishers == 1 && len(p.cpuPids) == 0,
			"several --url servers, --publishers and --cpu-pids are for fanout only"},
		{p.scenario != "chat" || p.rate > 0, "chat needs a --rate above 0"},
		{p.serverPid >= 0, "--server-pid must not be negative"},
	}
	for _, c := range checks {
		if !c.ok {
			return errors.New(c.message)
		}
	}
	return nil
}

// requireLoopback refuses any address outside 127.0.0.0/8 and ::1: this tool floods what it
// targets and must never be pointed at another machine.
func requireLoopback(host, flagName string) error {
	addrs, err := net.LookupIP(host)
	if err != nil {
		return fmt.Errorf("%s %q: %v", flagName, host, err)
	}
	for _, a := range addrs {
		if !a.IsLoopback() {
			return fmt.Errorf("%s %q is not a loopback address; gobench loads loopback only", flagName, host)
		}
	}
	return nil
}

// serverFor is the server member i connects to: the members take the servers in turn.
func (p *plan) serverFor(i int) *url.URL {
	return p.servers[i%len(p.servers)]
}

// path is what a client of room opens.
func (p *plan) path(room string) string {
	if p.scenario == "echo" && p.echoPath {
		return "/echo"
	}
	return "/ws/" + url.PathEscape(room)
}
