package dev.roomcast.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one run, in the order they were added, printable as a table for people or as
 * one JSON object per line for scripts.
 *
 * <p>Threading: not thread-safe; built by the driving thread.
 */
public final class BenchResult {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> fields = new LinkedHashMap<>();

    /** Adds or replaces a figure: a string, a whole number or a decimal. */
    public BenchResult put(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    public Object get(String key) {
        return fields.get(key);
    }

    /** One line of JSON; decimals keep three places, as in the table. */
    public String toJson() {
        ObjectNode json = JSON.createObjectNode();
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            Object value = field.getValue();
            if (value instanceof Number number) {
                String figure = format(number);
                json.put(field.getKey(), figure.equals("null") ? null : new BigDecimal(figure));
            } else if (value instanceof Boolean bool) {
                json.put(field.getKey(), bool);
            } else {
                json.put(field.getKey(), String.valueOf(value));
            }
        }
        return json.toString();
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
}
