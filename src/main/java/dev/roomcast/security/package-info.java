/**
 * Who may connect and what they may do: principals and their room permissions, and (as they
 * are added) limits, origin policy and token verification. Free of Netty.
 */
package dev.roomcast.security;
