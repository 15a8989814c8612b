package dev.roomcast.hub;

import dev.roomcast.broker.Broker;
import dev.roomcast.broker.Draft;
import dev.roomcast.broker.Position;
import dev.roomcast.broker.RoomEvent;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What endpoints call: join, leave, publish. Membership lives in one {@link LoopShard} per
 * loop; a broadcast prepares its bytes once and hands each loop with members a single task.
 *
 * <p>Methods that take a {@link Session} must be called on that session's loop; the others are
 * safe from any thread. A publish travels hub → broker → every node's hub → local sessions.
 */
public final class Hub {

    private static final Logger log = LoggerFactory.getLogger(Hub.class);

    private final LoopShard[] shards;
    private final RoomDirectory directory = new RoomDirectory();
    private final Broker broker;
    private final EventEncoder encoder;
    private final Clock clock;

    public Hub(List<? extends Loop> loops, Broker broker, EventEncoder encoder, Clock clock) {
        this.shards = new LoopShard[loops.size()];
        for (Loop loop : loops) {
            if (shards[loop.index()] != null) {
                throw new IllegalArgumentException("two loops with index " + loop.index());
            }
            shards[loop.index()] = new LoopShard(loop);
        }
        this.broker = broker;
        this.encoder = encoder;
        this.clock = clock;
        broker.start(this::dispatch);
    }

    /** Adds the session to the room. On the session's loop. Returns false if it already was a member. */
    public boolean join(Session session, String room) {
        LoopShard shard = shardOf(session);
        if (!shard.add(room, session)) {
            return false;
        }
        directory.addMember(room, shard, change -> {
            if (change == RoomDirectory.Change.FIRST_MEMBER) {
                broker.subscribe(room).exceptionally(failure -> logFailure("subscribe to", room, failure));
            }
        });
        return true;
    }

    /**
     * Removes the session from the room and tells the remaining members. On the session's loop.
     * Returns false if it was not a member.
     */
    public boolean leave(Session session, String room) {
        LoopShard shard = shardOf(session);
        if (!shard.remove(room, session)) {
            return false;
        }
        directory.removeMember(room, shard, !shard.hasMembers(room), change -> {
            if (change == RoomDirectory.Change.LAST_MEMBER) {
                broker.unsubscribe(room).exceptionally(failure -> logFailure("unsubscribe from", room, failure));
            }
        });
        broker.broadcast(new RoomEvent.SessionLeft(room, session.user()));
        return true;
    }

    /** Removes the session from every room it is in. On the session's loop. */
    public void disconnect(Session session) {
        LoopShard shard = shardOf(session);
        for (String room : shard.roomsOf(session)) {
            leave(session, room);
        }
    }

    /** Whether the session is a member of the room. On the session's loop. */
    public boolean isMember(Session session, String room) {
        return shardOf(session).isMember(room, session);
    }

    /** Publishes a message to the room on every node. Any thread. */
    public CompletionStage<Position> publish(String room, String from, String text) {
        return broker.publish(room, new Draft(from, text, clock.millis()));
    }

    /** Rooms with members on this node and their member counts. Any thread. */
    public Map<String, Integer> rooms() {
        return directory.snapshot();
    }

    /** Members of the room on this node. Any thread. */
    public int memberCount(String room) {
        return directory.memberCount(room);
    }

    /** Called on the broker's thread: hands the event to each loop with members, in order. */
    private void dispatch(RoomEvent event) {
        LoopShard[] targets = directory.shardsOf(event.room());
        if (targets.length == 0) {
            return;
        }
        PreparedEvent prepared = encoder.prepare(event);
        try {
            for (LoopShard target : targets) {
                prepared.retain();
                try {
                    target.loop().execute(() -> {
                        try {
                            target.fanOut(event.room(), prepared);
                        } finally {
                            prepared.release();
                        }
                    });
                } catch (RejectedExecutionException shuttingDown) {
                    prepared.release();
                }
            }
        } finally {
            prepared.release();
        }
    }

    private LoopShard shardOf(Session session) {
        return shards[session.loop().index()];
    }

    private static Void logFailure(String action, String room, Throwable failure) {
        log.warn("broker failed to {} room {}: {}", action, room, failure.toString());
        return null;
    }
}
