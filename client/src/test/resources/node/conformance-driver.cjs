// Drives roomcast.js for ConformanceIT: prints one transcript line per client event on stdout, in
// the format ConformanceIT's Java driver prints for RoomcastClient; commands on stdin:
// "join ROOM", "refresh TOKEN", "exit".
// Usage: node --experimental-websocket conformance-driver.cjs /path/to/roomcast.js ws://…/v1/ws?token=…
"use strict";
const readline = require("node:readline");
const [, , roomcastPath, url] = process.argv;
const Roomcast = require(roomcastPath);

const client = new Roomcast.Client(url, { minDelayMs: 50, maxDelayMs: 300 });
const print = (line) => process.stdout.write(line + "\n");
const failed = (request) => (error) => print(request + " error code=" + (error.code || "none"));

client.on("open", (welcome) => print("open user=" + welcome.user));
// An ephemeral message has no offset: "none", as the Java driver prints it.
client.on("message", (m) => print(`message room=${m.room} offset=${m.offset === undefined ? "none" : m.offset} from=${m.from} text=${m.text}`));
client.on("recovered", (r) => print(`recovered room=${r.room} recovered=${r.recovered} missed=${r.missed}`));
client.on("close", (c) => print(c.reconnecting ? "lost reconnecting=true" : `closed code=${c.code} reason=${c.reason}`));

readline.createInterface({ input: process.stdin }).on("line", (line) => {
    const [command, argument] = line.split(" ");
    if (command === "join") {
        client.join(argument).then((ok) => print(`joined room=${argument} offset=${ok.offset}`), failed("join"));
    } else if (command === "refresh") {
        client.refresh(argument).then(() => print("refresh ok"), failed("refresh"));
    } else if (command === "exit") {
        client.close();
        process.exit(0);
    }
});
