// Type declarations for roomcast.js and roomcast.mjs (docs/protocol.md, "The JavaScript client").

/** A position in a room's history: offsets are comparable only within one epoch. */
export interface Position {
    epoch: string;
    offset: number;
}

export interface Options {
    /** First reconnect delay, doubled per failed attempt up to maxDelayMs, then jittered. Default 250. */
    minDelayMs?: number;
    /** Default 10000. */
    maxDelayMs?: number;
    /** How long a request waits for its answer, the connection included. Default 10000. */
    requestTimeoutMs?: number;
    /** How often an open connection sends a ping; one left unanswered drops it. Default 25000. */
    pingIntervalMs?: number;
    /** The WebSocket class; the global one by default. */
    WebSocket?: { new (url: string): WebSocket };
    /** Asks the server why a connection failed before its welcome; the global fetch by default. */
    fetch?: (url: string, init?: RequestInit) => Promise<Response>;
    /** Keeps joined rooms and positions across reloads, e.g. sessionStorage. */
    storage?: Pick<Storage, "getItem" | "setItem"> | null;
    /** The key in storage. Default "roomcast". */
    storageKey?: string;
}

export interface Welcome {
    type: "welcome";
    session: string;
    user: string;
    name: string;
    node: string;
}

export interface Ok extends Partial<Position> {
    type: "ok";
    ref?: string;
    room?: string;
}

export interface Message extends Partial<Position> {
    type: "message";
    room: string;
    from: string;
    /** The publisher's name for the kind of message, when it gave one. */
    event?: string;
    /** What the message is the latest value of, when the publisher gave a key (see Publication.key). */
    key?: string;
    /** The text of a text message; absent for a data message. */
    text?: string;
    /** The JSON value of a data message (numbers beyond 2^53 lose digits in JSON.parse). */
    data?: unknown;
    /** Server time, milliseconds since the Unix epoch. */
    ts: number;
}

/** What publish sends besides the room: a text or any JSON value, and how it is delivered. */
export interface Publication {
    text?: string;
    data?: unknown;
    /** 1 to 64 characters. */
    event?: string;
    /**
     * 1 to 128 characters: what the message is the latest value of. In a namespace whose slow-consumer
     * policy is conflate, it replaces a waiting message of the same key for a member that is behind.
     */
    key?: string;
    /** false: live only, no position, never in history or recovery. */
    store?: boolean;
    /** false: every member but this connection. */
    echo?: boolean;
    /** A retry with the same key in the same room within the server's window is not delivered twice. */
    idempotencyKey?: string;
}

export interface Direct {
    type: "direct";
    from: string;
    text: string;
    ts: number;
}

export interface PresenceChange {
    type: "joined" | "left";
    room: string;
    user: string;
}

export interface Presence {
    type: "presence";
    ref?: string;
    room: string;
    /** One page of the room's users; absent in a count room (`presence: count`). */
    users?: { user: string; sessions: number }[];
    /** The cursor of the next page; absent on the last. */
    next?: string;
    /** In a count room: its members on every node, in place of `users`. */
    members?: number;
}

/** A count room's member count (`presence: count`), at most once a second. */
export interface Occupancy {
    type: "occupancy";
    room: string;
    members: number;
}

export interface Recovered extends Position {
    type: "recovered";
    room: string;
    recovered: boolean;
    missed: number;
}

export interface Close {
    code: number;
    reason: string;
    reconnecting: boolean;
    delayMs: number;
    /** For a connection that failed before its welcome: the status the server gave the probe. */
    status?: number;
    /** The server's one-line reason with that status. */
    detail?: string;
    /** The probe got no answer: the server is unreachable. */
    unreachable?: boolean;
}

export interface Events {
    open: Welcome;
    message: Message;
    direct: Direct;
    joined: PresenceChange;
    left: PresenceChange;
    occupancy: Occupancy;
    recovered: Recovered;
    error: RoomcastError;
    close: Close;
}

/** An `error` answer from the server; `code` is the stable error code. */
export class RoomcastError extends Error {
    readonly code: string;
    readonly ref?: string;
    constructor(code: string, message: string, ref?: string);
}

export class Client {
    /** @param url the /v1/ws URL, or a function returning it for every connect (a fresh ?token=). */
    constructor(url: string | (() => string), options?: Options);
    readonly url: string | (() => string);
    /** Whether the connection is open and welcomed. */
    readonly connected: boolean;
    /** Subscribes; returns the function that unsubscribes. */
    on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): () => void;
    join(room: string, options?: { history?: number }): Promise<Ok>;
    leave(room: string): Promise<Ok>;
    /** Leaves and rejoins with the first join's history replay: what to do after `recovered: false`. */
    reload(room: string): Promise<Ok>;
    /** Resolves with the message's position (the first publish's for a repeated idempotency key); none with store: false. */
    publish(room: string, message: string | Publication): Promise<Ok & Partial<Position>>;
    direct(to: string, text: string): Promise<Ok>;
    /** One page of who is in the room (up to `limit`, 1 to 1000, after `cursor`, a previous page's `next`). */
    presence(room: string, options?: { limit?: number; cursor?: string }): Promise<Presence>;
    ping(): Promise<Ok>;
    refresh(token: string): Promise<Ok>;
    /** The rooms it is in or will rejoin, those restored from storage included. */
    joinedRooms(): string[];
    /** The newest position seen in a joined room. */
    position(room: string): Position | null;
    reconnect(): void;
    close(): void;
}

declare const Roomcast: { Client: typeof Client; RoomcastError: typeof RoomcastError };
export default Roomcast;
