/**
 * What travels on the wire, independent of the transport: the seed tutorial's text strings,
 * the JSON v1 codec and room-name rules. Shared by the server and {@code roomcast bench}.
 */
package dev.roomcast.protocol;
