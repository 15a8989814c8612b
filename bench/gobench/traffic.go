package main

import (
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"time"
)

// late: chat counts the deliveries that took longer than this.
const late = 250 * time.Millisecond

// runEcho: N clients, each alone in its room (or on /echo), each sending its next message as soon
// as its previous one comes back.
func runEcho(p *plan, r *result) (*result, error) {
	c, w, rec := newClients(p), newWindow(), newRecorders()
	var sent atomic.Int64
	members, err := c.openEvery(p.clients, func(i int) string { return fmt.Sprintf("echo-%s-%d", p.runID, i) }, never)
	if err != nil {
		return nil, err
	}
	defer c.closeAll(members)
	begin := make(chan struct{})
	for _, m := range members {
		// Each member's one goroutine both reads and writes: its next message follows its last reply.
		go func(m *member) {
			<-begin
			sent.Add(1)
			m.send(monotonicNanos())
			m.readFrames(func(frame []byte) {
				if !recordBenchMessage(rec, w, m, frame) {
					return
				}
				if !w.closed() {
					sent.Add(1)
					m.send(monotonicNanos())
				}
			})
			c.endedByServer()
		}(m)
	}
	close(begin)
	usage, err := measure(p, w, untilDuration)
	if err != nil {
		return nil, err
	}
	during := rec.totals()
	await(func() bool { return rec.received.Load() >= sent.Load() }, p.drainTimeout)
	total := rec.totals()
	r.put("window_s", w.seconds()).put("messages_per_s", float64(during.receivedInWindow)/w.seconds())
	usage.putInto(r, during.receivedInWindow, "message")
	r.put("sent", sent.Load()).
		put("received", total.received).
		put("lost", sent.Load()-total.received).
		put("other_frames", total.unexpected).
		put("closed_by_server", c.lost.Load())
	putLatency(r, "rtt", total.latency)
	return r, nil
}

// runFanout: S members of one room, spread over the --url servers; members 0..P-1 of --publishers P
// also publish, together at a fixed rate or as fast as a window of messages in flight allows, up to
// --messages when bounded. Every member, the publishers included, receives each message. The K
// members after the publishers of --slow K stop reading once joined: they are left out of every
// count and read again after the drain, to show how the server closed them.
func runFanout(p *plan, r *result) (*result, error) {
	c, w, rec := newClients(p), newWindow(), newRecorders()
	isSlow := func(i int) bool { return i >= p.publishers && i < p.publishers+p.slow }
	readers := int64(p.clients - p.slow)
	room := "fan-" + p.runID
	members, err := c.openEvery(p.clients, func(int) string { return room }, isSlow)
	if err != nil {
		return nil, err
	}
	defer c.closeAll(members)
	rss, err := startRSSSampler(probeServer(p.serverPid))
	if err != nil {
		return nil, err
	}
	d := &deliveries{received: &rec.received}
	d.openReaders.Store(readers)
	pubs := newPublishers(members[:p.publishers], p, w, d)
	readAgain := make(chan struct{})
	var slow []*member
	var readersClosedByServer atomic.Int64
	for _, m := range members {
		if isSlow(m.index) {
			slow = append(slow, m)
			go func(m *member) {
				<-readAgain
				m.readFrames(func([]byte) {})
				m.ended.Store(true)
			}(m)
			continue
		}
		go func(m *member) {
			m.readFrames(func(frame []byte) {
				if recordBenchMessage(rec, w, m, frame) {
					m.received++
					if m.index < len(pubs.each) {
						pubs.each[m.index].wake()
					}
				}
			})
			if c.endedByServer() {
				readersClosedByServer.Add(1)
				d.forget(m)
			}
		}(m)
	}
	for _, pub := range pubs.each {
		go pub.run()
	}
	usage, err := measure(p, w, func() bool {
		return p.messages > 0 && pubs.sent.Load() >= p.messages && d.reachedAll(p.messages)
	})
	if err != nil {
		return nil, err
	}
	during := rec.totals()
	await(func() bool { return d.reachedAll(pubs.sent.Load()) }, p.drainTimeout)
	total := rec.totals()
	published := pubs.sent.Load()
	expected := published * readers
	r.put("window_s", w.seconds()).
		put("deliveries_per_s", float64(during.receivedInWindow)/w.seconds()).
		put("messages_per_s", float64(during.receivedInWindow)/float64(p.clients)/w.seconds())
	usage.putInto(r, during.receivedInWindow, "delivery")
	r.put("published", published).
		put("broadcast_mb", float64(published)*float64(p.payload)/1e6).
		put("expected", expected).
		put("received", total.received).
		put("lost", expected-total.received).
		put("other_frames", total.unexpected).
		put("closed_by_server", readersClosedByServer.Load())
	putLatency(r, "latency", total.latency)
	if rss != nil {
		rss.putInto(r)
	}
	if len(slow) > 0 {
		close(readAgain)
		await(func() bool { return allEnded(slow) }, p.drainTimeout)
		var closed1013, stillOpen int
		for _, m := range slow {
			switch {
			case !m.ended.Load():
				stillOpen++
			case m.closeCode == 1013:
				closed1013++
			}
		}
		// Closed without a 1013 frame: typically cut by the server before the member, reading again
		// only now, could reach the close frame queued behind the data it had not read.
		r.put("slow_members", len(slow)).
			put("slow_closed_1013", closed1013).
			put("slow_closed_otherwise", len(slow)-closed1013-stillOpen).
			put("slow_still_open", stillOpen)
	}
	return r, nil
}

func allEnded(members []*member) bool {
	for _, m := range members {
		if !m.ended.Load() {
			return false
		}
	}
	return true
}

// deliveries are the bench messages received by the reading members that are still open: what
// the publisher's window and the end of the run wait on. A reader the server closes takes its
// deliveries out with it, so the others are not held back waiting for one that will never read
// again. Thread-safe.
type deliveries struct {
	received     *atomic.Int64 // by every reader, open or not
	ofLostReader atomic.Int64
	openReaders  atomic.Int64
}

// forget takes a reader the server closed out of the count; on that reader's goroutine.
func (d *deliveries) forget(m *member) {
	d.openReaders.Add(-1)
	d.ofLostReader.Add(m.received)
}

func (d *deliveries) toOpenReaders() int64 {
	return d.received.Load() - d.ofLostReader.Load()
}

// perOpenReader is the messages the average open reader has received.
func (d *deliveries) perOpenReader() int64 {
	open := d.openReaders.Load()
	if open < 1 {
		open = 1
	}
	return d.toOpenReaders() / open
}

// reachedAll tells whether every open reader has received messages (or no reader is left).
func (d *deliveries) reachedAll(messages int64) bool {
	return d.toOpenReaders() >= messages*d.openReaders.Load()
}

// publishers are the members that publish, each on a goroutine of its own, together at the plan's
// rate (each at its share) or within its window (shared: the messages all of them sent that the
// average open reader has not received yet).
type publishers struct {
	each []*publisher
	sent atomic.Int64 // by all of them
}

func newPublishers(members []*member, p *plan, w *window, d *deliveries) *publishers {
	pubs := &publishers{}
	for _, m := range members {
		pubs.each = append(pubs.each, &publisher{member: m, plan: p, rate: p.rate / float64(len(members)),
			window: w, deliveries: d, total: &pubs.sent, wakeUp: make(chan struct{}, 1)})
	}
	return pubs
}

// publisher is one member's publishing, on a goroutine of its own, the member's only writer: at a
// fixed rate, latency counted from each message's intended send time so a stalled publisher
// cannot hide a slow server; or as fast as a window of messages in flight allows.
type publisher struct {
	member     *member
	plan       *plan
	rate       float64 // this publisher's share of the plan's rate
	window     *window
	deliveries *deliveries
	sent       atomic.Int64  // by this publisher
	total      *atomic.Int64 // by every publisher of the run
	wakeUp     chan struct{} // this member received a message: the window may have room
}

// claim takes one message of the run's --messages (limit) for this publisher; false once all are taken.
func (pub *publisher) claim(limit int64) bool {
	if pub.total.Add(1) > limit {
		pub.total.Add(-1)
		return false
	}
	return true
}

const minPublishTick = time.Millisecond

func (pub *publisher) wake() {
	select {
	case pub.wakeUp <- struct{}{}:
	default:
	}
}

func (pub *publisher) run() {
	limit := pub.plan.messages
	if limit == 0 {
		limit = 1<<63 - 1
	}
	tick := minPublishTick
	if pub.rate > 0 {
		tick = time.Duration(maxFloat(float64(minPublishTick), 1e9/pub.rate))
	}
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	start := monotonicNanos()
	for !pub.window.closed() && pub.total.Load() < limit {
		if pub.rate > 0 {
			pub.sendDue(start, limit)
			<-ticker.C
			continue
		}
		pub.topUp(limit)
		select {
		case <-pub.wakeUp:
		case <-ticker.C:
		}
	}
}

// sendDue sends every message whose intended time has come, each stamped with that time.
func (pub *publisher) sendDue(start, limit int64) {
	rate := pub.rate
	due := int64(float64(monotonicNanos()-start)*rate/1e9) + 1
	for count := pub.sent.Load(); count < due && pub.claim(limit); count++ {
		pub.member.send(start + int64(float64(count)*1e9/rate))
		pub.sent.Store(count + 1)
	}
}

// topUp fills the messages in flight (sent by every publisher minus received by the average open
// reader) up to the window.
func (pub *publisher) topUp(limit int64) {
	for pub.total.Load()-pub.deliveries.perOpenReader() < int64(pub.plan.window) && pub.claim(limit) {
		pub.member.send(monotonicNanos())
		pub.sent.Add(1)
	}
}

// runChat: C clients in rooms of K, each sending r messages/s at a random phase; every member of a
// room, the sender included, receives each message. Latency counts from each message's intended
// send time.
func runChat(p *plan, r *result) (*result, error) {
	c, w, rec := newClients(p), newWindow(), newRecorders()
	var sent, expected atomic.Int64
	members, err := c.openEvery(p.clients, func(i int) string { return fmt.Sprintf("chat-%s-%d", p.runID, i/p.roomSize) }, never)
	if err != nil {
		return nil, err
	}
	defer c.closeAll(members)
	for _, m := range members {
		go func(m *member) {
			m.readFrames(func(frame []byte) { recordBenchMessage(rec, w, m, frame) })
			c.endedByServer()
		}(m)
	}
	period := int64(1e9 / p.rate)
	base := monotonicNanos() + int64(50*time.Millisecond)
	random := rand.New(rand.NewSource(42))
	stop := make(chan struct{})
	var senders sync.WaitGroup
	offered := 0.0
	for _, m := range members {
		roomMembers := p.clients - m.index/p.roomSize*p.roomSize
		if roomMembers > p.roomSize {
			roomMembers = p.roomSize
		}
		offered += p.rate * float64(roomMembers)
		senders.Add(1)
		go sendEvery(m, base+random.Int63n(period), period, stop, func() {
			sent.Add(1)
			expected.Add(int64(roomMembers))
		}, &senders)
	}
	usage, err := measure(p, w, untilDuration)
	close(stop)
	senders.Wait()
	if err != nil {
		return nil, err
	}
	during := rec.totals()
	await(func() bool { return rec.received.Load() >= expected.Load() }, p.drainTimeout)
	total := rec.totals()
	r.put("window_s", w.seconds()).
		put("offered_deliveries_per_s", offered).
		put("deliveries_per_s", float64(during.receivedInWindow)/w.seconds())
	usage.putInto(r, during.receivedInWindow, "delivery")
	r.put("sent", sent.Load()).
		put("expected", expected.Load()).
		put("received", total.received).
		put("lost", expected.Load()-total.received).
		put("late_pct", total.latency.percentAbove(late)).
		put("other_frames", total.unexpected).
		put("closed_by_server", c.lost.Load())
	putLatency(r, "latency", total.latency)
	return r, nil
}

// sendEvery is a chat member's writer: a message at first, first+period, ... each stamped with its
// intended time (a sender held up by a blocked write catches up, and the delay shows as latency),
// until stop closes. afterSend runs after each message.
func sendEvery(m *member, first, period int64, stop <-chan struct{}, afterSend func(), done *sync.WaitGroup) {
	defer done.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for due := first; ; due += period {
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(time.Duration(due - monotonicNanos()))
		select {
		case <-stop:
			return
		case <-timer.C:
		}
		m.send(due)
		afterSend()
	}
}

// recordBenchMessage records frame when it is a bench message for m and says whether it was;
// anything else counts as an unexpected frame.
func recordBenchMessage(rec *recorders, w *window, m *member, frame []byte) bool {
	now := monotonicNanos()
	sentNanos, ok := payloadSentNanos(frame, m.prefix)
	if !ok {
		rec.recordUnexpected(m.index)
		return false
	}
	rec.record(m.index, w, sentNanos, now)
	return true
}

// untilDuration: for measure, the window lasts the whole duration.
func untilDuration() bool { return false }

// measure lets the traffic warm up, then opens the window for the duration or until finished,
// and returns the CPU the server and this tool used while it was open.
func measure(p *plan, w *window, finished func() bool) (cpuUsage, error) {
	time.Sleep(p.warmup)
	w.open(monotonicNanos())
	var others []*serverProbe
	for _, pid := range p.cpuPids {
		others = append(others, probeServer(pid))
	}
	cpu, err := startCPUMeter(probeServer(p.serverPid), others...)
	if err != nil {
		w.close(monotonicNanos())
		return cpuUsage{}, err
	}
	await(finished, p.duration)
	w.close(monotonicNanos())
	return cpu.stop()
}

// await polls done every 20 ms for up to timeout; it returns whether done became true.
func await(done func() bool, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for !done() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}
