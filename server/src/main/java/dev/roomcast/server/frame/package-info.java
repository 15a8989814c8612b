/**
 * Frame bytes encoded once per broadcast and wire format, and shared by every recipient.
 * Imports nothing else of the transport.
 */
package dev.roomcast.server.frame;
