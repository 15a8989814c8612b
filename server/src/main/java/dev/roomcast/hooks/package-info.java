/**
 * The application backend's hooks: synchronous HTTP calls before a connection is upgraded, a room joined or
 * a message broadcast (docs/operations.md, "Your backend"). The server calls them through {@link
 * dev.roomcast.hooks.Hooks}; this package knows no Netty, no hub and no metrics library (it reports through
 * {@link dev.roomcast.hooks.HookObserver}), which ArchitectureTest checks.
 */
package dev.roomcast.hooks;
