package dev.roomcast.config;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One setting as every source sees it, derived from its {@link Setting} declaration: the flag,
 * the environment variable, the key in the config file, and how a value is written and read.
 * Values are written the same way everywhere: {@code 65536}, {@code 10s}, {@code a,b}.
 *
 * <p>Threading: immutable.
 */
public record SettingSpec(String group, RecordComponent component, Setting declared) {

    private static final String FLAG_PREFIX = "--";

    public String flag() {
        return declared.flag();
    }

    /** {@code --max-message-bytes} → {@code ROOMCAST_MAX_MESSAGE_BYTES}. */
    public String environmentVariable() {
        return environmentVariableOf(flag());
    }

    /** The key inside the group in the config file: the flag without its dashes. */
    public String name() {
        return flag().substring(FLAG_PREFIX.length());
    }

    /** {@code limits.max-message-bytes}. */
    public String key() {
        return keyOf(flag());
    }

    /** The former flags still accepted (see {@link Setting#aliases}). */
    public List<String> aliases() {
        return List.of(declared.aliases());
    }

    /** The environment variables of the flag and then of each alias, in the order they are looked at. */
    public List<String> environmentVariables() {
        return names().stream().map(SettingSpec::environmentVariableOf).toList();
    }

    /** Whether {@code key} names this setting in the config file, by its flag or an alias. */
    public boolean hasKey(String key) {
        return names().stream().anyMatch(name -> keyOf(name).equals(key));
    }

    private List<String> names() {
        List<String> names = new ArrayList<>();
        names.add(flag());
        names.addAll(aliases());
        return names;
    }

    private static String environmentVariableOf(String flag) {
        return "ROOMCAST_" + flag.substring(FLAG_PREFIX.length()).toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private String keyOf(String flag) {
        return group + "." + flag.substring(FLAG_PREFIX.length());
    }

    /** The Java type of a value, boxed: {@code Integer} for an {@code int} setting. */
    public Class<?> valueType() {
        Class<?> type = component.getType();
        return type == int.class ? Integer.class : type == long.class ? Long.class : type == boolean.class ? Boolean.class : type;
    }

    /** This setting's value in {@code config}. */
    public Object valueIn(RoomcastConfig config) {
        try {
            Object group = RoomcastConfig.class.getMethod(group()).invoke(config);
            return component.getAccessor().invoke(group);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + key(), e);
        }
    }

    public String help() {
        return declared.help();
    }

    public boolean secret() {
        return declared.secret();
    }

    /** The default as written in the declaration, or null when the setting is unset by default. */
    public String defaultText() {
        return declared.defaultValue().isEmpty() ? null : declared.defaultValue();
    }

    public Object defaultValue() {
        return parse(declared.defaultValue());
    }

    /**
     * Reads a value written as on the command line; a blank text means unset (null), so an empty
     * environment variable or flag leaves the setting to the next source.
     */
    public Object parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Class<?> type = component.getType();
        Object value;
        if (type == int.class || type == long.class) {
            value = wholeNumber(text.strip());
        } else if (type == Duration.class) {
            value = duration(text);
        } else if (type == Path.class) {
            value = Path.of(text.strip());
        } else if (type == List.class) {
            value = Arrays.stream(text.split(",")).map(String::strip).filter(item -> !item.isEmpty()).toList();
        } else if (type.isEnum()) {
            value = constant(type, text.strip());
        } else if (type == boolean.class) {
            value = bool(text.strip());
        } else {
            value = text;
        }
        if (type == int.class) {
            checkRange(value);
            return Math.toIntExact((Long) value);
        }
        return value;
    }

    /** The value written as {@link #parse} reads it; null stays null. */
    public String format(Object value) {
        if (value instanceof Duration duration) {
            return formatDuration(duration);
        }
        if (value instanceof List<?> list) {
            return list.isEmpty() ? null : String.join(",", list.stream().map(String::valueOf).toList());
        }
        if (value instanceof Enum<?> constant) {
            return constant.name().toLowerCase(Locale.ROOT);
        }
        return value == null ? null : value.toString();
    }

    /** Refuses a value outside the declared {@code min} and {@code max}, or beyond what the type holds. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void checkRange(Object value) {
        Comparable comparable;
        if (value instanceof Integer || value instanceof Long) {
            comparable = ((Number) value).longValue();
        } else if (value instanceof Duration duration) {
            comparable = duration;
        } else {
            return;
        }
        Comparable min = bound(declared.min(), Long.MIN_VALUE);
        Comparable max = bound(declared.max(), Long.MAX_VALUE);
        if (comparable.compareTo(min) < 0 || comparable.compareTo(max) > 0) {
            throw new InvalidSetting(flag(), rangeText(min, max) + ", got " + format(value));
        }
    }

    private Comparable<?> bound(String declaredBound, long unbounded) {
        Class<?> type = component.getType();
        if (!declaredBound.isEmpty()) {
            return type == Duration.class ? duration(declaredBound) : Long.parseLong(declaredBound);
        }
        if (type == int.class) {
            return unbounded < 0 ? (long) Integer.MIN_VALUE : (long) Integer.MAX_VALUE;
        }
        return type == Duration.class ? (unbounded < 0 ? Duration.ZERO : Duration.ofSeconds(Long.MAX_VALUE)) : unbounded;
    }

    private String rangeText(Comparable<?> min, Comparable<?> max) {
        boolean hasMin = !declared.min().isEmpty();
        boolean hasMax = !declared.max().isEmpty() || component.getType() == int.class;
        if (hasMin && hasMax) {
            return "must be between " + format(min) + " and " + format(max);
        }
        return hasMin || !hasMax ? "must be at least " + format(min) : "must be at most " + format(max);
    }

    private long wholeNumber(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new InvalidSetting(flag(), "'" + text + "' is not a whole number");
        }
    }

    /** The constant of enum {@code type} named {@code text} in any case: {@code json} and {@code JSON} alike. */
    private Boolean bool(String text) {
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.valueOf(text);
        }
        throw new InvalidSetting(flag(), "must be true or false, got '" + text + "'");
    }

    private Object constant(Class<?> type, String text) {
        for (Object constant : type.getEnumConstants()) {
            if (((Enum<?>) constant).name().equalsIgnoreCase(text)) {
                return constant;
            }
        }
        throw new InvalidSetting(flag(), "'" + text + "' is not one of " + String.join(", ",
                Arrays.stream(type.getEnumConstants()).map(this::format).toList()));
    }

    /** {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, or a bare number of seconds. */
    public static Duration parseDuration(String text) {
        String v = text.strip().toLowerCase(Locale.ROOT);
        try {
            Duration duration;
            if (v.endsWith("ms")) {
                duration = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else {
                long amount = Long.parseLong(v.replaceAll("[smh]$", ""));
                duration = switch (v.charAt(v.length() - 1)) {
                    case 'h' -> Duration.ofHours(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    default -> Duration.ofSeconds(amount);
                };
            }
            if (!duration.isNegative()) {
                return duration;
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException | ArithmeticException e) {
            // reported below, with the text as given
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration (try 10s, 500ms, 5m)");
    }

    private Duration duration(String text) {
        try {
            return parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidSetting(flag(), e.getMessage());
        }
    }

    private static String formatDuration(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0";
        }
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }
}
