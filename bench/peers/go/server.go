// The FastAPI tutorial's endpoints on Go + gorilla/websocket, as a peer for `roomcast bench`:
// /echo answers "Message text was: ...", /ws is the global chat, /ws/{room} the multi-room chat.
// A broadcast is framed once (PreparedMessage) and queued to each member's writer goroutine;
// a member whose queue is full is dropped, as in gorilla's chat example.
// Build: GO111MODULE=off GOPATH=/usr/share/gocode go build -o peer-go server.go; run: ./peer-go PORT
package main

import (
	"log"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/gorilla/websocket"
)

const queueLength = 256

var upgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 1024,
	CheckOrigin:     func(r *http.Request) bool { return true },
}

type client struct {
	conn  *websocket.Conn
	queue chan *websocket.PreparedMessage
}

type hub struct {
	mu    sync.RWMutex
	rooms map[string]map[*client]struct{}
}

func (h *hub) join(room string, c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	members, ok := h.rooms[room]
	if !ok {
		members = make(map[*client]struct{})
		h.rooms[room] = members
	}
	members[c] = struct{}{}
}

func (h *hub) leave(room string, c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	members := h.rooms[room]
	delete(members, c)
	if len(members) == 0 {
		delete(h.rooms, room)
	}
}

func (h *hub) broadcast(room string, text string) {
	prepared, err := websocket.NewPreparedMessage(websocket.TextMessage, []byte(text))
	if err != nil {
		return
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.rooms[room] {
		select {
		case c.queue <- prepared:
		default:
			c.conn.Close() // slow consumer: its reader goroutine sees the error and leaves
		}
	}
}

func (c *client) writePump() {
	for message := range c.queue {
		if err := c.conn.WritePreparedMessage(message); err != nil {
			c.conn.Close()
			return
		}
	}
}

var rooms = &hub{rooms: make(map[string]map[*client]struct{})}

func chat(w http.ResponseWriter, r *http.Request, room string, render func(string) string, leftText string) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &client{conn: conn, queue: make(chan *websocket.PreparedMessage, queueLength)}
	go c.writePump()
	rooms.join(room, c)
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			break
		}
		rooms.broadcast(room, render(string(data)))
	}
	rooms.leave(room, c)
	close(c.queue)
	conn.Close()
	rooms.broadcast(room, leftText)
}

func main() {
	port := "8000"
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	http.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			if conn.WriteMessage(websocket.TextMessage, []byte("Message text was: "+string(data))) != nil {
				return
			}
		}
	})
	http.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		chat(w, r, "", func(t string) string { return "Message: " + t }, "Client left the chat")
	})
	http.HandleFunc("/ws/", func(w http.ResponseWriter, r *http.Request) {
		room := strings.TrimPrefix(r.URL.Path, "/ws/")
		chat(w, r, "/"+room, func(t string) string { return "Message from " + room + ": " + t },
			"Client left the room "+room)
	})
	log.Printf("go gorilla peer on 127.0.0.1:%s", port)
	log.Fatal(http.ListenAndServe("127.0.0.1:"+port, nil))
}
