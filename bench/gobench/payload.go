package main

import (
	"bytes"
	"strconv"
	"time"
)

// A bench message's text is `~<send time in ns>~` padded with x to the asked size, as `roomcast
// bench` writes it. The send time is on this process's monotonic clock, so the publisher and the
// receivers of one measurement live in the same process.
const (
	payloadMark = '~'
	minPayload  = 24
	maxPayload  = 60000
)

var (
	clockStart = time.Now()
	padding    = bytes.Repeat([]byte{'x'}, maxPayload)
)

// monotonicNanos is the time since this process started, on the monotonic clock.
func monotonicNanos() int64 {
	return int64(time.Since(clockStart))
}

// appendPayload appends a message text of size bytes carrying sentNanos to buf.
func appendPayload(buf []byte, sentNanos int64, size int) []byte {
	start := len(buf)
	buf = append(buf, payloadMark)
	buf = strconv.AppendInt(buf, sentNanos, 10)
	buf = append(buf, payloadMark)
	return append(buf, padding[:size-(len(buf)-start)]...)
}

// payloadSentNanos reads the send time of a frame that starts with prefix followed by a bench
// payload; ok is false for any other frame (a "left" notice, another client's text).
func payloadSentNanos(frame, prefix []byte) (sentNanos int64, ok bool) {
	if len(frame) <= len(prefix) || !bytes.HasPrefix(frame, prefix) || frame[len(prefix)] != payloadMark {
		return 0, false
	}
	// Parsed by hand: this runs for every delivery, and strconv would need a string of the digits.
	digits := frame[len(prefix)+1:]
	negative := len(digits) > 0 && digits[0] == '-'
	if negative {
		digits = digits[1:]
	}
	var value int64
	for i, b := range digits {
		switch {
		case b >= '0' && b <= '9':
			value = value*10 + int64(b-'0')
		case b == payloadMark && i > 0:
			if negative {
				value = -value
			}
			return value, true
		default:
			return 0, false
		}
	}
	return 0, false
}

// serverTextPrefix is what the tutorial's server puts before a message it relays to a room member,
// or before the echo of /echo.
func serverTextPrefix(room string, echoPath bool) []byte {
	if echoPath {
		return []byte("Message text was: ")
	}
	return []byte("Message from " + room + ": ")
}
