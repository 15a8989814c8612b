package main

import (
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
)

// maxLatency: latencies above it are recorded as it, so one stall cannot break the histogram.
const maxLatency = int64(2 * time.Minute)

// histogram counts nanosecond values in log-linear buckets, like HdrHistogram with three
// significant digits: below 2^histogramBits every value has its own bucket, above it each power of
// two is split into 2^(histogramBits-1) buckets, so a value reads back within 0.1 %. Not
// thread-safe; a recorder's lock guards it.
type histogram struct {
	counts []uint64
	total  uint64
	max    int64
}

const histogramBits = 11

func newHistogram() *histogram {
	return &histogram{counts: make([]uint64, bucketOf(maxLatency)+1)}
}

func bucketOf(v int64) int {
	if v < 1<<histogramBits {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - histogramBits
	top := int(v >> uint(shift)) // in [2^(bits-1), 2^bits)
	return 1<<histogramBits + (shift-1)<<(histogramBits-1) + top - 1<<(histogramBits-1)
}

// highestIn is the largest value that falls in bucket b, which is what a percentile reads as.
func highestIn(b int) int64 {
	if b < 1<<histogramBits {
		return int64(b)
	}
	above := b - 1<<histogramBits
	shift := above>>(histogramBits-1) + 1
	top := int64(above&(1<<(histogramBits-1)-1) + 1<<(histogramBits-1))
	return (top+1)<<uint(shift) - 1
}

func (h *histogram) record(v int64) {
	if v < 0 {
		v = 0
	}
	if v > maxLatency {
		v = maxLatency
	}
	h.counts[bucketOf(v)]++
	h.total++
	if v > h.max {
		h.max = v
	}
}

func (h *histogram) add(other *histogram) {
	for i, c := range other.counts {
		h.counts[i] += c
	}
	h.total += other.total
	if other.max > h.max {
		h.max = other.max
	}
}

// valueAt is the value at or below which percentile % of the samples fall; 0 when empty.
func (h *histogram) valueAt(percentile float64) int64 {
	if h.total == 0 {
		return 0
	}
	wanted := uint64(math.Ceil(percentile / 100 * float64(h.total)))
	if wanted < 1 {
		wanted = 1
	}
	var seen uint64
	for b, c := range h.counts {
		seen += c
		if seen >= wanted {
			if v := highestIn(b); v < h.max {
				return v
			}
			return h.max
		}
	}
	return h.max
}

// percentAbove is the percentage of samples above limit (to the bucket's precision).
func (h *histogram) percentAbove(limit time.Duration) float64 {
	if h.total == 0 {
		return 0
	}
	var atOrBelow uint64
	for b := 0; b <= bucketOf(int64(limit)) && b < len(h.counts); b++ {
		atOrBelow += h.counts[b]
	}
	return 100 - 100*float64(atOrBelow)/float64(h.total)
}

// window is the measured span of a run on monotonicNanos: it opens after the warm-up and closes
// after the duration. Thread-safe.
type window struct {
	start atomic.Int64
	end   atomic.Int64
}

func newWindow() *window {
	w := &window{}
	w.start.Store(math.MaxInt64)
	w.end.Store(math.MaxInt64)
	return w
}

func (w *window) open(nowNanos int64)  { w.start.Store(nowNanos) }
func (w *window) close(nowNanos int64) { w.end.Store(nowNanos) }

func (w *window) contains(nanos int64) bool {
	return nanos >= w.start.Load() && nanos < w.end.Load()
}

func (w *window) closed() bool {
	return w.end.Load() != math.MaxInt64
}

func (w *window) seconds() float64 {
	return float64(w.end.Load()-w.start.Load()) / 1e9
}

// recorder holds what a share of the clients received: counts and a latency histogram, behind a
// lock that only the clients of that share (and a reader of the totals) take.
type recorder struct {
	mu               sync.Mutex
	latency          *histogram
	received         int64 // bench messages over the whole run
	receivedInWindow int64 // bench messages that arrived inside the window
	unexpected       int64 // frames that were no bench message
}

// recorders spreads the clients over a few recorders, so the client goroutines of two cores
// rarely wait on each other's lock. Thread-safe.
type recorders struct {
	shards   []recorder
	received atomic.Int64 // the sum of every shard's received, for the drain to poll cheaply
}

const recorderShards = 16

func newRecorders() *recorders {
	r := &recorders{shards: make([]recorder, recorderShards)}
	for i := range r.shards {
		r.shards[i].latency = newHistogram()
	}
	return r
}

// record counts one bench message that client index received at nowNanos, sent at sentNanos.
func (r *recorders) record(index int, w *window, sentNanos, nowNanos int64) {
	s := &r.shards[index%recorderShards]
	s.mu.Lock()
	s.received++
	if w.contains(nowNanos) {
		s.receivedInWindow++
	}
	if w.contains(sentNanos) {
		s.latency.record(nowNanos - sentNanos)
	}
	s.mu.Unlock()
	r.received.Add(1)
}

func (r *recorders) recordUnexpected(index int) {
	s := &r.shards[index%recorderShards]
	s.mu.Lock()
	s.unexpected++
	s.mu.Unlock()
}

// totals is every shard added up, each read under its lock.
func (r *recorders) totals() *recorder {
	total := &recorder{latency: newHistogram()}
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		total.latency.add(s.latency)
		total.received += s.received
		total.receivedInWindow += s.receivedInWindow
		total.unexpected += s.unexpected
		s.mu.Unlock()
	}
	return total
}

// putLatency puts the percentiles of h, in ms, under name.
func putLatency(r *result, name string, h *histogram) {
	ms := func(v int64) float64 { return float64(v) / 1e6 }
	r.put(name+"_samples", int64(h.total)).
		put(name+"_p50_ms", ms(h.valueAt(50))).
		put(name+"_p99_ms", ms(h.valueAt(99))).
		put(name+"_p999_ms", ms(h.valueAt(99.9))).
		put(name+"_max_ms", ms(h.max))
}
