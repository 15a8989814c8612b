package dev.roomcast.room;

import java.util.List;

/**
 * One node's answer about one user: its sessions there that accept direct messages and the rooms they are in,
 * sorted. What {@code GET /v1/users/{user}} sums over the nodes (DirectRouter#ask). Immutable.
 */
public record UserReport(int sessions, List<String> rooms) {

    public UserReport {
        rooms = List.copyOf(rooms);
    }
}
