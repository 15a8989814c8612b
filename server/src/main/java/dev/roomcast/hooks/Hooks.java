package dev.roomcast.hooks;

import dev.roomcast.room.Payload;
import java.util.concurrent.CompletionStage;

/**
 * What the server asks the application backend before it accepts a connection, a join or a client's
 * publish. Every stage completes (never exceptionally), on an HTTP client thread, or at once when there is
 * no hook to call; a backend that does not answer usably fails closed with {@code Unavailable}.
 *
 * <p>Threading: thread-safe; any thread may call.
 */
public interface Hooks {

    /** Whether a connect hook is configured, so the server must ask before every upgrade. */
    boolean checksConnects();

    /** Asks the connect hook; only when {@link #checksConnects()}. */
    CompletionStage<ConnectVerdict> connect(ConnectCall call);

    /** Asks the room's namespace's join hook; allowed at once when it has none. */
    CompletionStage<Verdict> join(String user, String room);

    /** Asks the room's namespace's publish hook; allowed unchanged at once when it has none. */
    CompletionStage<Verdict> publish(String user, String room, Payload payload);
}
