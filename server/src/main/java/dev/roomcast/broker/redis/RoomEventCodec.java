package dev.roomcast.broker.redis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.roomcast.room.DirectMessage;
import dev.roomcast.room.Draft;
import dev.roomcast.room.Payload;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import dev.roomcast.room.UserDisconnect;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * How room events travel between nodes: one compact JSON object per event, on the room's channel
 * and in its history stream. Field {@code k} is the kind: {@code m} message (with {@code e} epoch,
 * {@code o} offset, {@code f} from, {@code v} event name, {@code x} text or {@code d} the data's compact JSON
 * as a string, {@code c} its conflation key, {@code t} timestamp ms, {@code s} the session it skips), {@code l} a session
 * left ({@code u} user), {@code p} a presence change ({@code u} user, {@code j} joined), {@code o} the occupancy of a
 * count room ({@code a} its members on every node, written by occupancy.lua); {@code r}
 * is always the room. A message is encoded without its position: publish.lua writes {@code e} and
 * {@code o} in front once the room has given it one; an ephemeral message ({@code store:false}) never gets one. Direct messages, on a user's channel, have
 * kind {@code d} with {@code f} from, {@code u} the recipient, {@code x} text and {@code t} timestamp; a
 * disconnect order, on the same channel, kind {@code x} with {@code u} the user, {@code x} the reason and
 * {@code n} whether the clients may reconnect.
 *
 * <p>Threading: thread-safe (stateless; Jackson's factory is).
 */
final class RoomEventCodec {

    private static final JsonFactory JSON = new JsonFactory();

    private RoomEventCodec() {
    }

    /** A message before it has a position: what publish.lua completes. */
    static String encodeDraft(String room, Draft draft) {
        return write(json -> {
            json.writeStringField("k", "m");
            json.writeStringField("r", room);
            json.writeStringField("f", draft.from());
            Payload payload = draft.payload();
            if (payload.event() != null) {
                json.writeStringField("v", payload.event());
            }
            if (payload.text() != null) {
                json.writeStringField("x", payload.text());
            } else {
                json.writeStringField("d", payload.data());
            }
            if (payload.key() != null) {
                json.writeStringField("c", payload.key());
            }
            json.writeNumberField("t", draft.timestampMillis());
            if (draft.exceptSession() != null) {
                json.writeStringField("s", draft.exceptSession());
            }
        });
    }

    /** An event that is not kept in history. */
    static String encodeTransient(RoomEvent event) {
        return write(json -> {
            if (event instanceof RoomEvent.SessionLeft left) {
                json.writeStringField("k", "l");
                json.writeStringField("r", left.room());
                json.writeStringField("u", left.user());
            } else if (event instanceof RoomEvent.PresenceChange change) {
                json.writeStringField("k", "p");
                json.writeStringField("r", change.room());
                json.writeStringField("u", change.user());
                json.writeBooleanField("j", change.joined());
            } else {
                throw new IllegalArgumentException("messages are published, not broadcast: " + event);
            }
        });
    }

    /**
     * The encoded presence change of a room split around the user's JSON string: presence_refresh.lua
     * puts {@code cjson.encode(user)} between the two to announce users it finds arrived or gone.
     */
    static String[] presenceChangeAround(String room, boolean joined) {
        String encoded = encodeTransient(new RoomEvent.PresenceChange(room, "", joined));
        String user = "\"u\":";
        int at = encoded.lastIndexOf(user + "\"\"");
        return new String[] {encoded.substring(0, at + user.length()), encoded.substring(at + user.length() + 2)};
    }

    /**
     * The encoded occupancy of a room split around its number of members: occupancy.lua puts the total between the
     * two.
     */
    static String[] occupancyAround(String room) {
        String encoded = write(json -> {
            json.writeStringField("k", "o");
            json.writeStringField("r", room);
            json.writeNumberField("a", 0);
        });
        int at = encoded.lastIndexOf("\"a\":0") + "\"a\":".length();
        return new String[] {encoded.substring(0, at), encoded.substring(at + 1)};
    }

    static String encodeDirect(DirectMessage message) {
        return write(json -> {
            json.writeStringField("k", "d");
            json.writeStringField("f", message.from());
            json.writeStringField("u", message.to());
            json.writeStringField("x", message.text());
            json.writeNumberField("t", message.timestampMillis());
        });
    }

    static String encodeDisconnect(UserDisconnect disconnect) {
        return write(json -> {
            json.writeStringField("k", "x");
            json.writeStringField("u", disconnect.user());
            json.writeStringField("x", disconnect.reason());
            json.writeBooleanField("n", disconnect.reconnect());
        });
    }

    /** Decodes a room event; throws {@link IllegalArgumentException} for anything this version cannot read. */
    static RoomEvent decode(String encoded) {
        Decoded d = parse(encoded);
        if (d.kind == null || d.room == null) {
            throw new IllegalArgumentException("a room event needs a kind and a room");
        }
        return switch (d.kind) {
            case "m" -> new RoomEvent.Message(d.room, d.epoch == null ? null : new Position(d.epoch, d.offset),
                    require(d.from), new Payload(d.event, d.text, d.data, d.key), d.timestamp, d.exceptSession);
            case "l" -> new RoomEvent.SessionLeft(d.room, require(d.user));
            case "p" -> new RoomEvent.PresenceChange(d.room, require(d.user), d.joined);
            case "o" -> new RoomEvent.Occupancy(d.room, d.members);
            default -> throw new IllegalArgumentException("unknown event kind " + d.kind);
        };
    }

    /**
     * Decodes what travels on a user's channel: a {@link DirectMessage} or a {@link UserDisconnect}; throws
     * {@link IllegalArgumentException} for anything else.
     */
    static Object decodeForUser(String encoded) {
        Decoded d = parse(encoded);
        return switch (String.valueOf(d.kind)) {
            case "d" -> new DirectMessage(require(d.from), require(d.user), require(d.text), d.timestamp);
            case "x" -> new UserDisconnect(require(d.user), require(d.text), d.reconnect);
            default -> throw new IllegalArgumentException("not for a user's channel: kind " + d.kind);
        };
    }

    /** The fields of one encoded object; those it lacks stay at their defaults. */
    private static final class Decoded {
        String kind;
        String room;
        String epoch;
        long offset = -1;
        String from;
        String text;
        String data;
        String event;
        String key;
        String exceptSession;
        long timestamp;
        String user;
        boolean joined;
        boolean reconnect;
        int members;
    }

    private static Decoded parse(String encoded) {
        Decoded d = new Decoded();
        try (JsonParser json = JSON.createParser(encoded)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                switch (field) {
                    case "k" -> d.kind = json.getText();
                    case "r" -> d.room = json.getText();
                    case "e" -> d.epoch = json.getText();
                    case "o" -> d.offset = json.getLongValue();
                    case "f" -> d.from = json.getText();
                    case "x" -> d.text = json.getText();
                    case "d" -> d.data = json.getText();
                    case "v" -> d.event = json.getText();
                    case "c" -> d.key = json.getText();
                    case "s" -> d.exceptSession = json.getText();
                    case "t" -> d.timestamp = json.getLongValue();
                    case "u" -> d.user = json.getText();
                    case "j" -> d.joined = json.getBooleanValue();
                    case "n" -> d.reconnect = json.getBooleanValue();
                    case "a" -> d.members = json.getIntValue();
                    default -> json.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not an event: " + e.getMessage(), e);
        }
        return d;
    }

    private static String require(String field) {
        if (field == null) {
            throw new IllegalArgumentException("a field of the event is missing");
        }
        return field;
    }

    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    private static String write(Fields fields) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a StringWriter cannot fail", e);
        }
        return out.toString();
    }
}
