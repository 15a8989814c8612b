package dev.roomcast.broker.redis;

import dev.roomcast.broker.DirectListener;
import dev.roomcast.broker.DirectRouter;
import dev.roomcast.room.DirectMessage;
import dev.roomcast.room.UserDisconnect;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Direct messages through Redis: one channel per user, which every node holding a session of that user
 * subscribes to; one PUBLISH reaches them, and the number of subscribers it reports tells whether anyone
 * received it.
 *
 * <p>Threading: thread-safe. The listener is called on a Lettuce I/O thread.
 */
public final class RedisDirectRouter implements DirectRouter {

    private static final Logger log = LoggerFactory.getLogger(RedisDirectRouter.class);

    private final RedisLink link;
    /** Users this node holds sessions of. */
    private final ChannelSubscriptions users;
    private volatile DirectListener listener = message -> { };

    RedisDirectRouter(RedisLink link) {
        this.link = link;
        this.users = new ChannelSubscriptions(link, link.keys::userChannel, ChannelSubscriptions.NOTHING_TO_CATCH_UP);
        link.onMessage((channel, message) -> {
            if (link.keys.isUserChannel(channel)) {
                deliver(channel, message);
            }
        });
    }

    @Override
    public void start(DirectListener listener) {
        this.listener = listener;
    }

    @Override
    public CompletionStage<Void> addUser(String user) {
        return users.subscribe(user, subscribed -> { });
    }

    @Override
    public CompletionStage<Void> removeUser(String user) {
        return users.unsubscribe(user);
    }

    /**
     * One PUBLISH on the user's channel (SPUBLISH on Redis Cluster: only the shard of the user's slot carries it):
     * the nodes subscribed to it are the nodes that hold the user.
     */
    @Override
    public CompletionStage<Boolean> direct(DirectMessage message) {
        return link.publish(link.keys.userChannel(message.to()), RoomEventCodec.encodeDirect(message))
                .thenApply(receivers -> receivers > 0);
    }

    /** One PUBLISH on the user's channel, like {@link #direct}. */
    @Override
    public CompletionStage<Boolean> disconnectUser(UserDisconnect disconnect) {
        return link.publish(link.keys.userChannel(disconnect.user()), RoomEventCodec.encodeDisconnect(disconnect))
                .thenApply(receivers -> receivers > 0);
    }

    /** On the Lettuce I/O thread: a direct message or a disconnect order, decoded and handed over at once. */
    private void deliver(String channel, String message) {
        Object decoded;
        try {
            decoded = RoomEventCodec.decodeForUser(message);
        } catch (IllegalArgumentException e) {
            log.warn("dropped a message on {} that this node cannot read: {}", channel, e.getMessage());
            return;
        }
        try {
            if (decoded instanceof UserDisconnect disconnect) {
                listener.onDisconnect(disconnect);
            } else {
                listener.onDirect((DirectMessage) decoded);
            }
        } catch (RuntimeException e) {
            log.error("the direct-message listener failed", e);
        }
    }
}
