// Drives roomcast.js for RoomcastJsIT: one JSON line per client event on stdout ("event" is the kind;
// a message's own event name is printed as "name"), commands on stdin
// ("drop": lose the connection and reconnect; "publish {json}": client.publish(room, that object), printing
// the answer as "published"; "presence {json}": client.presence(room, those options), printing the answer as
// "presence"; "exit": close and quit). With a storage file, the
// client keeps its rooms there (as a page keeps them in sessionStorage), prints the rooms it
// restored from it, and joins the room only when it did not restore it.
// Usage: node --experimental-websocket roomcast-driver.cjs /path/to/roomcast.js ws://…/v1/ws?name=… room [storage.json]
"use strict";
const readline = require("node:readline");
const fs = require("node:fs");
const [, , roomcastPath, url, room, storageFile] = process.argv;
const Roomcast = require(roomcastPath);

/** The part of the Web Storage API that roomcast.js uses, kept in one JSON file. */
const fileStorage = storageFile && {
    read: () => (fs.existsSync(storageFile) ? JSON.parse(fs.readFileSync(storageFile, "utf8")) : {}),
    getItem(key) {
        const value = this.read()[key];
        return value === undefined ? null : value;
    },
    setItem(key, value) {
        fs.writeFileSync(storageFile, JSON.stringify(Object.assign(this.read(), { [key]: String(value) })));
    },
};

const client = new Roomcast.Client(url, { minDelayMs: 200, maxDelayMs: 1000, storage: fileStorage || null });
const print = (event, fields) => process.stdout.write(JSON.stringify(Object.assign({ event: event }, fields)) + "\n");

client.on("open", (welcome) => print("open", { user: welcome.user }));
client.on("message", (m) => print("message",
    { room: m.room, epoch: m.epoch, offset: m.offset, from: m.from, name: m.event, text: m.text, data: m.data }));
client.on("occupancy", (o) => print("occupancy", { room: o.room, members: o.members }));
client.on("recovered", (r) => print("recovered", { room: r.room, recovered: r.recovered, missed: r.missed }));
client.on("close", (c) => print("close", { code: c.code, reason: c.reason, reconnecting: c.reconnecting }));
client.on("error", (e) => print("error", { code: e.code, message: e.message }));
if (fileStorage) {
    print("restored", { rooms: client.joinedRooms() });
}
if (!client.joinedRooms().includes(room)) {
    client.join(room).then(
        (ok) => print("joined", { epoch: ok.epoch, offset: ok.offset }),
        (e) => print("failed", { message: e.message }));
}

readline.createInterface({ input: process.stdin }).on("line", (line) => {
    if (line === "drop") {
        client.reconnect();
    } else if (line.startsWith("publish ")) {
        client.publish(room, JSON.parse(line.substring("publish ".length))).then(
            (ok) => print("published", { epoch: ok.epoch, offset: ok.offset }),
            (e) => print("failed", { code: e.code, message: e.message }));
    } else if (line.startsWith("presence ")) {
        client.presence(room, JSON.parse(line.substring("presence ".length))).then(
            (answer) => print("presence", { users: answer.users, next: answer.next, members: answer.members }),
            (e) => print("failed", { code: e.code, message: e.message }));
    } else if (line === "exit") {
        client.close();
        process.exit(0);
    }
});
