package dev.roomcast.config;

import dev.roomcast.room.PresenceMode;
import java.time.Duration;
import java.util.Locale;

/**
 * The rules of one namespace's rooms, from the config file's {@code namespaces:} section: who may
 * publish, whether presence is kept, history overrides, what happens to a member that does not read, and
 * whether room messages are compressed. A component left null takes the value
 * of the node-wide setting of the same name.
 *
 * <p>Threading: immutable.
 *
 * @param publish        who may publish to the namespace's rooms
 * @param presence       how much presence the rooms keep: joined/left and member lists, a member count, or nothing
 * @param anonymousJoin  with authentication on, whether a client without a token may join the namespace's rooms
 * @param historySize    messages kept per room, or null for {@code --history-size}
 * @param historyMaxAge  oldest message kept, or null for {@code --history-max-age}
 * @param slowConsumer   what happens to the room's messages that a member is too slow to take
 * @param compression    whether room messages are compressed for members that negotiated permessage-deflate, or
 *                       null for {@code --compression}
 * @param joinHook       URL the backend answers before a join of one of its rooms is accepted, or null for none
 * @param publishHook    URL the backend answers before a client's message to one of its rooms is broadcast, or null
 */
public record Namespace(Publish publish, PresenceMode presence, boolean anonymousJoin, Integer historySize,
                        Duration historyMaxAge, SlowConsumer slowConsumer, Boolean compression, String joinHook,
                        String publishHook) {

    /** The rules of rooms no namespace entry names: the default namespace (rooms without {@code :}) among them. */
    public static final Namespace DEFAULT = new Namespace(Publish.MEMBERS, PresenceMode.FULL, false, null, null,
            SlowConsumer.DISCONNECT, null);

    /** Rules without hooks. */
    public Namespace(Publish publish, PresenceMode presence, boolean anonymousJoin, Integer historySize, Duration historyMaxAge,
                     SlowConsumer slowConsumer, Boolean compression) {
        this(publish, presence, anonymousJoin, historySize, historyMaxAge, slowConsumer, compression, null, null);
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

    /**
     * What a member's connection does with the room's messages while its outbound bound is full
     * (docs/operations.md, "Slow consumers").
     */
    public enum SlowConsumer {
        /** Close the connection with 1013 slow consumer; the client reconnects and recovers. */
        DISCONNECT,
        /** Drop the oldest waiting room messages; the member sees a gap in offsets and may fill it with {@code since}. */
        DROP_OLDEST,
        /** A message with a {@code key} replaces the waiting one of the same key; others as {@link #DROP_OLDEST}. */
        CONFLATE;

        /** How the config file and the metrics write it: {@code disconnect}, {@code drop_oldest}, {@code conflate}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether the rooms' messages are compressed, given the node-wide {@code --compression}. */
    public boolean compresses(boolean nodeWide) {
        return compression != null ? compression : nodeWide;
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
