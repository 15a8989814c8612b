package dev.roomcast.hub;

import dev.roomcast.room.DirectMessage;
import dev.roomcast.room.RoomEvent;
import java.util.ArrayList;
import java.util.List;

/** A session that records what the hub delivered, for unit tests. Used on its loop's thread only. */
class FakeSession implements Session {

    private final String id;
    private final String user;
    private final Loop loop;
    final List<RoomEvent> delivered = new ArrayList<>();
    final List<DirectMessage> directs = new ArrayList<>();
    final List<CloseReason> closes = new ArrayList<>();
    int flushes;
    private int flushedCount;

    FakeSession(String id, String user, Loop loop) {
        this.id = id;
        this.user = user;
        this.loop = loop;
    }

    /** Forgets what was delivered so far. */
    void clear() {
        delivered.clear();
        flushedCount = 0;
    }

    @Override public String id() { return id; }
    @Override public String user() { return user; }
    @Override public Loop loop() { return loop; }

    @Override
    public boolean push(SharedEvent event) {
        boolean firstSinceFlush = delivered.size() == flushedCount;
        delivered.add(event.event());
        return firstSinceFlush;
    }

    @Override
    public void pushDirect(DirectMessage message) {
        directs.add(message);
    }

    @Override
    public void flush() {
        flushes++;
        flushedCount = delivered.size();
    }

    @Override
    public void close(CloseReason reason, String phrase) {
        closes.add(reason);
    }
}
