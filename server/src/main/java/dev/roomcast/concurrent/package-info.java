/**
 * The one ordering tool the hub and the brokers share: {@link dev.roomcast.concurrent.SerialSections}.
 * Depends on nothing else in Roomcast (a test checks).
 */
package dev.roomcast.concurrent;
