package dev.roomcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one figure from a bench tool's JSON line, failing the test when it is missing. Stateless. */
final class BenchFigures {

    private BenchFigures() {
    }

    static double decimal(String json, String field) {
        return Double.parseDouble(find(json, field, "-?[0-9.]+"));
    }

    static long number(String json, String field) {
        return Long.parseLong(find(json, field, "-?[0-9]+"));
    }

    private static String find(String json, String field, String value) {
        Matcher m = Pattern.compile("\"" + field + "\":(" + value + ")").matcher(json);
        assertThat(m.find()).as("%s in %s", field, json).isTrue();
        return m.group(1);
    }
}
