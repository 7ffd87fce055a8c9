package net.tesseras.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard in docs/ against the metrics guide: one node or all, and every transport, replication, proof and repair meter shown. */
class DashboardTest {

    private static final Path DOCS = Path.of(System.getProperty("tesseras.docs", "../docs"));
    /** A metric name in a query, with its label matchers if it has any. */
    private static final Pattern SELECTOR = Pattern.compile("\\b((?:tesseras|jvm|process|system)_[a-z_]+)(\\{[^}]*})?");
    /** Meter families every one of which must have a panel. */
    private static final Pattern PANELLED = Pattern.compile("tesseras_(transport|conn_pool|replication|attestation|challenge|repair)_");
    private static final Pattern DOCUMENTED = Pattern.compile("^\\| `(tesseras_[a-z_]+)`", Pattern.MULTILINE);

    @Test
    void everyQueryOfEveryPanelIsFilteredByTheInstanceVariable() throws IOException {
        JsonObject dashboard = dashboard();
        List<String> variables = new ArrayList<>();
        for (JsonElement variable : dashboard.getAsJsonObject("templating").getAsJsonArray("list")) {
            variables.add(variable.getAsJsonObject().get("name").getAsString());
        }
        assertTrue(variables.contains("instance"), "template variables: " + variables);

        int selectors = 0;
        for (String expr : expressions(dashboard)) {
            Matcher m = SELECTOR.matcher(expr);
            while (m.find()) {
                selectors++;
                assertTrue(m.group(2) != null && m.group(2).contains("instance=~\"$instance\""),
                        m.group(1) + " is not filtered by $instance in: " + expr);
            }
        }
        assertTrue(selectors > 20, "queries found: " + selectors);
    }

    @Test
    void everyTransportAndPoolMeterOfTheGuideHasAPanelAndEveryMeterShownIsDocumented() throws IOException {
        Set<String> documented = new TreeSet<>();
        Matcher m = DOCUMENTED.matcher(Files.readString(DOCS.resolve("METRICS.md")));
        while (m.find()) {
            documented.add(m.group(1));
        }
        Set<String> shown = new TreeSet<>();
        for (String expr : expressions(dashboard())) {
            Matcher s = SELECTOR.matcher(expr);
            while (s.find()) {
                if (s.group(1).startsWith("tesseras_")) {
                    shown.add(s.group(1).replaceFirst("_(bucket|count|sum|max)$", ""));
                }
            }
        }
        Set<String> missing = new TreeSet<>();
        for (String meter : documented) {
            if (PANELLED.matcher(meter).lookingAt() && !shown.contains(meter)) {
                missing.add(meter);
            }
        }
        assertFalse(documented.isEmpty());
        assertEquals(Set.of(), missing, "transport, replication, proof and repair meters without a panel");
        Set<String> undocumented = new TreeSet<>(shown);
        undocumented.removeAll(documented);
        assertEquals(Set.of(), undocumented, "meters on the dashboard that docs/METRICS.md does not list");
    }

    private static JsonObject dashboard() throws IOException {
        return JsonParser.parseString(Files.readString(DOCS.resolve("grafana/tesseras-node.json"))).getAsJsonObject();
    }

    private static List<String> expressions(JsonObject dashboard) {
        List<String> result = new ArrayList<>();
        for (JsonElement panel : dashboard.getAsJsonArray("panels")) {
            JsonObject object = panel.getAsJsonObject();
            if (object.has("targets")) {
                for (JsonElement target : object.getAsJsonArray("targets")) {
                    result.add(target.getAsJsonObject().get("expr").getAsString());
                }
            }
        }
        return result;
    }
}
