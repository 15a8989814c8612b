package dev.roomcast.server.websocket;

import dev.roomcast.config.Namespace.SlowConsumer;
import dev.roomcast.metrics.NamespaceMeters;
import dev.roomcast.metrics.ServerMetrics;
import io.netty.buffer.ByteBuf;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * Frames waiting, oldest first, for one connection whose socket buffer is full, bounded in bytes.
 * Writing into Netty's outbound buffer cannot be undone, so a frame that might still be dropped or
 * replaced waits here instead; a connection has a queue only while it is behind, so idle and fast
 * connections pay nothing for it. When the bound is crossed, the oldest room message whose policy
 * allows it is dropped ({@code drop_oldest}, {@code conflate}); a {@code conflate} message with a key
 * first replaces the waiting message of the same room and key.
 *
 * <p>Threading: not thread-safe; its {@link ChannelSession} confines it to the channel's loop.
 */
final class PendingFrames {

    /** One waiting frame. Compared by identity: it is its own key in the queue unless it is conflated by key. */
    private static final class Waiting {
        final ByteBuf frame;
        /** Where it counts as delivered once written: its room's namespace; null for an answer to this client. */
        final NamespaceMeters meters;
        /** Its room's policy; null for a frame that is not a room event (an answer to this client). */
        final SlowConsumer policy;
        final boolean droppable;

        Waiting(ByteBuf frame, NamespaceMeters meters, SlowConsumer policy, boolean droppable) {
            this.frame = frame;
            this.meters = meters;
            this.policy = policy;
            this.droppable = droppable;
        }
    }

    private final int limitBytes;
    private final ServerMetrics metrics;
    /** In arrival order; keyed by the {@link Waiting} itself, or by room and key for a conflated message. */
    private final LinkedHashMap<Object, Waiting> queue = new LinkedHashMap<>();
    private int bytes;

    PendingFrames(int limitBytes, ServerMetrics metrics) {
        this.limitBytes = limitBytes;
        this.metrics = metrics;
    }

    /**
     * Queues {@code frame}, taking ownership of it, then drops the oldest droppable frames until the
     * queue is back under its bound or holds only this frame.
     *
     * @param meters        the meters of the frame's room's namespace, or null for a frame that is not a room event
     * @param policy        the policy of the frame's room, or null for a frame that is not a room event
     * @param droppable     whether the frame is a room message its policy may drop
     * @param conflationKey for a {@code conflate} message with a key, its room and key; null otherwise
     * @return false when the queue is over its bound with nothing left to drop: the connection must close
     */
    boolean offer(ByteBuf frame, NamespaceMeters meters, SlowConsumer policy, boolean droppable, Object conflationKey) {
        Waiting waiting = new Waiting(frame, meters, policy, droppable);
        if (conflationKey != null) {
            Waiting replaced = queue.remove(conflationKey);
            if (replaced != null) {
                discard(replaced);
                metrics.slowConsumerAction(SlowConsumer.CONFLATE, ServerMetrics.SlowConsumerAction.REPLACED);
            }
        }
        queue.put(conflationKey != null ? conflationKey : waiting, waiting);
        bytes += frame.readableBytes();
        // The newest frame may always wait, alone: a message as large as the half of the outbound bound that
        // the socket buffer does not take must still reach a client that reads (#9).
        while (bytes > limitBytes && queue.size() > 1) {
            Waiting oldest = removeOldestDroppable();
            if (oldest == null) {
                metrics.slowConsumerAction(policy == null ? SlowConsumer.DISCONNECT : policy,
                        ServerMetrics.SlowConsumerAction.CLOSED);
                return false;
            }
            discard(oldest);
            metrics.slowConsumerAction(oldest.policy, ServerMetrics.SlowConsumerAction.DROPPED);
        }
        return true;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /**
     * Removes the oldest frame and returns it (the caller takes ownership), counting it as delivered
     * if it is a room event.
     */
    ByteBuf poll() {
        Iterator<Waiting> oldest = queue.values().iterator();
        Waiting waiting = oldest.next();
        oldest.remove();
        bytes -= waiting.frame.readableBytes();
        if (waiting.meters != null) {
            waiting.meters.delivered(waiting.frame.readableBytes());
        }
        return waiting.frame;
    }

    /** Releases every waiting frame: the connection is closing. */
    void releaseAll() {
        queue.values().forEach(waiting -> waiting.frame.release());
        queue.clear();
        bytes = 0;
    }

    private Waiting removeOldestDroppable() {
        // Usually the oldest frame is droppable, so this stops at once; answers and presence events are skipped.
        for (Iterator<Waiting> waiting = queue.values().iterator(); waiting.hasNext(); ) {
            Waiting candidate = waiting.next();
            if (candidate.droppable) {
                waiting.remove();
                return candidate;
            }
        }
        return null;
    }

    private void discard(Waiting waiting) {
        bytes -= waiting.frame.readableBytes();
        waiting.frame.release();
    }
}
