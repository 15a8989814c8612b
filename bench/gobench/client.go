package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

const (
	// ipBindAddressNoPort is IP_BIND_ADDRESS_NO_PORT of linux/in.h, which package syscall lacks.
	ipBindAddressNoPort = 24
	// slowReceiveBufferBytes: a member that stops reading gets a small receive window, so the
	// kernel buffers little for it and the server's own outbound bound is what fills up.
	slowReceiveBufferBytes = 4096
	handshakeTimeout       = 30 * time.Second
)

// member is one WebSocket connection of the run. Its reader goroutine owns in, closeCode and
// received; its one writer goroutine (which the scenario picks) owns out.
type member struct {
	index     int
	conn      *websocket.Conn
	prefix    []byte // what the server's frames carrying this member's room's messages start with
	in        []byte // the frame being read, reused
	out       []byte // the frame being written, reused
	payload   int
	closeCode int         // the status of the server's close frame, 0 when none came
	received  int64       // bench messages this member received
	ended     atomic.Bool // fanout: a slow member's connection has ended since it read again
}

// send writes one bench message carrying sentNanos. An error means the connection is gone, which
// its reader notices and counts; the message simply never arrives.
func (m *member) send(sentNanos int64) {
	m.out = appendPayload(m.out[:0], sentNanos, m.payload)
	_ = m.conn.WriteMessage(websocket.TextMessage, m.out)
}

// readFrames hands every data frame (borrowed until onFrame returns) to onFrame until the
// connection ends, and keeps the server's close code.
func (m *member) readFrames(onFrame func(frame []byte)) {
	for {
		_, r, err := m.conn.NextReader()
		if err == nil {
			m.in, err = readAll(m.in[:0], r)
		}
		if err != nil {
			var closed *websocket.CloseError
			if errors.As(err, &closed) {
				m.closeCode = closed.Code
			}
			return
		}
		onFrame(m.in)
	}
}

// readAll appends what r holds to buf, growing it only when a frame is larger than any before.
func readAll(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// clients dials the plan's server and keeps count of the connections it lost. Thread-safe.
type clients struct {
	plan    *plan
	closing atomic.Bool
	lost    atomic.Int64
	// Write buffers are taken for one message at a time: idle connections hold none.
	writeBuffers sync.Pool
}

func newClients(p *plan) *clients {
	return &clients{plan: p}
}

func (c *clients) dialer(slow bool) *websocket.Dialer {
	netDialer := &net.Dialer{Timeout: handshakeTimeout, Control: socketOptions(c.plan.sourceAddress != "", slow)}
	if c.plan.sourceAddress != "" {
		netDialer.LocalAddr = &net.TCPAddr{IP: net.ParseIP(c.plan.sourceAddress)}
	}
	return &websocket.Dialer{
		NetDialContext:   netDialer.DialContext,
		HandshakeTimeout: handshakeTimeout,
		ReadBufferSize:   4096,
		// One frame per message, however large the payload, as a browser would send it.
		WriteBufferSize: c.plan.payload + 256,
		WriteBufferPool: &c.writeBuffers,
	}
}

// socketOptions sets, before the socket binds and connects: a source address bound without a
// port, which then is picked at connect time for the whole (source, destination) pair instead of
// being held from every other connection of the machine (and its TIME_WAIT too); a small receive
// buffer for a member that will stop reading.
func socketOptions(sourceBound, slow bool) func(network, address string, raw syscall.RawConn) error {
	return func(network, address string, raw syscall.RawConn) error {
		var optionErr error
		err := raw.Control(func(fd uintptr) {
			if sourceBound {
				optionErr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, ipBindAddressNoPort, 1)
			}
			if optionErr == nil && slow {
				optionErr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, slowReceiveBufferBytes)
			}
		})
		if err != nil {
			return err
		}
		return optionErr
	}
}

// opened is what openAll made: the members that connected, in index order, and the attempts that failed.
type opened struct {
	members      []*member
	failed       int
	firstFailure string
	elapsed      time.Duration
}

// openAll opens count connections, member i to roomOf(i) (slow when isSlow(i)), with at most
// plan.concurrency handshakes in flight; it returns when every attempt has ended.
func (c *clients) openAll(count int, roomOf func(i int) string, isSlow func(i int) bool) opened {
	p := c.plan
	dialers := map[bool]*websocket.Dialer{false: c.dialer(false), true: c.dialer(true)}
	members := make([]*member, count)
	var next, failed atomic.Int64
	var firstFailure atomic.Value
	var workers sync.WaitGroup
	start := time.Now()
	for w := 0; w < p.concurrency && w < count; w++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for i := int(next.Add(1) - 1); i < count; i = int(next.Add(1) - 1) {
				room := roomOf(i)
				conn, _, err := dialers[isSlow(i)].Dial(fmt.Sprintf("ws://%s%s", p.serverFor(i).Host, p.path(room)), nil)
				if err != nil {
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, err.Error())
					continue
				}
				prefix := serverTextPrefix(room, p.scenario == "echo" && p.echoPath)
				members[i] = &member{index: i, conn: conn, prefix: prefix, payload: p.payload,
					in: make([]byte, 0, len(prefix)+p.payload+64)}
			}
		}()
	}
	workers.Wait()
	result := opened{failed: int(failed.Load()), elapsed: time.Since(start)}
	if f := firstFailure.Load(); f != nil {
		result.firstFailure = f.(string)
	}
	for _, m := range members {
		if m != nil {
			result.members = append(result.members, m)
		}
	}
	return result
}

// openEvery is openAll for the traffic scenarios: a figure from fewer clients than asked would
// mislead, so any failure fails the run. The joins then settle before traffic starts.
func (c *clients) openEvery(count int, roomOf func(i int) string, isSlow func(i int) bool) ([]*member, error) {
	if limit := socketsPerProcess(); count > limit {
		return nil, fmt.Errorf("%d connections exceed what one process may open (%d, from its open-file limit); "+
			"only connect spreads over processes", count, limit)
	}
	o := c.openAll(count, roomOf, isSlow)
	if o.failed > 0 {
		c.closeAll(o.members)
		return nil, fmt.Errorf("%d of %d connections failed, first: %s", o.failed, count, o.firstFailure)
	}
	time.Sleep(500 * time.Millisecond)
	return o.members, nil
}

// endedByServer tells, when a member's reader has returned, whether the server (not this tool's
// closing) ended it, and counts it then.
func (c *clients) endedByServer() bool {
	if c.closing.Load() {
		return false
	}
	c.lost.Add(1)
	return true
}

// closeAll closes every connection; from now on, a connection that ends is not counted as lost.
func (c *clients) closeAll(members []*member) {
	c.closing.Store(true)
	for _, m := range members {
		m.conn.Close()
	}
}

// socketsPerProcess is how many connections one process can hold: its open-file limit (which Go
// raises to the hard limit at start) less room for the files and pipes of the process itself.
func socketsPerProcess() int {
	var limit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &limit); err != nil {
		return 1000
	}
	return int(limit.Cur) - 100
}
