/**
 * The room model every layer names: events and their positions, drafts, payloads, history slices and
 * direct messages. Plain immutable values; the broker produces them, the hub fans them out, the
 * protocol writes them. Depends on nothing else in Roomcast (a test checks).
 */
package dev.roomcast.room;
