package net.tesseras.tessera.internal.payload;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@code meta.json} beside each memory's media: the original's fields ({@code version},
 * {@code created_at}, {@code type}, {@code people}, {@code tags}, {@code language},
 * {@code description}) and ours, which keep what the original loses: {@code media} (the file
 * name in the tessera), {@code mime}, {@code size} and {@code original_names}, every relative
 * name the file had when it was stored (several when the same bytes were given under several names).
 *
 * @param createdAt when the tessera was made
 * @param type {@code moment} or {@code reflection} (a text note), the original's memory types
 * @param media the media file's name in the memory's folder, {@code media.<ext>}
 * @param mime the media type recorded in the manifest
 * @param size the media's length in bytes
 * @param originalNames the relative names an export restores, '/'-separated, at least one
 */
record MemoryMeta(Instant createdAt, String type, String media, String mime, long size, List<String> originalNames) {

    static final String VERSION = "v1";

    private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    MemoryMeta {
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(media, "media");
        Objects.requireNonNull(mime, "mime");
        originalNames = List.copyOf(originalNames);
    }

    /** Pretty-printed JSON (2-space indent) with a final line feed. */
    byte[] toJson() {
        JsonObject json = new JsonObject();
        json.addProperty("version", VERSION);
        json.addProperty("created_at", DateTimeFormatter.ISO_INSTANT.format(createdAt.truncatedTo(ChronoUnit.SECONDS)));
        json.addProperty("type", type);
        json.add("people", new JsonArray());
        json.add("tags", new JsonArray());
        json.addProperty("language", "");
        json.addProperty("description", "");
        json.addProperty("media", media);
        json.addProperty("mime", mime);
        json.addProperty("size", size);
        JsonArray names = new JsonArray();
        originalNames.forEach(names::add);
        json.add("original_names", names);
        return (PRETTY.toJson(json) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a meta.json: strict JSON, an object with at least {@code media}, {@code mime},
     * {@code size} and a non-empty {@code original_names} list of strings.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static MemoryMeta parse(byte[] bytes) {
        JsonObject json;
        try {
            JsonReader reader = new JsonReader(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
            reader.setStrictness(Strictness.STRICT);
            JsonElement element = JsonParser.parseReader(reader);
            if (!element.isJsonObject()) {
                throw new IllegalArgumentException("is not a JSON object");
            }
            json = element.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("is not valid JSON (" + e.getMessage() + ")");
        }
        String version = string(json, "version");
        if (!VERSION.equals(version)) {
            throw new IllegalArgumentException("has version '" + version + "', this reader knows v1");
        }
        Instant createdAt;
        try {
            createdAt = Instant.parse(string(json, "created_at"));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("has a created_at that is no UTC time: " + json.get("created_at"));
        }
        JsonElement size = json.get("size");
        if (size == null || !size.isJsonPrimitive() || !size.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("has no numeric 'size'");
        }
        long bytesLong;
        try {
            bytesLong = size.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("has a size that is no whole number of bytes: " + size);
        }
        JsonElement names = json.get("original_names");
        if (names == null || !names.isJsonArray() || names.getAsJsonArray().isEmpty()) {
            throw new IllegalArgumentException("has no 'original_names' list");
        }
        List<String> originalNames = new ArrayList<>();
        for (JsonElement name : names.getAsJsonArray()) {
            if (!name.isJsonPrimitive() || !name.getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException("has an original name that is not a string: " + name);
            }
            originalNames.add(name.getAsString());
        }
        return new MemoryMeta(createdAt, string(json, "type"), string(json, "media"), string(json, "mime"), bytesLong,
                originalNames);
    }

    private static String string(JsonObject json, String key) {
        JsonElement value = json.get(key);
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("has no '" + key + "' string");
        }
        return value.getAsString();
    }
}
