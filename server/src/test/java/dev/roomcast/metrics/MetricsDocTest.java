package dev.roomcast.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roomcast.config.Namespaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md's metric table and docs/grafana-dashboard.json against the registry: every
 * Roomcast series is documented with its type and labels, nothing documented is missing, and the
 * dashboard queries only series that exist and shows every one of them.
 */
class MetricsDocTest {

    private static final Path OPERATIONS = Path.of("../docs/operations.md");
    private static final Path DASHBOARD = Path.of("../docs/grafana-dashboard.json");
    private static final Pattern TYPE_LINE = Pattern.compile("^# TYPE (\\S+) (\\S+)$", Pattern.MULTILINE);
    private static final Pattern TABLE_ROW = Pattern.compile("^\\| `([a-z_]+)(\\{[a-z_,]+})?` \\| (\\w+) \\|", Pattern.MULTILINE);
    private static final Pattern SERIES = Pattern.compile("\\b(?:roomcast|process)_[a-z_]+");
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)\\{([^}]*)}", Pattern.MULTILINE);
    private static final Pattern LABEL = Pattern.compile("([a-z_]+)=\"");

    /** Family name → Prometheus type, of every Roomcast series and the uptime, without the histograms' _max gauges. */
    private static Map<String, String> registered;
    /** Family name → its labels (without the histograms' {@code le}). */
    private static Map<String, Set<String>> labels;

    @BeforeAll
    static void scrapeTheRegistry() {
        try (ServerMetrics metrics = new ServerMetrics(Namespaces.none())) {
            metrics.bindSizes(() -> 0, () -> 0);
            metrics.bindBuildInfo("test");
            // The series made on first use, once each, so they appear in the scrape.
            metrics.httpRequest("/v1/stats", "GET", 200, 1_000);
            metrics.redisObserver().commandCompleted("PING", 1_000);
            registered = new TreeMap<>();
            String scrape = metrics.scrape();
            Matcher type = TYPE_LINE.matcher(scrape);
            while (type.find()) {
                String name = type.group(1);
                boolean ours = name.startsWith("roomcast_") || name.equals("process_uptime_seconds");
                if (ours && !name.endsWith("_max")) {
                    registered.put(name, type.group(2));
                }
            }
            labels = new TreeMap<>();
            registered.keySet().forEach(name -> labels.put(name, new TreeSet<>()));
            Matcher sample = SAMPLE.matcher(scrape);
            while (sample.find()) {
                String family = sample.group(1).replaceAll("_(bucket|count|sum)$", "");
                if (registered.containsKey(family)) {
                    Matcher label = LABEL.matcher(sample.group(2));
                    while (label.find()) {
                        if (!label.group(1).equals("le")) {
                            labels.get(family).add(label.group(1));
                        }
                    }
                }
            }
        }
        assertThat(registered).containsKeys("roomcast_delivery_latency_seconds", "roomcast_build_info");
    }

    @Test
    void theOperationsTableListsExactlyTheRegisteredSeriesWithTheirTypes() throws IOException {
        Map<String, String> documented = new TreeMap<>();
        Map<String, Set<String>> documentedLabels = new TreeMap<>();
        Matcher row = TABLE_ROW.matcher(Files.readString(OPERATIONS));
        while (row.find()) {
            if (row.group(1).startsWith("roomcast_") || row.group(1).startsWith("process_uptime")) {
                documented.put(row.group(1), row.group(3));
                documentedLabels.put(row.group(1), row.group(2) == null ? Set.of()
                        : new TreeSet<>(List.of(row.group(2).replaceAll("[{}]", "").split(","))));
            }
        }
        assertThat(documented).as("docs/operations.md, Metrics: name and type of each series").isEqualTo(registered);
        assertThat(documentedLabels).as("docs/operations.md, Metrics: the labels of each series").isEqualTo(labels);
    }

    @Test
    void theDashboardQueriesOnlyRegisteredSeriesAndShowsEachOfThem() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> queried = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Matcher series = SERIES.matcher(target.get("expr").asText());
                while (series.find()) {
                    queried.add(series.group());
                }
            }
        }
        Set<String> families = new TreeSet<>();
        for (String name : queried) {
            String family = name.replaceAll("_(bucket|count|sum|max)$", "");
            assertThat(registered).as("the dashboard queries %s, which the registry does not have", name)
                    .containsKey(registered.containsKey(name) ? name : family);
            families.add(registered.containsKey(name) ? name : family);
        }
        assertThat(families).as("every registered series has a panel").isEqualTo(registered.keySet());
    }
}
