package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// connectSettle: time for the server to finish the last joins and for its RSS to settle before
// it is read.
const connectSettle = 2 * time.Second

// The line a child process prints when it is ready to connect, and the one its parent answers with.
const (
	childReady = "ready"
	childGo    = "go"
)

// childReport is the JSON line a child prints once its connections are open.
type childReport struct {
	Connected    int64   `json:"connected"`
	Failed       int64   `json:"failed"`
	FirstFailure string  `json:"first_failure"`
	ConnectS     float64 `json:"connect_s"`
	CPUS         float64 `json:"cpu_s"`
}

// runConnect opens N idle connections across R rooms, measures how fast they open and the
// server's RSS per connection, then holds them for the duration. As a child of a run with several
// processes it says it is ready, connects when told to, reports, and holds until its standard
// input closes.
func runConnect(p *plan, r *result, out *bufio.Writer) (*result, error) {
	parent := bufio.NewReader(os.Stdin)
	if p.child {
		fmt.Fprintln(out, childReady)
		out.Flush()
		if _, err := parent.ReadString('\n'); err != nil {
			return nil, fmt.Errorf("waiting for %q: %v", childGo, err)
		}
	}
	server := probeServer(p.serverPid)
	var rssBefore int64
	if server != nil {
		var err error
		if rssBefore, err = server.rssBytes(); err != nil {
			return nil, err
		}
	}
	cpu, err := startCPUMeter(server)
	if err != nil {
		return nil, err
	}
	c := newClients(p)
	o := c.openAll(p.clients, func(i int) string { return fmt.Sprintf("conn-%s-%d", p.runID, i%p.rooms) }, never)
	usage, err := cpu.stop()
	if err != nil {
		return nil, err
	}
	defer c.closeAll(o.members)
	for _, m := range o.members {
		go func(m *member) {
			m.readFrames(func([]byte) {})
			c.endedByServer()
		}(m)
	}
	connected := int64(len(o.members))
	seconds := o.elapsed.Seconds()
	if p.child {
		fmt.Fprintln(out, newResult().put("connected", connected).put("failed", o.failed).
			put("first_failure", o.firstFailure).put("connect_s", seconds).put("cpu_s", usage.benchSeconds).json())
		out.Flush()
		_, err := io.Copy(io.Discard, parent)
		return nil, err
	}
	r.put("connections", connected).put("failed", o.failed).put("connect_s", seconds).
		put("connections_per_s", float64(connected)/seconds)
	if o.firstFailure != "" {
		r.put("first_failure", o.firstFailure)
	}
	usage.putInto(r, connected, "connection")
	if server != nil {
		time.Sleep(connectSettle)
		if err := putMemory(r, server, rssBefore, connected); err != nil {
			return nil, err
		}
	}
	time.Sleep(p.duration)
	return r.put("held_s", p.duration.Seconds()).put("closed_by_server", c.lost.Load()), nil
}

// runConnectProcesses is connect over several processes, for more connections than one process
// may open: children of this same binary each open their share from their own source address
// (127.0.0.2, 127.0.0.3, ...) once all are ready, report, and hold until their standard input
// closes; this process sums them and reads the server's memory while they hold. The bench CPU it
// reports is the children's over their connecting.
func runConnectProcesses(p *plan, r *result) (*result, error) {
	server := probeServer(p.serverPid)
	var rssBefore int64
	if server != nil {
		var err error
		if rssBefore, err = server.rssBytes(); err != nil {
			return nil, err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var children []*exec.Cmd
	var inputs []io.WriteCloser
	var reports []*bufio.Reader
	defer func() {
		for _, child := range children {
			child.Process.Kill() // a no-op for a child that has exited
		}
	}()
	for i := 0; i < p.procs; i++ {
		share := p.clients / p.procs
		if i < p.clients%p.procs {
			share++
		}
		child := exec.Command(self, "connect", "--child", "-n", strconv.Itoa(share), "--rooms", strconv.Itoa(p.rooms),
			"--url", p.server.String(), "--concurrency", strconv.Itoa(max(1, p.concurrency/p.procs)),
			"--source-address", loopbackSource(i), "--run-id", p.runID)
		child.Stderr = os.Stderr
		input, err := child.StdinPipe()
		if err != nil {
			return nil, err
		}
		output, err := child.StdoutPipe()
		if err != nil {
			return nil, err
		}
		if err := child.Start(); err != nil {
			return nil, err
		}
		children = append(children, child)
		inputs = append(inputs, input)
		reports = append(reports, bufio.NewReader(output))
	}
	// Every child has started before any connects, so the span below holds the connections only.
	for i := range children {
		if _, err := nextLine(reports[i], func(line string) bool { return line == childReady }); err != nil {
			return nil, err
		}
	}
	cpu, err := startCPUMeter(server)
	if err != nil {
		return nil, err
	}
	for _, input := range inputs {
		if _, err := io.WriteString(input, childGo+"\n"); err != nil {
			return nil, err
		}
	}
	var connected, failed int64
	var slowest, childCPU float64
	var firstFailure string
	for _, report := range reports {
		line, err := nextLine(report, func(line string) bool { return strings.HasPrefix(line, "{") })
		if err != nil {
			return nil, err
		}
		var child childReport
		if err := json.Unmarshal([]byte(line), &child); err != nil {
			return nil, fmt.Errorf("child report %q: %v", line, err)
		}
		connected += child.Connected
		failed += child.Failed
		slowest = maxFloat(slowest, child.ConnectS)
		childCPU += child.CPUS
		if firstFailure == "" {
			firstFailure = child.FirstFailure
		}
	}
	usage, err := cpu.stop()
	if err != nil {
		return nil, err
	}
	usage.benchSeconds = childCPU
	r.put("connections", connected).put("failed", failed).put("connect_s", slowest).
		put("connections_per_s", float64(connected)/slowest)
	if firstFailure != "" {
		r.put("first_failure", firstFailure)
	}
	usage.putInto(r, connected, "connection")
	if server != nil {
		time.Sleep(connectSettle)
		if err := putMemory(r, server, rssBefore, connected); err != nil {
			return nil, err
		}
	}
	time.Sleep(p.duration)
	r.put("held_s", p.duration.Seconds())
	for _, input := range inputs {
		input.Close()
	}
	for _, child := range children {
		exited := make(chan struct{})
		go func() { child.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
		}
	}
	return r, nil
}

// putMemory puts the server's RSS before and now, and the growth per connection.
func putMemory(r *result, server *serverProbe, before int64, connections int64) error {
	after, err := server.rssBytes()
	if err != nil {
		return err
	}
	perConnection := int64(0)
	if connections > 0 {
		perConnection = (after - before) / connections
	}
	r.put("server_rss_before_mib", mib(before)).put("server_rss_after_mib", mib(after)).
		put("server_rss_bytes_per_connection", perConnection)
	return nil
}

// loopbackSource is child i's source address: 127.0.0.2 onwards, over all of 127.0.0.0/8.
func loopbackSource(i int) string {
	n := i + 2
	return fmt.Sprintf("127.%d.%d.%d", n>>16&255, n>>8&255, n&255)
}

// nextLine is the child's next line that wanted accepts, skipping others.
func nextLine(lines *bufio.Reader, wanted func(string) bool) (string, error) {
	for {
		line, err := lines.ReadString('\n')
		if trimmed := strings.TrimSpace(line); wanted(trimmed) {
			return trimmed, nil
		}
		if err != nil {
			return "", fmt.Errorf("a client process exited without a report: %v", err)
		}
	}
}

func never(int) bool { return false }

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func maxFloat(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}
