package dev.roomcast.hub;

import java.util.List;

/** One user's sessions on every node that accept direct messages and the rooms they are in, sorted. Immutable. */
public record UserSummary(int sessions, List<String> rooms) {

    public boolean online() {
        return sessions > 0;
    }
}
