package dev.roomcast.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one run, in the order they were added, printable as a table for people or as
 * one JSON object per line for scripts. Not thread-safe; built by the driving thread.
 */
public final class BenchResult {

    private final Map<String, Object> fields = new LinkedHashMap<>();

    /** Adds or replaces a figure: a string, a whole number or a decimal. */
    public BenchResult put(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    public Object get(String key) {
        return fields.get(key);
    }

    /** One line of JSON; decimals keep three places. */
    public String toJson() {
        StringBuilder json = new StringBuilder("{");
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"').append(field.getKey()).append("\":");
            Object value = field.getValue();
            if (value instanceof Number number) {
                json.append(format(number));
            } else if (value instanceof Boolean bool) {
                json.append(bool);
            } else {
                json.append('"').append(escape(String.valueOf(value))).append('"');
            }
        }
        return json.append('}').toString();
    }

    /** Two aligned columns, one figure a line. */
    public String toTable() {
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder table = new StringBuilder();
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            Object value = field.getValue();
            String shown = value instanceof Number number ? format(number) : String.valueOf(value);
            table.append(String.format(Locale.ROOT, "  %-" + width + "s  %s%n", field.getKey(), shown));
        }
        return table.toString();
    }

    private static String format(Number number) {
        if (number instanceof Double || number instanceof Float) {
            double d = number.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return "null";
            }
            return String.format(Locale.ROOT, "%.3f", d);
        }
        return number.toString();
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
