package main

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestAPayloadHasTheAskedSizeAndCarriesItsSendTime(t *testing.T) {
	prefix := serverTextPrefix("lobby", false)
	for _, size := range []int{minPayload, 100, maxPayload} {
		frame := appendPayload(append([]byte(nil), prefix...), 123456789012, size)
		if len(frame)-len(prefix) != size {
			t.Fatalf("payload of %d bytes asked, %d written", size, len(frame)-len(prefix))
		}
		sent, ok := payloadSentNanos(frame, prefix)
		if !ok || sent != 123456789012 {
			t.Fatalf("read back %d, %v", sent, ok)
		}
	}
}

func TestFramesThatAreNoBenchMessageAreRecognised(t *testing.T) {
	prefix := serverTextPrefix("lobby", false)
	for _, frame := range []string{
		"Client left the room lobby",
		"Message from lobby: hello",
		"Message from other: ~12~xxxxxxxxxxxxxxxxxxxx",
		"Message from lobby: ~12",
		"Message from lobby: ~~xxxxxxxxxxxxxxxxxxxxx",
	} {
		if _, ok := payloadSentNanos([]byte(frame), prefix); ok {
			t.Errorf("%q taken for a bench message", frame)
		}
	}
	if sent, ok := payloadSentNanos([]byte("Message text was: ~-5~xx"), serverTextPrefix("", true)); !ok || sent != -5 {
		t.Errorf("echo frame read as %d, %v", sent, ok)
	}
}

func TestEveryValueFallsInABucketThatReadsBackWithinATenthOfAPercent(t *testing.T) {
	for _, v := range []int64{0, 1, 2047, 2048, 2049, 4095, 4096, 1e6, 123456789, maxLatency} {
		b := bucketOf(v)
		high := highestIn(b)
		if high < v || float64(high-v) > 0.001*float64(v)+1 {
			t.Errorf("%d in bucket %d reads back as %d", v, b, high)
		}
		if b > 0 && highestIn(b-1) >= v {
			t.Errorf("%d also fits the bucket below, which reads back as %d", v, highestIn(b-1))
		}
	}
}

func TestPercentilesOfAKnownDistribution(t *testing.T) {
	h := newHistogram()
	for v := int64(1); v <= 1000; v++ {
		h.record(v * int64(time.Millisecond))
	}
	within := func(got int64, wantMs float64) bool {
		return float64(got) >= wantMs*1e6 && float64(got) <= wantMs*1e6*1.001
	}
	if !within(h.valueAt(50), 500) || !within(h.valueAt(99), 990) || h.max != int64(1000*time.Millisecond) {
		t.Errorf("p50 %d, p99 %d, max %d", h.valueAt(50), h.valueAt(99), h.max)
	}
	if above := h.percentAbove(late); above < 74.9 || above > 75.1 {
		t.Errorf("%.2f %% above 250 ms, want 75", above)
	}
}

func TestChildSourceAddressesSpreadOverTheLoopbackNetwork(t *testing.T) {
	for i, want := range map[int]string{0: "127.0.0.2", 253: "127.0.0.255", 254: "127.0.1.0", 70000: "127.1.17.114"} {
		if got := loopbackSource(i); got != want {
			t.Errorf("child %d: %s, want %s", i, got, want)
		}
	}
}

func TestResultsPrintLikeRoomcastBench(t *testing.T) {
	r := newResult().put("scenario", "echo").put("sent", int64(3)).put("rtt_p99_ms", 1.23456).put("command", `a "b"`)
	if got := r.json(); got != `{"scenario":"echo","sent":3,"rtt_p99_ms":1.235,"command":"a \"b\""}` {
		t.Errorf("json: %s", got)
	}
}

func TestOnlyLoopbackIsAccepted(t *testing.T) {
	if _, err := parsePlan([]string{"echo", "--url", "ws://127.0.0.1:8000"}); err != nil {
		t.Errorf("loopback refused: %v", err)
	}
	if _, err := parsePlan([]string{"echo", "--url", "ws://192.0.2.1:8000"}); err == nil {
		t.Errorf("a non-loopback address was accepted")
	}
}

func TestFanoutSpreadsMembersAndPublishersOverEveryServer(t *testing.T) {
	p, err := parsePlan([]string{"fanout", "-n", "5", "--publishers", "2", "--cpu-pids", "7,9",
		"--url", "ws://127.0.0.1:8001,ws://127.0.0.1:8002"})
	if err != nil {
		t.Fatal(err)
	}
	var hosts []string
	for i := 0; i < 5; i++ {
		hosts = append(hosts, p.serverFor(i).Host)
	}
	if got := strings.Join(hosts, " "); got != "127.0.0.1:8001 127.0.0.1:8002 127.0.0.1:8001 127.0.0.1:8002 127.0.0.1:8001" {
		t.Errorf("members on %s", got)
	}
	if p.server.Host != "127.0.0.1:8001" || len(p.cpuPids) != 2 || p.cpuPids[1] != 9 {
		t.Errorf("server %s, cpu pids %v", p.server.Host, p.cpuPids)
	}
	for _, refused := range [][]string{
		{"echo", "--url", "ws://127.0.0.1:8001,ws://127.0.0.1:8002"},
		{"fanout", "--url", "ws://127.0.0.1:8001,ws://192.0.2.1:8002"},
		{"fanout", "-n", "3", "--publishers", "2", "--slow", "2"},
		{"fanout", "--cpu-pids", "x"},
	} {
		if _, err := parsePlan(refused); err == nil {
			t.Errorf("%v accepted", refused)
		}
	}
}

func TestPublishersTogetherPublishTheRunsMessagesAtTheirShareOfTheRate(t *testing.T) {
	p := &plan{rate: 100, window: 4}
	pubs := newPublishers([]*member{{index: 0}, {index: 1}}, p, newWindow(), &deliveries{received: new(atomic.Int64)})
	if pubs.each[0].rate != 50 || pubs.each[1].rate != 50 {
		t.Errorf("rates %v and %v, want 50 each", pubs.each[0].rate, pubs.each[1].rate)
	}
	taken := 0
	for i := 0; i < 10; i++ {
		if pubs.each[i%2].claim(7) {
			taken++
		}
	}
	if taken != 7 || pubs.sent.Load() != 7 {
		t.Errorf("%d messages claimed of 7, counted %d", taken, pubs.sent.Load())
	}
}
