// The full chat page (/chat.html) on roomcast.js: rooms with history, unread counts and presence,
// direct messages, and recovery across reconnects and reloads. Everything users typed is put in
// the page with textContent, never parsed as HTML.
import { Client } from "/roomcast.mjs";

// The name outlives the tab (localStorage, the default for the next visit); who this tab is, its
// token, its rooms and its conversations belong to the tab (sessionStorage) and survive a reload.
const REMEMBERED_NAME = "roomcast-chat:name";
const TAB_NAME = "roomcast-chat:tab-name";
const TAB_TOKEN = "roomcast-chat:token";
const TAB_ROOMS = "roomcast-chat:rooms";
const TAB_PAGE = "roomcast-chat:page";
const HISTORY_ON_JOIN = 50;
const OLDER_PAGE = 50;
const DIRECTS_KEPT = 100;
/** A message within this long of the previous one from the same sender joins its group. */
const GROUP_MS = 5 * 60 * 1000;
/**
 * The typing notice, published to a room while its user types: ephemeral (never stored, so never in
 * history or recovery) and not echoed. The page tells it from a chat message by its event, and
 * never shows a message with this event as a message.
 */
const TYPING = { event: "typing", data: true, store: false, echo: false };
/** While typing, at most one notice per room this often... */
const TYPING_NOTICE_MS = 2500;
/** ...and the other members show "… is typing" until this long after the last one (or the user's next message). */
const TYPING_SHOWN_MS = 6000;

const byId = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

/** key ("#room" or "@user") -> {key, kind, name, entries, seen, unread, people, beginning, typing} */
const conversations = new Map();
let current = null;
let client = null;
let me = null;

/** An element with a class and text; user data only ever goes in through here (textContent). */
function el(tag, className, text) {
    const element = document.createElement(tag);
    if (className) {
        element.className = className;
    }
    if (text !== undefined) {
        element.textContent = text;
    }
    return element;
}

function conversationFor(kind, name) {
    const key = (kind === "room" ? "#" : "@") + name;
    let c = conversations.get(key);
    if (!c) {
        // typing: user -> the timer that stops showing that the user is typing
        c = { key: key, kind: kind, name: name, entries: [], seen: new Set(), unread: 0, people: new Map(), beginning: false,
            typing: new Map() };
        conversations.set(key, c);
        renderLists();
    }
    return c;
}

// ---- entries and the log ------------------------------------------------------------------

/** Room messages of one epoch are ordered by offset; everything else by time. */
function comesAfter(a, b) {
    return a.epoch && a.epoch === b.epoch ? a.offset > b.offset : a.ts > b.ts;
}

/** Adds an entry unless it is a message already shown; returns whether it was added. */
function addEntry(c, entry) {
    if (entry.id) {
        if (c.seen.has(entry.id)) {
            return false;
        }
        c.seen.add(entry.id);
    }
    let at = c.entries.length;
    while (at > 0 && comesAfter(c.entries[at - 1], entry)) {
        at--;
    }
    c.entries.splice(at, 0, entry);
    if (c.key === current) {
        updateLoadOlder();
        if (at === c.entries.length - 1 && at > 0) {
            const log = byId("messages");
            const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
            log.append(...rendered(entry, c.entries[at - 1]));
            if (atEnd || entry.from === me) {
                log.scrollTop = log.scrollHeight;
            }
        } else {
            renderLog(true);
        }
    }
    return true;
}

/** A line from the page, not a user; `ts` places it (now by default). */
function notice(c, text, tone, ts) {
    addEntry(c, { kind: "notice", text: text, tone: tone, ts: ts === undefined ? Date.now() : ts });
}

function message(frame) {
    // An ephemeral message (store: false) has no position, so nothing to tell a repeat by; a data
    // message shows as its JSON, as the text endpoints show it.
    return { kind: "message", id: frame.epoch === undefined ? null : frame.epoch + ":" + frame.offset,
        epoch: frame.epoch, offset: frame.offset, from: frame.from,
        text: frame.text !== undefined ? frame.text : JSON.stringify(frame.data), ts: frame.ts };
}

function dayLabel(ts) {
    const day = new Date(ts).toDateString();
    if (day === new Date().toDateString()) {
        return "Today";
    }
    if (day === new Date(Date.now() - 86400000).toDateString()) {
        return "Yesterday";
    }
    return new Date(ts).toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
}

/** The list items for one entry: a day heading when the day changed since `previous`, then the entry. */
function rendered(entry, previous) {
    const items = [];
    if (!previous || new Date(previous.ts).toDateString() !== new Date(entry.ts).toDateString()) {
        items.push(el("li", "day", dayLabel(entry.ts)));
    }
    if (entry.kind === "notice") {
        items.push(el("li", "notice " + entry.tone, entry.text));
        return items;
    }
    const grouped = previous && previous.kind === "message" && previous.from === entry.from
        && entry.ts - previous.ts < GROUP_MS && items.length === 0;
    const li = el("li", "msg" + (entry.from === me ? " mine" : "") + (grouped ? " grouped" : ""));
    const meta = el("div", "meta");
    const time = el("time", null, new Date(entry.ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
    time.dateTime = new Date(entry.ts).toISOString();
    meta.append(el("span", "from", entry.from), time);
    li.append(meta, el("p", "text", entry.text));
    items.push(li);
    return items;
}

/** Renders the current conversation's log; keepPlace keeps what is on screen where it is (older messages above). */
function renderLog(keepPlace) {
    const log = byId("messages");
    const c = conversations.get(current);
    const fromBottom = log.scrollHeight - log.scrollTop;
    const items = [];
    if (!c) {
        items.push(el("li", "empty", "Join a room to start chatting."));
    } else if (c.entries.length === 0) {
        items.push(el("li", "empty", c.kind === "room" ? "No messages yet. Say hello!" : "No messages with " + c.name + " yet."));
    }
    (c ? c.entries : []).forEach((entry, i) => items.push(...rendered(entry, c.entries[i - 1])));
    log.replaceChildren(...items);
    log.scrollTop = keepPlace ? log.scrollHeight - fromBottom : log.scrollHeight;
}

// ---- the sidebar, the people, the header --------------------------------------------------

function conversationButton(c) {
    const li = el("li");
    li.dataset.key = c.key;
    const button = el("button", "conversation-button");
    button.type = "button";
    button.setAttribute("aria-current", String(c.key === current));
    button.append(el("span", "sigil", c.kind === "room" ? "#" : "@"), el("span", "name", c.name));
    if (c.unread > 0) {
        const badge = el("span", "badge", String(c.unread));
        badge.append(el("span", "visually-hidden", " unread"));
        button.append(badge);
    }
    button.addEventListener("click", () => show(c.key));
    li.append(button);
    return li;
}

function renderLists() {
    // Re-rendering must not take the keyboard focus away from the list.
    const focused = document.activeElement && document.activeElement.closest("li[data-key]");
    const focusedKey = focused ? focused.dataset.key : null;
    const all = Array.from(conversations.values());
    byId("room-list").replaceChildren(...all.filter((c) => c.kind === "room").map(conversationButton));
    byId("direct-list").replaceChildren(...all.filter((c) => c.kind === "direct").map(conversationButton));
    if (focusedKey) {
        const again = document.querySelector("li[data-key=\"" + CSS.escape(focusedKey) + "\"] button");
        if (again) {
            again.focus();
        }
    }
    const unread = all.reduce((sum, c) => sum + c.unread, 0);
    document.title = (unread > 0 ? "(" + unread + ") " : "") + "Roomcast chat";
}

function renderPeople() {
    const c = conversations.get(current);
    byId("people").hidden = !c || c.kind !== "room";
    if (!c || c.kind !== "room") {
        return;
    }
    byId("people-heading").textContent = "In #" + c.name + " (" + c.people.size + ")";
    byId("presence").replaceChildren(...Array.from(c.people.keys()).sort().map((user) => {
        const li = el("li");
        li.append(el("span", "dot"), el("span", "name", user === me ? user + " (you)" : user));
        if (c.people.get(user) > 1) {
            li.append(el("span", "sessions", c.people.get(user) + " tabs"));
        }
        if (user !== me) {
            const write = el("button", "quiet small", "Message");
            write.type = "button";
            write.setAttribute("aria-label", "Message " + user);
            write.addEventListener("click", () => show(conversationFor("direct", user).key));
            li.append(write);
        }
        return li;
    }));
}

function show(key) {
    current = key;
    const c = conversations.get(key);
    if (c) {
        c.unread = 0;
    }
    byId("conversation-title").textContent = c ? (c.kind === "room" ? "#" : "@") + c.name : "No conversation";
    byId("leave").hidden = !c || c.kind !== "room";
    updateLoadOlder();
    byId("message-text").disabled = byId("send").disabled = !c;
    byId("message-text").placeholder = c ? "Message " + (c.kind === "room" ? "#" : "@") + c.name : "Write a message";
    renderLog(false);
    renderTyping();
    renderPeople();
    renderLists();
    savePage();
}

function setStatus(text, state) {
    byId("status").textContent = text;
    byId("status").dataset.state = state;
}

function showError(id, text) {
    byId(id).textContent = text;
    byId(id).hidden = !text;
}

// ---- what the page keeps across a reload -------------------------------------------------

function savePage() {
    const unread = {};
    const directs = {};
    conversations.forEach((c) => {
        unread[c.key] = c.unread;
        if (c.kind === "direct") {
            directs[c.name] = c.entries.filter((e) => e.kind === "message").slice(-DIRECTS_KEPT);
        }
    });
    sessionStorage.setItem(TAB_PAGE, JSON.stringify({ current: current, unread: unread, directs: directs }));
}

function restorePage() {
    let page = {};
    try {
        page = JSON.parse(sessionStorage.getItem(TAB_PAGE)) || {};
    } catch (e) {
        // unreadable: start afresh
    }
    client.joinedRooms().forEach((room) => conversationFor("room", room));
    Object.keys(page.directs || {}).forEach((user) => {
        const c = conversationFor("direct", user);
        page.directs[user].forEach((entry) => c.entries.push(entry));
    });
    conversations.forEach((c) => { c.unread = (page.unread && page.unread[c.key]) || 0; });
    return page.current;
}

/** After a reload: the messages of a rejoined room up to where this tab had read, from the HTTP history. */
function showAlreadySeen(room) {
    const position = client.position(room);
    if (position && position.offset > 0) {
        const count = Math.min(HISTORY_ON_JOIN, position.offset);
        readHistory(room, position.epoch, position.offset - count, count);
    }
}

/** Reads `limit` messages after `offset` of `epoch`; resolves with whether history reaches back that far. */
function readHistory(room, epoch, offset, limit) {
    const c = conversationFor("room", room);
    const url = "/v1/rooms/" + encodeURIComponent(room) + "/history?since=" + encodeURIComponent(epoch + ":" + offset) + "&limit=" + limit;
    return fetch(url, { cache: "no-store" }).then((response) => {
        if (response.status === 401 || response.status === 403) {
            notice(c, "Earlier messages cannot be shown: this server keeps its history API private.", "info");
            c.beginning = true;
            updateLoadOlder();
            return true;
        }
        if (!response.ok) {
            throw new Error("HTTP " + response.status);
        }
        return response.json().then((answer) => {
            answer.messages.filter((m) => !isTypingNotice(m)).forEach((m) => addEntry(c, message(m)));
            return answer.complete || answer.messages.length > 0;
        });
    }).catch((error) => {
        notice(c, "Could not load messages: " + error.message, "error");
        return true;
    });
}

/** The offset of the oldest message shown from the room's current epoch. */
function oldestShown(c, position) {
    const shown = c.entries.filter((e) => e.epoch === position.epoch).map((e) => e.offset);
    return shown.length > 0 ? Math.min(...shown) : position.offset + 1;
}

/** "Load older" is offered while the shown room's log may not reach back to its first message. */
function updateLoadOlder() {
    const c = conversations.get(current);
    const position = c && c.kind === "room" ? client.position(c.name) : null;
    byId("load-older").hidden = !position || c.beginning || oldestShown(c, position) <= 1;
}

function loadOlder() {
    const c = conversations.get(current);
    const position = client.position(c.name);
    const upTo = oldestShown(c, position) - 1;
    const count = Math.min(OLDER_PAGE, upTo);
    const reachesBack = count > 0 ? readHistory(c.name, position.epoch, upTo - count, count) : Promise.resolve(true);
    reachesBack.then((complete) => {
        if (count === upTo || !complete) {
            c.beginning = true;
            updateLoadOlder();
            // Placed just before the oldest entry: it is about the top of the conversation.
            notice(c, complete ? "This is the beginning of #" + c.name + "." : "Older messages are no longer kept.", "info",
                c.entries.length > 0 ? c.entries[0].ts - 1 : Date.now());
        }
    });
}

// ---- typing ------------------------------------------------------------------------------------

/** room -> when this tab last told the room that its user is typing (Date.now()). */
const typingSent = new Map();

function isTypingNotice(frame) {
    return frame.event === TYPING.event;
}

/** The composer's input event: tells the shown room that this user is typing, at most once per TYPING_NOTICE_MS. */
function typed() {
    const c = conversations.get(current);
    if (!c || c.kind !== "room" || byId("message-text").value.trim() === "") {
        return;
    }
    const now = Date.now();
    if (now - (typingSent.get(c.name) || 0) >= TYPING_NOTICE_MS) {
        typingSent.set(c.name, now);
        // Best effort: a notice that fails (offline, a listen-only room) is not worth telling the user about.
        client.publish(c.name, TYPING).catch(() => {});
    }
}

/** `user` is typing in the room (a notice arrived), or stopped (`typing` false: timed out, or their message came). */
function setTyping(c, user, typing) {
    clearTimeout(c.typing.get(user));
    if (typing) {
        c.typing.set(user, setTimeout(() => setTyping(c, user, false), TYPING_SHOWN_MS));
    } else if (!c.typing.delete(user)) {
        return;
    }
    if (c.key === current) {
        renderTyping();
    }
}

/** The line under the conversation: who else is typing in the shown room. */
function renderTyping() {
    const c = conversations.get(current);
    const users = c ? Array.from(c.typing.keys()).sort() : [];
    let line = "";
    if (users.length === 1) {
        line = users[0] + " is typing…";
    } else if (users.length === 2) {
        line = users[0] + " and " + users[1] + " are typing…";
    } else if (users.length > 2) {
        line = users.length + " people are typing…";
    }
    byId("typing").textContent = line;
}

// ---- rooms and direct messages -------------------------------------------------------------

/** A `joined` (present) or `left` frame: the room's people and a line in its log. */
function presenceChanged(change, present) {
    const c = conversations.get("#" + change.room);
    if (!c) {
        return;
    }
    if (present) {
        c.people.set(change.user, Math.max(1, c.people.get(change.user) || 0));
    } else {
        c.people.delete(change.user);
    }
    // Our own arrival (again after every reconnect) is no news to us.
    if (change.user !== me) {
        notice(c, change.user + (present ? " joined." : " left."), "presence");
    }
    if (c.key === current) {
        renderPeople();
    }
}

function refreshPresence(room) {
    client.presence(room).then((answer) => {
        const c = conversations.get("#" + room);
        if (c) {
            c.people = new Map(answer.users.map((u) => [u.user, u.sessions]));
            if (c.key === current) {
                renderPeople();
            }
        }
    }, () => {});
}

function joinRoom(room) {
    const existing = conversations.get("#" + room);
    if (existing) {
        show(existing.key);
        return;
    }
    const c = conversationFor("room", room);
    show(c.key);
    client.join(room, { history: HISTORY_ON_JOIN }).then(() => {
        showError("sidebar-error", "");
        updateLoadOlder();
        refreshPresence(room);
    }, (error) => {
        conversations.delete(c.key);
        showError("sidebar-error", "Cannot join " + room + ": " + error.message);
        show(conversations.size > 0 ? conversations.keys().next().value : null);
    });
}

function leaveCurrent() {
    const c = conversations.get(current);
    client.leave(c.name).catch(() => {});
    conversations.delete(c.key);
    show(conversations.size > 0 ? conversations.keys().next().value : null);
    byId("room-name").focus();
}

function send(text) {
    const c = conversations.get(current);
    if (c.kind === "room") {
        // The message itself ends the typing (other pages clear the line when it arrives), so the
        // next keystroke announces typing again at once.
        typingSent.delete(c.name);
        client.publish(c.name, text).catch((error) => notice(c, "Not sent (" + error.message + "): " + text, "error"));
        return;
    }
    client.direct(c.name, text).then(() => {
        // A message to oneself comes back as a direct frame; to others, this is the only copy.
        if (c.name !== me) {
            addEntry(c, { kind: "message", from: me, text: text, ts: Date.now() });
            savePage();
        }
    }, (error) => notice(c, error.code === "no_such_user"
        ? c.name + " is not connected, and direct messages are not kept: not sent."
        : "Not sent (" + error.message + "): " + text, "error"));
}

// ---- the connection -------------------------------------------------------------------------

function describeClose(close) {
    const retry = close.delayMs < 1000 ? " Reconnecting…" : " Reconnecting in " + Math.round(close.delayMs / 1000) + " s…";
    if (close.reconnecting) {
        if (close.unreachable) {
            return "Server unreachable." + retry;
        }
        if (close.code === 1013) {
            return "Disconnected: this tab fell behind (slow consumer)." + retry;
        }
        if (close.code === 1001) {
            return "The server went away (" + (close.reason || "restarting") + ")." + retry;
        }
        if (close.status === 503) {
            return "The server is busy: " + close.detail + "." + retry;
        }
        return "Connection lost (" + close.code + ")." + retry;
    }
    if (close.status === 401) {
        return "Your sign-in was refused: " + close.detail + ".";
    }
    if (close.status === 403) {
        return "Not allowed: " + close.detail + ".";
    }
    if (close.code === 1008 && close.reason === "token expired") {
        return "Your token expired: sign in again.";
    }
    return "Disconnected: " + (close.reason || "code " + close.code) + ".";
}

function connect(query) {
    byId("login").hidden = true;
    byId("app").hidden = false;
    byId("sign-out").hidden = false;
    setStatus("Connecting…", "connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    client = new Client(scheme + "//" + location.host + "/v1/ws?" + query, { storage: sessionStorage, storageKey: TAB_ROOMS });

    client.on("open", (welcome) => {
        me = welcome.user;
        byId("me").textContent = welcome.user;
        setStatus("Connected", "open");
        conversations.forEach((c) => {
            if (c.kind === "room") {
                refreshPresence(c.name);
            }
        });
        renderLog(false);
        renderPeople();
    });
    client.on("close", (close) => {
        setStatus(describeClose(close), close.reconnecting ? "reconnecting" : "closed");
        if (close.status === 401 || (close.code === 1008 && close.reason === "token expired")) {
            sessionStorage.removeItem(TAB_TOKEN);
            showLogin(describeClose(close) + (query.startsWith("name=") ? " This server needs an access token." : ""));
        }
    });
    // Room frames that arrive after a leave was asked for have no conversation left to go to.
    client.on("message", (m) => {
        const c = conversations.get("#" + m.room);
        if (!c) {
            return;
        }
        // Other tabs of the same user get this tab's notices (echo: false spares only this connection).
        if (isTypingNotice(m)) {
            if (m.from !== me) {
                setTyping(c, m.from, true);
            }
            return;
        }
        setTyping(c, m.from, false);
        if (addEntry(c, message(m)) && c.key !== current && m.from !== me) {
            c.unread++;
            renderLists();
            savePage();
        }
    });
    client.on("direct", (d) => {
        const c = conversationFor("direct", d.from);
        addEntry(c, { kind: "message", from: d.from, text: d.text, ts: d.ts });
        if (c.key !== current) {
            c.unread++;
            renderLists();
        }
        savePage();
    });
    client.on("joined", (p) => presenceChanged(p, true));
    client.on("left", (p) => presenceChanged(p, false));
    client.on("recovered", (r) => {
        const c = conversations.get("#" + r.room);
        if (!c) {
            return;
        }
        if (!r.recovered && r.missed === undefined) {
            // Unprompted: the server lost some of the room's messages while this tab stayed connected.
            client.reload(r.room).then(
                () => notice(c, "The server lost some of this room's messages; the room was reloaded.", "warning"),
                (e) => notice(c, "The server lost some of this room's messages; reloading failed: " + e.message, "error"));
        } else if (!r.recovered) {
            notice(c, "The server lost this room's history: " + r.missed + " message(s) since you were last here cannot be shown.", "warning");
        } else if (r.missed > 0) {
            notice(c, "Back online: " + r.missed + " missed message(s) recovered.", "info");
        }
    });
    client.on("error", (error) => showError("sidebar-error", error.message));

    const wanted = restorePage();
    client.joinedRooms().forEach(showAlreadySeen);
    const room = params.get("room");
    if (room) {
        joinRoom(room);
    } else if (conversations.has(wanted)) {
        show(wanted);
    } else if (conversations.size > 0) {
        show(conversations.keys().next().value);
    } else {
        joinRoom("lobby");
    }
}

// ---- signing in and out ---------------------------------------------------------------------

/** The sign-in form; after a refusal (`error`) it offers the token field, since a name was not enough or the token went bad. */
function showLogin(error) {
    byId("app").hidden = true;
    byId("sign-out").hidden = true;
    byId("login").hidden = false;
    byId("login-name").value = localStorage.getItem(REMEMBERED_NAME) || "";
    byId("token-login").open = Boolean(error);
    showError("login-error", error);
    (byId("token-login").open ? byId("login-token") : byId("login-name")).focus();
}

function signIn(event) {
    event.preventDefault();
    const token = byId("login-token").value.trim();
    const name = byId("login-name").value.trim();
    if (!token && !name) {
        showError("login-error", "Type your name (or paste a token).");
        return;
    }
    if (token) {
        // Signing in again with a token (after one expired) keeps this tab's rooms.
        sessionStorage.setItem(TAB_TOKEN, token);
    } else {
        if (name !== sessionStorage.getItem(TAB_NAME)) {
            // Someone else: nothing of the previous name's rooms or messages.
            [TAB_ROOMS, TAB_PAGE].forEach((key) => sessionStorage.removeItem(key));
        }
        localStorage.setItem(REMEMBERED_NAME, name);
        sessionStorage.setItem(TAB_NAME, name);
    }
    location.reload();
}

function signOut() {
    client.close();
    [TAB_NAME, TAB_TOKEN, TAB_ROOMS, TAB_PAGE].forEach((key) => sessionStorage.removeItem(key));
    localStorage.removeItem(REMEMBERED_NAME);
    location.replace("/chat.html");
}

function start() {
    byId("login-form").addEventListener("submit", signIn);
    byId("sign-out").addEventListener("click", signOut);
    byId("join-form").addEventListener("submit", (event) => {
        event.preventDefault();
        const room = byId("room-name").value.trim();
        if (room) {
            byId("room-name").value = "";
            joinRoom(room);
            byId("message-text").focus();
        }
    });
    byId("direct-form").addEventListener("submit", (event) => {
        event.preventDefault();
        const to = byId("direct-to").value.trim();
        if (to) {
            byId("direct-to").value = "";
            show(conversationFor("direct", to).key);
            byId("message-text").focus();
        }
    });
    byId("send-form").addEventListener("submit", (event) => {
        event.preventDefault();
        const input = byId("message-text");
        if (current && input.value.trim() !== "") {
            send(input.value);
            input.value = "";
        }
    });
    byId("message-text").addEventListener("input", typed);
    byId("leave").addEventListener("click", leaveCurrent);
    byId("load-older").addEventListener("click", loadOlder);

    // ?token= and ?name= sign this tab in; the token is then taken out of the address bar.
    if (params.get("token")) {
        sessionStorage.setItem(TAB_TOKEN, params.get("token"));
        params.delete("token");
        history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
    }
    if (params.get("name")) {
        sessionStorage.setItem(TAB_NAME, params.get("name").trim());
        localStorage.setItem(REMEMBERED_NAME, params.get("name").trim());
    }
    const token = sessionStorage.getItem(TAB_TOKEN);
    const name = sessionStorage.getItem(TAB_NAME) || localStorage.getItem(REMEMBERED_NAME);
    if (token) {
        connect("token=" + encodeURIComponent(token));
    } else if (name) {
        connect("name=" + encodeURIComponent(name));
    } else {
        showLogin("");
    }
}

start();
