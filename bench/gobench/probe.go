package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// ticksPerSecond is the unit of /proc/PID/stat's CPU times (USER_HZ): 100 on every Linux this
// runs on. Go cannot ask sysconf without cgo.
const ticksPerSecond = 100.0

// serverProbe reads the server's CPU time and resident memory from /proc/PID; nil when the pid is
// unknown. Every read is a fresh look.
type serverProbe struct{ pid int }

func probeServer(pid int) *serverProbe {
	if pid <= 0 {
		return nil
	}
	return &serverProbe{pid}
}

// cpuSeconds is the server's user plus system CPU so far.
func (s *serverProbe) cpuSeconds() (float64, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses and may hold spaces.
	fields := bytes.Fields(stat[bytes.LastIndexByte(stat, ')')+1:])
	utime, err1 := strconv.ParseInt(string(fields[11]), 10, 64)
	stime, err2 := strconv.ParseInt(string(fields[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("cannot read CPU time of process %d", s.pid)
	}
	return float64(utime+stime) / ticksPerSecond, nil
}

// rssBytes is the server's resident set: the second field of /proc/PID/statm, in pages.
func (s *serverProbe) rssBytes() (int64, error) {
	statm, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", s.pid))
	if err != nil {
		return 0, err
	}
	fields := bytes.Fields(statm)
	pages, err := strconv.ParseInt(string(fields[1]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("cannot read memory of process %d", s.pid)
	}
	return pages * int64(os.Getpagesize()), nil
}

// ownCPUSeconds is this process's CPU so far, every thread, user plus system.
func ownCPUSeconds() float64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return math.NaN()
	}
	return float64(usage.Utime.Nano()+usage.Stime.Nano()) / 1e9
}

// cpuUsage is the CPU the server (NaN when unknown), the other processes watched and this tool used
// over wallSeconds.
type cpuUsage struct {
	wallSeconds, serverSeconds, benchSeconds float64
	otherSeconds                             []float64
}

// cpuMeter measures a span's CPU use; used by the driving goroutine only.
type cpuMeter struct {
	server      *serverProbe
	start       time.Time
	serverStart float64
	benchStart  float64
	others      []*serverProbe
	othersStart []float64
}

// startCPUMeter starts measuring the server's CPU (server may be nil), this tool's, and each of others'.
func startCPUMeter(server *serverProbe, others ...*serverProbe) (*cpuMeter, error) {
	m := &cpuMeter{server: server, start: time.Now(), benchStart: ownCPUSeconds(), others: others}
	if server != nil {
		var err error
		if m.serverStart, err = server.cpuSeconds(); err != nil {
			return nil, err
		}
	}
	for _, other := range others {
		used, err := other.cpuSeconds()
		if err != nil {
			return nil, err
		}
		m.othersStart = append(m.othersStart, used)
	}
	return m, nil
}

func (m *cpuMeter) stop() (cpuUsage, error) {
	u := cpuUsage{wallSeconds: time.Since(m.start).Seconds(), serverSeconds: math.NaN(),
		benchSeconds: ownCPUSeconds() - m.benchStart}
	if m.server != nil {
		used, err := m.server.cpuSeconds()
		if err != nil {
			return u, err
		}
		u.serverSeconds = used - m.serverStart
	}
	for i, other := range m.others {
		used, err := other.cpuSeconds()
		if err != nil {
			return u, err
		}
		u.otherSeconds = append(u.otherSeconds, used-m.othersStart[i])
	}
	return u, nil
}

// putInto puts CPU seconds and percent of one core, and the server's CPU per unit of work (when
// there was work) under the names of `roomcast bench`.
func (u cpuUsage) putInto(r *result, work int64, workName string) {
	if !math.IsNaN(u.serverSeconds) {
		r.put("server_cpu_s", u.serverSeconds).put("server_cpu_pct", 100*u.serverSeconds/u.wallSeconds)
		if work > 0 {
			r.put("server_cpu_us_per_"+workName, u.serverSeconds*1e6/float64(work))
		}
	}
	for i, used := range u.otherSeconds {
		r.put(fmt.Sprintf("cpu_s_%d", i+1), used).put(fmt.Sprintf("cpu_pct_%d", i+1), 100*used/u.wallSeconds)
	}
	r.put("bench_cpu_s", u.benchSeconds).put("bench_cpu_pct", 100*u.benchSeconds/u.wallSeconds)
}

// rssSampler reads the server's RSS every 100 ms and keeps the highest, so a run shows how far
// memory grew under load, not only where it ended.
type rssSampler struct {
	before int64
	peak   atomic.Int64
	stop   chan struct{}
}

func startRSSSampler(server *serverProbe) (*rssSampler, error) {
	if server == nil {
		return nil, nil
	}
	before, err := server.rssBytes()
	if err != nil {
		return nil, err
	}
	s := &rssSampler{before: before, stop: make(chan struct{})}
	s.peak.Store(before)
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-tick.C:
				rss, err := server.rssBytes()
				if err != nil {
					return // the server is gone; keep what was seen
				}
				if rss > s.peak.Load() {
					s.peak.Store(rss)
				}
			}
		}
	}()
	return s, nil
}

// putInto stops sampling and puts the RSS before, at its peak and the growth.
func (s *rssSampler) putInto(r *result) {
	close(s.stop)
	peak := s.peak.Load()
	r.put("server_rss_before_mib", mib(s.before)).
		put("server_rss_peak_mib", mib(peak)).
		put("server_rss_growth_mib", mib(peak-s.before))
}

func mib(bytes int64) float64 {
	return float64(bytes) / (1 << 20)
}
