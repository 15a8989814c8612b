package dev.roomcast.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.room.PresenceMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The config file's {@code namespaces:} section, read and written: a mapping from a namespace name
 * to its rules, each key optional.
 *
 * <pre>
 * namespaces:
 *   notify:
 *     publish: api            # members (default), api or none
 *     presence: count         # full (default), count or off; true and false mean full and off
 *     anonymous-join: false   # default false
 *     slow-consumer: conflate # disconnect (default), drop_oldest or conflate
 *     compression: true       # default --compression
 *     join-hook: https://app.example/roomcast/join        # default none
 *     publish-hook: https://app.example/roomcast/publish  # default none
 *     history:                # the history group's keys, for this namespace's rooms
 *       history-size: 20
 *       history-max-age: 10m
 * </pre>
 *
 * <p>A new per-namespace rule is one more key read in {@link #namespace} and written in {@link #render},
 * and one more component of {@link Namespace}. Values are checked like the node-wide settings of the
 * same name; a refusal names the file and the key ({@code namespaces.notify.publish}).
 *
 * <p>Threading: stateless; safe from any thread.
 */
final class NamespacesSection {

    static final String KEY = "namespaces";
    private static final List<String> KEYS = List.of("publish", "presence", "anonymous-join", "history", "slow-consumer",
            "compression", "join-hook", "publish-hook");
    private static final List<String> HISTORY_FLAGS = List.of("--history-size", "--history-max-age");

    private NamespacesSection() {
    }

    static Namespaces read(Path file, JsonNode section) {
        if (section.isNull()) {
            return Namespaces.none();
        }
        ConfigFile.requireMapping(file, section, KEY, "namespace names to their rules");
        Map<String, Namespace> byName = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : section.properties()) {
            String name = entry.getKey();
            String where = file + ": " + KEY + "." + name;
            if (name.isEmpty() || name.contains(":") || name.startsWith("$")) {
                throw new InvalidSetting(where, "a namespace is the part of a room name before its first ':',"
                        + " so it is not empty, has no ':' and does not start with '$'");
            }
            if (name.equals(Namespaces.DEFAULT_NAME)) {
                throw new InvalidSetting(where, "'" + Namespaces.DEFAULT_NAME + "' is reserved: it labels the metrics of the"
                        + " rooms no entry names; give these rooms another namespace");
            }
            byName.put(name, namespace(file, where, entry.getValue()));
        }
        return new Namespaces(byName);
    }

    private static Namespace namespace(Path file, String where, JsonNode rules) {
        if (rules.isNull()) {
            return Namespace.DEFAULT;
        }
        ConfigFile.requireMapping(file, rules, where.substring(file.toString().length() + 2), "rules: " + String.join(", ", KEYS));
        Namespace.Publish publish = Namespace.DEFAULT.publish();
        PresenceMode presence = Namespace.DEFAULT.presence();
        boolean anonymousJoin = Namespace.DEFAULT.anonymousJoin();
        Integer historySize = null;
        Duration historyMaxAge = null;
        Namespace.SlowConsumer slowConsumer = Namespace.DEFAULT.slowConsumer();
        Boolean compression = null;
        String joinHook = null;
        String publishHook = null;
        for (Map.Entry<String, JsonNode> rule : rules.properties()) {
            String key = where + "." + rule.getKey();
            JsonNode value = rule.getValue();
            switch (rule.getKey()) {
                case "publish" -> publish = choice(key, value, Namespace.Publish.values(), Namespace.Publish::key);
                case "presence" -> presence = presence(key, value);
                case "anonymous-join" -> anonymousJoin = bool(key, value);
                case "compression" -> compression = bool(key, value);
                case "slow-consumer" -> slowConsumer = choice(key, value, Namespace.SlowConsumer.values(),
                        Namespace.SlowConsumer::key);
                case "join-hook" -> joinHook = HookSettings.checkedUrl(key, value.isTextual() ? value.textValue() : value.toString());
                case "publish-hook" -> publishHook = HookSettings.checkedUrl(key, value.isTextual() ? value.textValue() : value.toString());
                case "history" -> {
                    Map<String, Object> history = history(file, key, value);
                    historySize = (Integer) history.get("--history-size");
                    historyMaxAge = (Duration) history.get("--history-max-age");
                }
                default -> throw new InvalidSetting(key, "unknown key (a namespace has " + String.join(", ", KEYS) + ")");
            }
        }
        return new Namespace(publish, presence, anonymousJoin, historySize, historyMaxAge, slowConsumer,
                compression, joinHook, publishHook);
    }

    /** One of {@code choices}, as the config file writes it ({@code name}), case and surrounding blanks ignored. */
    private static <E extends Enum<E>> E choice(String key, JsonNode value, E[] choices, Function<E, String> name) {
        for (E choice : choices) {
            if (value.isTextual() && name.apply(choice).equals(value.textValue().strip().toLowerCase(Locale.ROOT))) {
                return choice;
            }
        }
        List<String> names = Arrays.stream(choices).map(name).toList();
        throw new InvalidSetting(key, "must be " + String.join(", ", names.subList(0, names.size() - 1)) + " or "
                + names.get(names.size() - 1) + ", got " + value);
    }

    /**
     * {@code full}, {@code count} or {@code off}; {@code true} and {@code false}, what the key took before it had
     * three values, still mean {@code full} and {@code off}.
     */
    private static PresenceMode presence(String key, JsonNode value) {
        if (value.isBoolean()) {
            return value.booleanValue() ? PresenceMode.FULL : PresenceMode.OFF;
        }
        try {
            return choice(key, value, PresenceMode.values(), PresenceMode::key);
        } catch (InvalidSetting refused) {
            throw new InvalidSetting(key, "must be full, count or off (true and false mean full and off), got " + value);
        }
    }

    private static boolean bool(String key, JsonNode value) {
        if (!value.isBoolean()) {
            throw new InvalidSetting(key, "must be true or false, got " + value);
        }
        return value.booleanValue();
    }

    /** The history group's settings a namespace overrides, by flag, checked as the node-wide ones are. */
    private static Map<String, Object> history(Path file, String where, JsonNode history) {
        Map<String, Object> values = new TreeMap<>();
        if (history.isNull()) {
            return values;
        }
        ConfigFile.requireMapping(file, history, where.substring(file.toString().length() + 2),
                "history settings: history-size, history-max-age");
        for (Map.Entry<String, JsonNode> entry : history.properties()) {
            String key = where + "." + entry.getKey();
            String flag = "--" + entry.getKey();
            if (!HISTORY_FLAGS.contains(flag)) {
                throw new InvalidSetting(key, "unknown key (a namespace's history has history-size, history-max-age)");
            }
            SettingSpec spec = Settings.byFlag(flag);
            try {
                Object value = ConfigFile.valueOf(spec, entry.getValue());
                spec.checkRange(value);
                values.put(flag, value);
            } catch (InvalidSetting refused) {
                throw refused.from(key);
            }
        }
        return values;
    }

    /** Appends the section as {@link #read} reads it; nothing when no namespace is configured. */
    static void render(Namespaces namespaces, StringBuilder yaml) {
        if (namespaces.byName().isEmpty()) {
            return;
        }
        yaml.append('\n').append(KEY).append(":\n");
        new TreeMap<>(namespaces.byName()).forEach((name, namespace) -> {
            yaml.append("  ").append(name).append(":\n");
            yaml.append("    publish: ").append(namespace.publish().key()).append('\n');
            yaml.append("    presence: ").append(namespace.presence().key()).append('\n');
            yaml.append("    anonymous-join: ").append(namespace.anonymousJoin()).append('\n');
            yaml.append("    slow-consumer: ").append(namespace.slowConsumer().key()).append('\n');
            if (namespace.compression() != null) {
                yaml.append("    compression: ").append(namespace.compression()).append('\n');
            }
            if (namespace.joinHook() != null) {
                yaml.append("    join-hook: ").append(namespace.joinHook()).append('\n');
            }
            if (namespace.publishHook() != null) {
                yaml.append("    publish-hook: ").append(namespace.publishHook()).append('\n');
            }
            if (namespace.historySize() != null || namespace.historyMaxAge() != null) {
                yaml.append("    history:\n");
                historyLine(yaml, "--history-size", namespace.historySize());
                historyLine(yaml, "--history-max-age", namespace.historyMaxAge());
            }
        });
    }

    private static void historyLine(StringBuilder yaml, String flag, Object value) {
        if (value != null) {
            SettingSpec spec = Settings.byFlag(flag);
            yaml.append("      ").append(spec.name()).append(": ").append(ConfigFile.scalar(spec, value)).append('\n');
        }
    }
}
