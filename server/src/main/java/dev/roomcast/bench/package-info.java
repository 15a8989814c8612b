/**
 * {@code roomcast bench}: a bounded load generator that speaks the seed text protocol (and
 * {@code /v1/ws}) over Netty WebSocket clients, so it measures Roomcast and any server that
 * implements the tutorial alike. Depends only on {@code protocol}, Netty and HdrHistogram; never
 * on the server or the hub.
 */
package dev.roomcast.bench;
