package dev.roomcast.broker;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Which subjects (the webhooks' rooms and users, as opaque strings) some live node holds: tells a node whether
 * its taking a subject makes it held anywhere for the first time, and whether its letting go leaves it held nowhere,
 * and hands the subjects that only a node which stopped refreshing its lease held to exactly one live node, once
 * that lease ran out. Nodes that share a store share these answers; a single node's are always yes.
 *
 * <p>Threading: thread-safe. Answers and orphans reach their callers in the order the store decided them (for
 * one node's calls, the order of the calls), on the store's threads, which callers must not block.
 */
public interface LifecycleLedger extends AutoCloseable {

    /**
     * This node holds {@code subject} from now on. Completes with whether no other live node held it, and also
     * with true when the store could not tell (an unreachable Redis): at least once, rather than never.
     */
    CompletionStage<Boolean> hold(String subject);

    /** This node holds {@code subject} no more. Completes with whether no live node holds it, true when unknown. */
    CompletionStage<Boolean> release(String subject);

    /**
     * Hands each batch of subjects that only a node whose lease ran out held, held by no live node now, to
     * {@code orphans}; each such subject reaches one node once. Called once, before the first {@link #hold}.
     */
    void onOrphans(Consumer<List<String>> orphans);

    /** Stops refreshing this node's lease; what it holds is left for a live node to find orphaned after it. */
    @Override
    void close();
}
