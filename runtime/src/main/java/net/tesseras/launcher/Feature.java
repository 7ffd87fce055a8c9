package net.tesseras.launcher;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An OSGi R8 feature descriptor, as far as the node uses it: an id, a name and bundles, each with
 * a start order (the bundle's start level).
 *
 * @param id the feature's Maven-style id ({@code group:artifact:osgifeature:classifier:version})
 * @param name a name for people
 * @param bundles the bundles, in the order listed
 */
public record Feature(String id, String name, List<Bundle> bundles) {

    /** Start level given to bundles that do not say. */
    public static final int DEFAULT_START_ORDER = 20;

    /**
     * One bundle of a feature.
     *
     * @param groupId Maven group
     * @param artifactId Maven artifact
     * @param classifier Maven classifier, empty for none (native fragments have one)
     * @param version Maven version
     * @param startOrder start level
     */
    public record Bundle(String groupId, String artifactId, String classifier, String version, int startOrder) {

        /**
         * Parses {@code group:artifact:version}, {@code group:artifact:type:version} or
         * {@code group:artifact:type:classifier:version}.
         */
        static Bundle parse(String id, int startOrder) {
            String[] parts = id.split(":");
            if (parts.length < 3 || parts.length > 5) {
                throw new IllegalArgumentException("bundle id '" + id + "' is not group:artifact:version");
            }
            String classifier = parts.length == 5 ? parts[3] : "";
            return new Bundle(parts[0], parts[1], classifier, parts[parts.length - 1], startOrder);
        }

        /** Where the bundle lives in a Maven repository layout, such as the distribution's system/. */
        public Path repositoryPath() {
            String suffix = classifier.isEmpty() ? "" : "-" + classifier;
            return Path.of(groupId.replace('.', '/'), artifactId, version, artifactId + "-" + version + suffix + ".jar");
        }

        public String coordinates() {
            return groupId + ":" + artifactId + (classifier.isEmpty() ? "" : ":jar:" + classifier) + ":" + version;
        }
    }

    /** Reads a feature; the error names the source and what is wrong with it. */
    public static Feature read(Reader reader, String source) throws IOException {
        try {
            JsonObject json = JsonParser.parseReader(reader).getAsJsonObject();
            String id = text(json, "id", source);
            String name = json.has("name") ? json.get("name").getAsString() : id;
            List<Bundle> bundles = new ArrayList<>();
            JsonArray array = json.has("bundles") ? json.getAsJsonArray("bundles") : new JsonArray();
            for (JsonElement element : array) {
                if (element.isJsonPrimitive()) {
                    bundles.add(Bundle.parse(element.getAsString(), DEFAULT_START_ORDER));
                    continue;
                }
                JsonObject bundle = element.getAsJsonObject();
                int order = bundle.has("start-order") ? Integer.parseInt(bundle.get("start-order").getAsString().trim())
                        : DEFAULT_START_ORDER;
                if (order < 1) {
                    throw new IllegalArgumentException("start-order must be at least 1, got " + order);
                }
                bundles.add(Bundle.parse(text(bundle, "id", source), order));
            }
            return new Feature(id, name, List.copyOf(bundles));
        } catch (JsonParseException | IllegalStateException | IllegalArgumentException | UnsupportedOperationException e) {
            throw new IOException("feature " + source + " is not valid: " + e.getMessage(), e);
        }
    }

    private static String text(JsonObject json, String key, String source) {
        if (!json.has(key) || !json.get(key).isJsonPrimitive()) {
            throw new IllegalArgumentException("'" + key + "' is missing in " + source);
        }
        return json.get(key).getAsString();
    }
}
