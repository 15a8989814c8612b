package dev.roomcast.security;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The rooms a principal may join, as glob patterns ({@code *} matches any run of characters,
 * e.g. {@code support-*}). Immutable.
 */
public final class RoomPermissions {

    private static final RoomPermissions ANY = new RoomPermissions(List.of("*"));

    private final List<String> patterns;
    private final List<Pattern> compiled;

    private RoomPermissions(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
        this.compiled = this.patterns.stream().map(RoomPermissions::globToRegex).toList();
    }

    /** Every room. */
    public static RoomPermissions any() {
        return ANY;
    }

    /** The rooms matching at least one of the glob patterns; none when the list is empty. */
    public static RoomPermissions matching(List<String> globs) {
        return new RoomPermissions(globs);
    }

    public boolean allows(String room) {
        // Checked on every message a client publishes: a principal without a token allows every room.
        if (this == ANY) {
            return true;
        }
        for (Pattern p : compiled) {
            if (p.matcher(room).matches()) {
                return true;
            }
        }
        return false;
    }

    public List<String> patterns() {
        return patterns;
    }

    private static Pattern globToRegex(String glob) {
        String[] literals = glob.split("\\*", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < literals.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(literals[i]));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    @Override
    public String toString() {
        return "rooms " + patterns;
    }
}
