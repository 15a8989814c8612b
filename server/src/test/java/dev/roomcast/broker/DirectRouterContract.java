package dev.roomcast.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roomcast.room.DirectMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link DirectRouter} does: a direct message reaches the nodes that added its user, once
 * however often they added it, until they remove it, and says whether anyone received it. A subclass
 * says how to make a node.
 */
@Timeout(60)
public abstract class DirectRouterContract extends BackendContract {

    @Test
    void aDirectMessageReachesTheNodeThatAddedItsUserUntilItRemovesThem() {
        Backend node = started();
        String user = uniqueName();
        DirectMessage message = new DirectMessage("ann", user, "psst", System.currentTimeMillis());
        assertThat(direct(node, message)).as("nobody added the user").isFalse();

        node.directs().addUser(user).toCompletableFuture().join();
        assertThat(direct(node, message)).isTrue();
        await().atMost(DELIVERY).until(() -> !directs.isEmpty());
        assertThat(directs).singleElement().isEqualTo(new DirectDelivery(node, message));

        node.directs().removeUser(user).toCompletableFuture().join();
        assertThat(direct(node, message)).as("removed").isFalse();
        assertThat(directs).hasSize(1);
    }

    @Test
    void addingAUserAgainWhileAddedChangesNothing() {
        Backend node = started();
        String user = uniqueName();
        node.directs().addUser(user).toCompletableFuture().join();
        node.directs().addUser(user).toCompletableFuture().join();
        DirectMessage message = new DirectMessage("ann", user, "once", System.currentTimeMillis());

        assertThat(direct(node, message)).isTrue();
        await().atMost(DELIVERY).until(() -> !directs.isEmpty());
        node.directs().removeUser(user).toCompletableFuture().join();
        assertThat(direct(node, message)).isFalse();
        assertThat(directs).as("delivered once, not once per add").hasSize(1);
    }

    protected static boolean direct(Backend node, DirectMessage message) {
        return node.directs().direct(message).toCompletableFuture().join();
    }
}
