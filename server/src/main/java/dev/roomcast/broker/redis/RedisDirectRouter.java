package dev.roomcast.broker.redis;

import dev.roomcast.broker.DirectListener;
import dev.roomcast.broker.DirectRouter;
import dev.roomcast.room.DirectMessage;
import dev.roomcast.room.UserDisconnect;
import dev.roomcast.room.UserReport;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Direct messages through Redis: one channel per user, which every node holding a session of that user
 * subscribes to; one PUBLISH reaches them, and the number of subscribers it reports tells whether anyone
 * received it. A question about a user travels the same way and names this node's channel of answers,
 * which this node subscribes to before its first question; the number of subscribers the question's PUBLISH
 * reports is the number of answers to wait for.
 *
 * <p>Threading: thread-safe. The listener is called on a Lettuce I/O thread; questions waiting for answers
 * are in a concurrent map, each collecting its answers under its own lock.
 */
public final class RedisDirectRouter implements DirectRouter {

    private static final Logger log = LoggerFactory.getLogger(RedisDirectRouter.class);

    private final RedisLink link;
    /** Users this node holds sessions of. */
    private final ChannelSubscriptions users;
    private volatile DirectListener listener = message -> { };
    /** This node's channel of answers, subscribed once, by {@link #ask}. */
    private final ChannelSubscriptions answers;
    private final String nodeId = Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36);
    private final AtomicLong questions = new AtomicLong();
    /** Questions this node asked that still wait for answers, by id. */
    private final ConcurrentHashMap<String, Question> asked = new ConcurrentHashMap<>();

    /** A question about a user as it travels: who, its id, and where the answers go. */
    record Ask(String user, String id, String replyTo) {
    }

    /** One question's answers so far, and how many there will be once its PUBLISH said. */
    private static final class Question {
        final CompletableFuture<List<UserReport>> done = new CompletableFuture<>();
        private final List<UserReport> reports = new ArrayList<>();
        private long expected = -1;

        synchronized void answered(UserReport report) {
            reports.add(report);
            completeIfAll();
        }

        synchronized void expect(long receivers) {
            expected = receivers;
            completeIfAll();
        }

        synchronized List<UserReport> soFar() {
            return List.copyOf(reports);
        }

        private void completeIfAll() {
            if (expected >= 0 && reports.size() >= expected) {
                done.complete(List.copyOf(reports));
            }
        }
    }

    RedisDirectRouter(RedisLink link) {
        this.link = link;
        this.users = new ChannelSubscriptions(link, link.keys::userChannel, ChannelSubscriptions.NOTHING_TO_CATCH_UP);
        this.answers = new ChannelSubscriptions(link, link.keys::nodeChannel, ChannelSubscriptions.NOTHING_TO_CATCH_UP);
        link.onMessage((channel, message) -> {
            if (link.keys.isUserChannel(channel)) {
                deliver(channel, message);
            } else if (link.keys.isNodeChannel(channel)) {
                answered(channel, message);
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

    /**
     * One PUBLISH of the question on the user's channel, once this node hears its answers; completes when as many
     * answers came as the PUBLISH reached nodes, or after {@link #ASK_TIMEOUT} with those that came.
     */
    @Override
    public CompletionStage<List<UserReport>> ask(String user) {
        String id = Long.toString(questions.incrementAndGet(), 36);
        Question question = new Question();
        asked.put(id, question);
        answers.subscribe(nodeId, first -> { })
                .thenCompose(subscribed -> link.publish(link.keys.userChannel(user),
                        RoomEventCodec.encodeAsk(new Ask(user, id, link.keys.nodeChannel(nodeId)))))
                .whenComplete((receivers, failure) -> {
                    if (failure != null) {
                        question.done.completeExceptionally(failure);
                    } else {
                        question.expect(receivers);
                    }
                });
        return question.done.completeOnTimeout(null, ASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(reports -> reports != null ? reports : question.soFar())
                .whenComplete((reports, failure) -> asked.remove(id));
    }

    /** On the Lettuce I/O thread: an answer to one of this node's questions. */
    private void answered(String channel, String message) {
        Map.Entry<String, UserReport> answer;
        try {
            answer = RoomEventCodec.decodeAnswer(message);
        } catch (IllegalArgumentException e) {
            log.warn("dropped a message on {} that this node cannot read: {}", channel, e.getMessage());
            return;
        }
        Question question = asked.get(answer.getKey());
        if (question != null) {
            question.answered(answer.getValue());
        }
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
            } else if (decoded instanceof Ask ask) {
                listener.onAsk(ask.user()).thenAccept(report -> RedisLink.logFailure(
                        link.publish(ask.replyTo(), RoomEventCodec.encodeAnswer(ask.id(), report)),
                        "answer about a user", ask.user(), link.observer::announceFailed));
            } else {
                listener.onDirect((DirectMessage) decoded);
            }
        } catch (RuntimeException e) {
            log.error("the direct-message listener failed", e);
        }
    }
}
