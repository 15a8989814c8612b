package dev.roomcast.config;

import java.time.Duration;
import java.util.Locale;

/**
 * The rules of one namespace's rooms, from the config file's {@code namespaces:} section: who may
 * publish, whether presence is kept, and history overrides. A component left null takes the value
 * of the node-wide setting of the same name.
 *
 * <p>Threading: immutable.
 *
 * @param publish        who may publish to the namespace's rooms
 * @param presence       whether presence is kept and {@code joined}/{@code left} sent
 * @param anonymousJoin  with authentication on, whether a client without a token may join the namespace's rooms
 * @param historySize    messages kept per room, or null for {@code --history-size}
 * @param historyMaxAge  oldest message kept, or null for {@code --history-max-age}
 * @param joinHook       URL the backend answers before a join of one of its rooms is accepted, or null for none
 * @param publishHook    URL the backend answers before a client's message to one of its rooms is broadcast, or null
 */
public record Namespace(Publish publish, boolean presence, boolean anonymousJoin, Integer historySize,
                        Duration historyMaxAge, String joinHook, String publishHook) {

    /** The rules of rooms no namespace entry names: the default namespace (rooms without {@code :}) among them. */
    public static final Namespace DEFAULT = new Namespace(Publish.MEMBERS, true, false, null, null, null, null);

    /** Rules without hooks. */
    public Namespace(Publish publish, boolean presence, boolean anonymousJoin, Integer historySize, Duration historyMaxAge) {
        this(publish, presence, anonymousJoin, historySize, historyMaxAge, null, null);
    }

    /** Who may publish to a namespace's rooms. */
    public enum Publish {
        /** Its members (a JSON connection that joined the room, a text connection in it) and the HTTP API. */
        MEMBERS,
        /** The HTTP API only (and an embedding host program): clients only listen. */
        API,
        /** Nobody. */
        NONE;

        /** How the config file writes it: {@code members}, {@code api}, {@code none}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether members may publish. */
    public boolean membersPublish() {
        return publish == Publish.MEMBERS;
    }

    /** Whether the HTTP API may publish. */
    public boolean apiPublishes() {
        return publish != Publish.NONE;
    }
}
