// roomcast.js as an ES module: `import { Client } from "/roomcast.mjs"`. The client itself is
// roomcast.js, the one source; in Node it is a CommonJS module (its exports arrive as `default`),
// in a browser a script that defines globalThis.Roomcast.
import * as script from "./roomcast.js";

const Roomcast = script.default || globalThis.Roomcast;

export const Client = Roomcast.Client;
export const RoomcastError = Roomcast.RoomcastError;
export default Roomcast;
