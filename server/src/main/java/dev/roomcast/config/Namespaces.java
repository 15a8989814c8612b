package dev.roomcast.config;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The config file's {@code namespaces:} section: the rules of each namespace named there. A room's
 * namespace is the part of its name before the first {@code :} ({@code notify:alice} is in
 * {@code notify}); rooms of namespaces not named here, and rooms without {@code :}, follow
 * {@link Namespace#DEFAULT}.
 *
 * <p>Threading: immutable.
 */
public record Namespaces(Map<String, Namespace> byName) {

    /**
     * The name that stands for the rooms no entry names (rooms without {@code :} among them) where a
     * name is needed: the {@code namespace} label of the metrics. No entry may take it.
     */
    public static final String DEFAULT_NAME = "default";

    private static final Namespaces NONE = new Namespaces(Map.of());

    public Namespaces {
        byName = Map.copyOf(byName);
    }

    public static Namespaces none() {
        return NONE;
    }

    /** The namespace of a room: the part of its name before the first {@code :}, or "" when it has none. */
    public static String nameOf(String room) {
        int colon = room.indexOf(':');
        return colon < 0 ? "" : room.substring(0, colon);
    }

    /** The rules of the room's namespace. Cheap for rooms without {@code :}: called per publish and join. */
    public Namespace of(String room) {
        if (byName.isEmpty() || room.indexOf(':') < 0) {
            return Namespace.DEFAULT;
        }
        return byName.getOrDefault(nameOf(room), Namespace.DEFAULT);
    }

    /** Whether some namespace turns compression on for its rooms. */
    public boolean anyCompresses() {
        return byName.values().stream().anyMatch(namespace -> Boolean.TRUE.equals(namespace.compression()));
    }

    /** Room patterns ({@code chat:*}) of the namespaces a client without a token may join when authentication is on. */
    public List<String> anonymousRooms() {
        return new TreeMap<>(byName).entrySet().stream().filter(entry -> entry.getValue().anonymousJoin())
                .map(entry -> entry.getKey() + ":*").toList();
    }
}
