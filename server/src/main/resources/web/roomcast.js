/*
 * roomcast.js: a small client for Roomcast's JSON protocol v1 (docs/protocol.md), for browsers
 * and for Node 20+ (run with `node --experimental-websocket`, or pass a WebSocket class).
 *
 *   const client = new Roomcast.Client("ws://127.0.0.1:8000/v1/ws?name=ann");
 *   client.on("message", m => console.log(m.room, m.from, m.event, m.text ?? m.data));
 *   client.on("recovered", r => { if (!r.recovered) client.reload(r.room); });
 *   await client.join("lobby");
 *   await client.publish("lobby", "hello");
 *   await client.publish("game:42", { event: "move", data: { x: 3 }, store: false, echo: false });
 *
 * It reconnects by itself (exponential backoff with full jitter) and rejoins its rooms with `since` set
 * to the last message it saw, so the server replays exactly what it missed; when that is not
 * possible it emits a `recovered` event with `recovered: false`. The server sends such an event
 * unprompted, too, when it lost some of a room's messages while the connection stayed open (a
 * broker outage); `client.reload(room)` rejoins the room with its history. In a room whose namespace
 * drops a slow member's oldest messages (`drop_oldest`), a gap in offsets is filled by itself: it
 * leaves and rejoins the room with `since`, and the missed messages arrive in order. A connection that fails
 * before the server's welcome is followed by a plain GET of the same URL, which tells a refused token
 * or origin (401, 403: it stops) from a server that is gone (it keeps trying). Requests return
 * promises settled by the server's answer with the same `ref`.
 */
(function (root, factory) {
    "use strict";
    const Roomcast = factory();
    if (typeof module === "object" && module.exports) {
        module.exports = Roomcast;
    } else {
        root.Roomcast = Roomcast;
    }
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
    "use strict";

    /** Close codes after which reconnecting cannot help (docs/protocol.md, "Close codes"). */
    const FINAL_CLOSE_CODES = new Set([1002, 1003, 1007, 1008, 1009, 4001]);

    const DEFAULTS = {
        /** First reconnect delay; doubled per failed attempt up to maxDelayMs, then jittered. */
        minDelayMs: 250,
        maxDelayMs: 10000,
        /** How long a request waits for its answer (including for the connection to open). */
        requestTimeoutMs: 10000,
        /** How often an open connection checks it is alive with a `ping`; unanswered, it is dropped. */
        pingIntervalMs: 25000,
        /** The WebSocket class; the global one by default. */
        WebSocket: typeof WebSocket !== "undefined" ? WebSocket : undefined,
        /**
         * The fetch function that asks the server why a connection failed before its welcome;
         * the global one by default. Without one, such failures are retried like network failures.
         */
        fetch: typeof fetch !== "undefined" ? (url, init) => fetch(url, init) : undefined,
        /**
         * Where to keep the joined rooms and their positions (a Storage such as sessionStorage),
         * so that a new client, after a page reload, rejoins them and recovers what it missed.
         */
        storage: null,
        /** The storage key; clients sharing a storage need one each. */
        storageKey: "roomcast",
    };

    /** HTTP answers to the probe that say the token or the origin is refused: retrying cannot help. */
    const REFUSED_STATUSES = new Set([401, 403]);

    /** An `error` answer from the server: `code` is the stable error code. */
    class RoomcastError extends Error {
        constructor(code, message, ref) {
            super(message);
            this.name = "RoomcastError";
            this.code = code;
            this.ref = ref;
        }
    }

    /** Is `a` a later position than `b` in the same room? A new epoch is always later. */
    function isNewer(a, b) {
        return !b || a.epoch !== b.epoch || a.offset > b.offset;
    }

    class Client {
        /**
         * @param {string|function(): string} url the /v1/ws URL, e.g. "wss://chat.example.com/v1/ws",
         *        or a function returning it, called for every (re)connect: the place to put a fresh
         *        ?token=… so that a connection closed for an expired token comes back
         * @param {object} [options] see DEFAULTS (and roomcast.d.ts)
         */
        constructor(url, options) {
            this.url = url;
            this.options = Object.assign({}, DEFAULTS, options || {});
            if (!this.options.WebSocket) {
                throw new Error("no WebSocket class: pass options.WebSocket, or run Node with --experimental-websocket");
            }
            /** room -> { position: {epoch, offset} | null, history: number, active: joined at least once } */
            this.rooms = new Map();
            /** ref -> { resolve, reject, timer } */
            this.pending = new Map();
            this.listeners = new Map();
            this.waitingForOpen = [];
            this.nextRef = 1;
            this.attempt = 0;
            this.closed = false;
            this.socket = null;
            this.welcome = null;
            this.reconnectTimer = null;
            this.pingTimer = setInterval(() => this.checkLiveness(), this.options.pingIntervalMs);
            this.restoreRooms();
            this.connect();
        }

        /**
         * Subscribes to an event and returns the function that unsubscribes. Events:
         * "open" (welcome frame), "message" (the frame: room, from, event if any, text or data, ts,
         * epoch and offset unless published with store: false), "direct", "joined", "left",
         * "occupancy" ({room, members}: a count room's member count, at most once a second), "recovered",
         * "error" (error frames nobody awaits), "close" ({code, reason, reconnecting, delayMs}, and
         * for a connection that failed before its welcome {status, detail} of the server's answer to
         * the probe, or {unreachable: true}).
         */
        on(event, listener) {
            if (!this.listeners.has(event)) {
                this.listeners.set(event, new Set());
            }
            this.listeners.get(event).add(listener);
            return () => this.listeners.get(event).delete(listener);
        }

        /** The rooms it is in (or will rejoin), including those restored from `storage`. */
        joinedRooms() {
            return Array.from(this.rooms.keys()).filter((room) => this.rooms.get(room).active);
        }

        /** The newest position seen in a joined room, {epoch, offset}, or null. */
        position(room) {
            const state = this.rooms.get(room);
            return state && state.position ? { epoch: state.position.epoch, offset: state.position.offset } : null;
        }

        /** Whether the connection is open and welcomed. */
        get connected() {
            return this.welcome !== null;
        }

        /**
         * Joins a room; after a reconnect the client rejoins it by itself, recovering what it
         * missed. Resolves with the server's `ok` ({room, epoch, offset}).
         * @param {object} [options] history: replay that many of the newest messages on this first join
         */
        join(room, options) {
            const existing = this.rooms.get(room);
            if (existing && existing.active) {
                return this.sendJoin(room, existing);
            }
            const state = { position: null, history: (options && options.history) || 0, active: false };
            this.rooms.set(room, state);
            return this.sendJoin(room, state).then((ok) => {
                state.active = true;
                this.saveRooms();
                return ok;
            }, (error) => {
                if (this.rooms.get(room) === state && !state.active) {
                    this.rooms.delete(room);
                }
                throw error;
            });
        }

        /**
         * Leaves the room and joins it again with the `history` replay of its first join: what to
         * do after a `recovered` event with `recovered: false`, to show the room as it now is.
         * Resolves with the new join's `ok`; the replayed messages follow as `message` events.
         */
        reload(room) {
            const state = this.rooms.get(room);
            const history = state ? state.history : 0;
            return this.leave(room).catch(() => null).then(() => this.join(room, { history: history }));
        }

        /** Leaves a room (and stops rejoining it). */
        leave(room) {
            this.rooms.delete(room);
            this.saveRooms();
            return this.request({ type: "leave", room: room });
        }

        /**
         * Publishes to a joined room; resolves with {room, epoch, offset} ({room} alone for store: false).
         * @param {string|object} message a text, or {text} or {data} (any JSON value) with optional
         *        event (a name for the kind of message), key (what the message is the latest value of:
         *        in a `conflate` namespace it replaces a waiting one of the same key), store (false: live
         *        only, never in history),
         *        echo (false: not back to this connection) and idempotencyKey (a retry with the same key
         *        within the server's window is not delivered twice and resolves with the first position)
         */
        publish(room, message) {
            const request = { type: "publish", room: room };
            if (typeof message === "string") {
                request.text = message;
            } else {
                if (message.text !== undefined) request.text = message.text;
                if (message.data !== undefined) request.data = message.data;
                if (message.event !== undefined) request.event = message.event;
                if (message.key !== undefined) request.key = message.key;
                if (message.store !== undefined) request.store = message.store;
                if (message.echo !== undefined) request.echo = message.echo;
                if (message.idempotencyKey !== undefined) request.idempotency_key = message.idempotencyKey;
            }
            return this.request(request);
        }

        /** Sends a private message to every session of user `to`. */
        direct(to, text) {
            return this.request({ type: "direct", to: to, text: text });
        }

        /**
         * Resolves with the `presence` frame: one page {room, users: [{user, sessions}], next}, `next` absent on
         * the last page; in a count room {room, members} instead. `options.limit` (1 to 1000) and
         * `options.cursor` (the `next` of the previous page) page through a big room.
         */
        presence(room, options) {
            const request = { type: "presence", room: room };
            if (options && options.limit !== undefined) {
                request.limit = options.limit;
            }
            if (options && options.cursor !== undefined && options.cursor !== null) {
                request.cursor = options.cursor;
            }
            return this.request(request);
        }

        ping() {
            return this.request({ type: "ping" });
        }

        /** Hands the server a fresh token for the same user before the current one expires. */
        refresh(token) {
            return this.request({ type: "refresh", token: token });
        }

        /** Drops the current connection and reconnects at once, recovering missed messages. */
        reconnect() {
            this.attempt = 0;
            if (this.socket) {
                this.socket.close(1000, "reconnecting");
            }
        }

        /** Closes for good: no more reconnects; pending requests fail. */
        close() {
            this.closed = true;
            clearTimeout(this.reconnectTimer);
            clearInterval(this.pingTimer);
            if (this.socket) {
                this.socket.close(1000, "");
            }
            this.failPending(new Error("client closed"));
        }

        // ---- internals ------------------------------------------------------------------------

        connect() {
            this.socketUrl = typeof this.url === "function" ? this.url() : this.url;
            const socket = new this.options.WebSocket(this.socketUrl);
            this.socket = socket;
            socket.onmessage = (event) => this.onFrame(event.data);
            socket.onclose = (event) => this.onClose(socket, event.code, event.reason);
            // In browsers an error is always followed by a close event, which decides what happens
            // next. Node 20's WebSocket fires no close when the connection itself fails (refused,
            // or the upgrade answered with an error status): it stays CONNECTING. So an error
            // before open counts as the close; a close event that still follows is then ignored.
            socket.onerror = () => {
                if (socket.readyState === 0) {
                    this.onClose(socket, 1006, "");
                }
            };
        }

        onFrame(data) {
            let frame;
            try {
                frame = JSON.parse(data);
            } catch (e) {
                return;
            }
            switch (frame.type) {
                case "welcome":
                    this.welcome = frame;
                    this.attempt = 0;
                    this.emit("open", frame);
                    this.rejoinRooms();
                    this.waitingForOpen.splice(0).forEach((send) => send());
                    return;
                case "message":
                    if (this.setAsideForGap(frame)) {
                        return;
                    }
                    this.advance(frame.room, frame);
                    this.emit("message", frame);
                    return;
                case "recovered":
                    if (!frame.recovered) {
                        // Nothing is replayed: carry on from the room's current position.
                        this.advance(frame.room, frame);
                    }
                    this.emit("recovered", frame);
                    return;
                case "ok":
                case "presence":
                case "error":
                    this.settle(frame);
                    return;
                default:
                    // direct, joined, left, occupancy and any frame type added later in v1
                    this.emit(frame.type, frame);
            }
        }

        /**
         * Ping/pong liveness (docs/protocol.md, "Client behaviour"): a connection that leaves a
         * `ping` unanswered for requestTimeoutMs is dead (half-open TCP): drop it and reconnect.
         */
        checkLiveness() {
            const socket = this.socket;
            if (!this.connected) {
                return;
            }
            this.ping().catch((error) => {
                if (error.timedOut && socket === this.socket) {
                    this.onClose(socket, 1006, "no answer to ping");
                    socket.close(1000, "no answer to ping");
                }
            });
        }

        onClose(socket, code, reason) {
            if (socket !== this.socket) {
                return;
            }
            const welcomed = this.welcome !== null;
            this.socket = null;
            this.welcome = null;
            this.failPending(new Error("connection lost (" + code + ")"));
            if (code === 1006 && !welcomed && !this.closed && this.options.fetch) {
                // A refused upgrade and an unreachable server look the same here: ask over HTTP.
                this.probe(this.socketUrl).then((answer) => this.afterClose(code, reason, answer));
            } else {
                this.afterClose(code, reason, {});
            }
        }

        /**
         * Asks the server, with a plain GET on the WebSocket URL, what an upgrade would be told
         * (docs/protocol.md, "Client behaviour", rule 3). Resolves with {status, detail} when the
         * server answered, or {unreachable: true} when it did not within requestTimeoutMs.
         */
        probe(url) {
            const abort = new AbortController();
            const timer = setTimeout(() => abort.abort(), this.options.requestTimeoutMs);
            return this.options.fetch(url.replace(/^ws/, "http"), { signal: abort.signal, cache: "no-store" })
                .then((response) => response.text().then((text) => ({ status: response.status, detail: text.trim() })))
                .catch(() => ({ unreachable: true }))
                .finally(() => clearTimeout(timer));
        }

        /** Emits the `close` event for a connection that ended, and reconnects unless that cannot help. */
        afterClose(code, reason, answer) {
            const refused = REFUSED_STATUSES.has(answer.status);
            const freshToken = code === 1008 && reason === "token expired" && typeof this.url === "function";
            const reconnecting = !this.closed && !refused && (!FINAL_CLOSE_CODES.has(code) || freshToken);
            const delayMs = reconnecting ? this.nextDelay() : 0;
            const event = { code: code, reason: refused ? "upgrade refused with HTTP " + answer.status : reason,
                reconnecting: reconnecting, delayMs: delayMs };
            if (answer.status) {
                event.status = answer.status;
                event.detail = answer.detail;
            }
            if (answer.unreachable) {
                event.unreachable = true;
            }
            this.emit("close", event);
            if (reconnecting) {
                this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
            } else {
                this.closed = true;
                clearInterval(this.pingTimer);
                this.waitingForOpen.splice(0);
            }
        }

        /** Exponential backoff with full jitter: a random delay in [0, d], d = min(max, min * 2^attempt). */
        nextDelay() {
            const ceiling = Math.min(this.options.maxDelayMs, this.options.minDelayMs * Math.pow(2, Math.min(this.attempt, 30)));
            this.attempt++;
            return Math.round(Math.random() * ceiling);
        }

        /**
         * Rejoins every room it was in after a reconnect, from the last position seen in it. Rooms
         * whose first join is still waiting are joined by that request.
         */
        rejoinRooms() {
            this.rooms.forEach((state, room) => {
                // A rejoin with since replays whatever a gap being filled lacked.
                state.fillingGap = false;
                if (state.active) {
                    this.sendJoin(room, state).catch((error) => this.emit("error", error));
                }
            });
        }

        sendJoin(room, state) {
            const join = { type: "join", room: room };
            if (state.position) {
                join.since = { epoch: state.position.epoch, offset: state.position.offset };
            } else if (state.history > 0) {
                join.history = state.history;
            }
            return this.request(join).then((ok) => {
                // A first join starts at the room's current position; a recovering one learns its
                // position from the replayed messages (or from `recovered` when none can be).
                if (!join.since) {
                    this.advance(room, ok);
                }
                return ok;
            }, (error) => {
                if (error.code === "already_joined") {
                    return { type: "ok", room: room };
                }
                throw error;
            });
        }

        /**
         * A room whose namespace drops a slow member's oldest messages (`drop_oldest`) shows the member a
         * gap in offsets. Instead of the message after the gap, the client leaves and joins again with
         * `since` the last message it saw, so the server replays the gap and this message in order; until
         * the join's answer, the room's messages are set aside (the replay has them). A message with a
         * `key` is left alone: in a `conflate` namespace gaps before keyed messages are by design.
         * Returns whether the frame was set aside.
         */
        setAsideForGap(frame) {
            const state = this.rooms.get(frame.room);
            if (!state || !state.active || typeof frame.epoch !== "string") {
                return false;
            }
            if (state.fillingGap) {
                return true;
            }
            const seen = state.position;
            if (!seen || seen.epoch !== frame.epoch || frame.offset <= seen.offset + 1 || frame.key !== undefined) {
                return false;
            }
            state.fillingGap = true;
            // Settled in the same task as the join's ok frame, so the replay that follows it is taken.
            this.request({ type: "leave", room: frame.room })
                .then(() => this.sendJoin(frame.room, state))
                .catch((error) => this.emit("error", error))
                .then(() => {
                    state.fillingGap = false;
                });
            return true;
        }

        advance(room, frame) {
            const state = this.rooms.get(room);
            const position = { epoch: frame.epoch, offset: frame.offset };
            // An ephemeral message (store: false) has no epoch: it is never recovered, so it never
            // moves the position (docs/protocol.md, "Client behaviour", rule 4).
            if (state && typeof frame.epoch === "string" && isNewer(position, state.position)) {
                state.position = position;
                this.saveRooms();
            }
        }

        /** Takes the rooms (and positions) a previous client saved in `storage` as joined. */
        restoreRooms() {
            let saved = null;
            try {
                saved = this.options.storage && JSON.parse(this.options.storage.getItem(this.options.storageKey));
            } catch (e) {
                // unreadable: start without rooms
            }
            if (!saved || typeof saved !== "object") {
                return;
            }
            Object.keys(saved).forEach((room) => {
                const p = saved[room];
                const position = p && typeof p.epoch === "string" && Number.isInteger(p.offset)
                    ? { epoch: p.epoch, offset: p.offset } : null;
                this.rooms.set(room, { position: position, history: 0, active: true });
            });
        }

        saveRooms() {
            if (this.options.storage) {
                const saved = {};
                this.rooms.forEach((state, room) => {
                    if (state.active) {
                        saved[room] = state.position;
                    }
                });
                this.options.storage.setItem(this.options.storageKey, JSON.stringify(saved));
            }
        }

        request(body) {
            const ref = String(this.nextRef++);
            body.ref = ref;
            return new Promise((resolve, reject) => {
                let expired = false;
                const timer = setTimeout(() => {
                    expired = true;
                    this.pending.delete(ref);
                    const timeout = new Error("no answer to " + body.type + " within " + this.options.requestTimeoutMs + " ms");
                    timeout.timedOut = true;
                    reject(timeout);
                }, this.options.requestTimeoutMs);
                const send = () => {
                    if (expired) {
                        return;
                    }
                    this.pending.set(ref, { resolve: resolve, reject: reject, timer: timer });
                    this.socket.send(JSON.stringify(body));
                };
                if (this.closed) {
                    clearTimeout(timer);
                    reject(new Error("client closed"));
                } else if (this.connected) {
                    send();
                } else {
                    this.waitingForOpen.push(send);
                }
            });
        }

        settle(frame) {
            const waiting = frame.ref !== undefined ? this.pending.get(frame.ref) : undefined;
            if (!waiting) {
                if (frame.type === "error") {
                    this.emit("error", new RoomcastError(frame.code, frame.message, frame.ref));
                }
                return;
            }
            this.pending.delete(frame.ref);
            clearTimeout(waiting.timer);
            if (frame.type === "error") {
                waiting.reject(new RoomcastError(frame.code, frame.message, frame.ref));
            } else {
                waiting.resolve(frame);
            }
        }

        failPending(error) {
            this.pending.forEach((waiting) => {
                clearTimeout(waiting.timer);
                waiting.reject(error);
            });
            this.pending.clear();
        }

        emit(event, payload) {
            const listeners = this.listeners.get(event);
            if (listeners) {
                listeners.forEach((listener) => listener(payload));
            }
        }
    }

    return { Client: Client, RoomcastError: RoomcastError };
});
