package dev.roomcast.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

/**
 * The YAML config file: one mapping per group ({@code network:}, {@code limits:}, …) whose keys
 * are the flags without their dashes, and the {@code namespaces:} section ({@link NamespacesSection}).
 * Reading refuses an unknown key, a value of the wrong shape or
 * a bad value with one line naming the file and the key; writing is what {@code --print-config}
 * prints, each setting under a comment saying what it does.
 *
 * <p>Threading: thread-safe (stateless; the mappers are immutable once built).
 */
public final class ConfigFile {

    /** What {@link #render} shows for a secret that is set; refused on reading, so it never becomes a secret. */
    static final String MASK = "********";
    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^/@:]*:)[^/@]*@");
    private static final int COMMENT_WIDTH = 100;
    private static final String HEADER = """
            # Roomcast settings, as `roomcast --print-config` prints them; load with --config FILE or ROOMCAST_CONFIG.
            # Each setting is taken from its flag, else its environment variable, else this file, else its default.
            """;

    private static final YAMLMapper READER = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final YAMLMapper SCALARS = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build());

    private ConfigFile() {
    }

    /** What a file sets: the settings, typed, and the namespaces. */
    record Contents(Map<SettingSpec, Object> values, Namespaces namespaces) {
        static final Contents EMPTY = new Contents(Map.of(), Namespaces.none());
    }

    /**
     * What {@code file} sets; a key without a value ({@code port:}) sets nothing. Throws
     * {@link InvalidSetting} located at the file and key.
     */
    static Contents read(Path file) {
        JsonNode root;
        try {
            root = READER.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new InvalidSetting(file.toString(), "no such config file");
        } catch (JacksonException e) {
            throw new InvalidSetting(file.toString(), "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse("")
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (IOException e) {
            throw new InvalidSetting(file.toString(), "cannot read it: " + e.getMessage());
        }
        Map<SettingSpec, Object> values = new HashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return Contents.EMPTY;
        }
        requireMapping(file, root, "the file", "groups: " + String.join(", ", Settings.groups()));
        Namespaces namespaces = Namespaces.none();
        for (Map.Entry<String, JsonNode> group : root.properties()) {
            if (group.getKey().equals(NamespacesSection.KEY)) {
                namespaces = NamespacesSection.read(file, group.getValue());
                continue;
            }
            if (!Settings.groups().contains(group.getKey())) {
                throw new InvalidSetting(file.toString(), "unknown key '" + group.getKey() + "' (the groups are "
                        + String.join(", ", Settings.groups()) + ")");
            }
            if (group.getValue().isNull()) {
                continue;
            }
            requireMapping(file, group.getValue(), group.getKey(), "settings");
            for (Map.Entry<String, JsonNode> entry : group.getValue().properties()) {
                String key = group.getKey() + "." + entry.getKey();
                SettingSpec spec = Settings.all().stream().filter(s -> s.hasKey(key)).findFirst()
                        .orElseThrow(() -> new InvalidSetting(file + ": " + key, "unknown key"));
                try {
                    Object value = valueOf(spec, entry.getValue());
                    if (value != null) {
                        values.put(spec, value);
                    }
                } catch (InvalidSetting refused) {
                    throw refused.from(where(file, spec));
                }
            }
        }
        return new Contents(values, namespaces);
    }

    /** How a refusal names a value read from {@code file}. */
    static String where(Path file, SettingSpec spec) {
        return file + ": " + spec.key();
    }

    /** The typed value of {@code node} for {@code spec}, or null for a key without a value. */
    static Object valueOf(SettingSpec spec, JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        if (node.isArray() && spec.valueType() == List.class) {
            return spec.parse(String.join(",", StreamSupport.stream(node.spliterator(), false)
                    .map(item -> scalarText(spec, item)).toList()));
        }
        String text = scalarText(spec, node);
        if (spec.secret() && text.equals(MASK)) {
            throw new InvalidSetting(spec.flag(), "'" + MASK + "' is the mask --print-config shows, not the secret;"
                    + " give the secret here or in " + spec.environmentVariable());
        }
        return spec.parse(text);
    }

    private static String scalarText(SettingSpec spec, JsonNode node) {
        if (!node.isValueNode()) {
            throw new InvalidSetting(spec.flag(), "wrong type: expected " + expected(spec) + ", found a "
                    + (node.isArray() ? "list" : "mapping"));
        }
        return node.asText();
    }

    private static String expected(SettingSpec spec) {
        Class<?> type = spec.valueType();
        if (type == Integer.class || type == Long.class) {
            return "a whole number";
        }
        if (type == java.time.Duration.class) {
            return "a duration such as 10s";
        }
        if (type == Boolean.class) {
            return "true or false";
        }
        return type == List.class ? "a list or a comma-separated text" : "a text";
    }

    static void requireMapping(Path file, JsonNode node, String what, String expected) {
        if (!node.isObject()) {
            throw new InvalidSetting(file.toString(), "wrong type: " + what + " must be a mapping of " + expected);
        }
    }

    /**
     * {@code config} as a config file: every group and setting in declaration order, each under
     * its help as a comment; secrets that are set show as {@value #MASK}, as does a password in
     * the broker URL.
     */
    public static String render(RoomcastConfig config) {
        StringBuilder yaml = new StringBuilder(HEADER);
        String group = null;
        for (SettingSpec spec : Settings.all()) {
            if (!spec.group().equals(group)) {
                group = spec.group();
                yaml.append('\n').append(group).append(":\n");
            }
            comment(yaml, spec.help() + " (" + spec.flag() + ", " + spec.environmentVariable() + ")");
            yaml.append("  ").append(spec.name()).append(": ").append(scalar(spec, spec.valueIn(config))).append('\n');
        }
        NamespacesSection.render(config.namespaces(), yaml);
        return yaml.toString();
    }


    static String scalar(SettingSpec spec, Object value) {
        String text = spec.format(value);
        if (text == null) {
            return "null";
        }
        if (spec.secret()) {
            text = MASK;
        }
        text = URL_PASSWORD.matcher(text).replaceAll("$1" + MASK + "@");
        if (text.isEmpty()) {
            return "\"\""; // Jackson would write `--- ""`, which reads back as that text
        }
        Object node = value instanceof Number || value instanceof Boolean ? value : text;
        try {
            return SCALARS.writeValueAsString(node).strip();
        } catch (JacksonException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void comment(StringBuilder yaml, String text) {
        StringBuilder line = new StringBuilder("  #");
        for (String word : text.split(" ")) {
            if (line.length() + 1 + word.length() > COMMENT_WIDTH) {
                yaml.append(line).append('\n');
                line = new StringBuilder("  #");
            }
            line.append(' ').append(word);
        }
        yaml.append(line).append('\n');
    }
}
