package net.tesseras.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code tesseras:status <hash>} printed, read leniently by its key words: the health, the
 * fragment counts, the survivable peer losses and the table of holders. Unparsed parts are -1 or
 * empty; {@link #text} keeps the whole output for assertion messages.
 */
record TesseraStanding(String health, int placed, int live, int total, int needed, int holderCount, int survives,
        Map<String, Holder> holders, String text) {

    /** One row of the holders' table: the peer's NodeId, the indices it holds and proved, and the result of its last proof. */
    record Holder(String nodeId, TreeSet<Integer> fragments, TreeSet<Integer> live, String result) {
        boolean failed() {
            return result.toLowerCase(java.util.Locale.ROOT).startsWith("failed");
        }
    }

    private static final Pattern HEALTH = Pattern.compile("(?m)^health\\s+(\\w+)");
    private static final Pattern FRAGMENTS = Pattern.compile("(?m)^fragments\\s+(\\d+) placed, (\\d+) live of (\\d+) \\((\\d+) needed\\)");
    private static final Pattern HOLDERS = Pattern.compile("(?m)^holders\\s+(\\d+) peers?");
    private static final Pattern SURVIVES = Pattern.compile("(?m)^survives\\s+(\\d+) peer loss");
    /** NodeId, fragments, live, then the last proof's time and the result (a word, maybe ": detail"). */
    private static final Pattern ROW = Pattern.compile(
            "(?m)^([0-9a-f]{40})\\s+(-|[0-9,]+)\\s+(-|[0-9,]+)\\s+(never|\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ|\\S+)\\s+(.*)$");

    static TesseraStanding parse(String text) {
        Matcher health = HEALTH.matcher(text);
        Matcher fragments = FRAGMENTS.matcher(text);
        boolean counted = fragments.find();
        Matcher holders = HOLDERS.matcher(text);
        Matcher survives = SURVIVES.matcher(text);
        Map<String, Holder> rows = new LinkedHashMap<>();
        Matcher row = ROW.matcher(text);
        while (row.find()) {
            rows.put(row.group(1), new Holder(row.group(1), indices(row.group(2)), indices(row.group(3)), row.group(5).strip()));
        }
        return new TesseraStanding(health.find() ? health.group(1) : "",
                counted ? Integer.parseInt(fragments.group(1)) : -1, counted ? Integer.parseInt(fragments.group(2)) : -1,
                counted ? Integer.parseInt(fragments.group(3)) : -1, counted ? Integer.parseInt(fragments.group(4)) : -1,
                holders.find() ? Integer.parseInt(holders.group(1)) : -1, survives.find() ? Integer.parseInt(survives.group(1)) : -1,
                rows, text);
    }

    boolean is(String wanted) {
        return health.equalsIgnoreCase(wanted);
    }

    /** Healthy with every fragment of the tessera proven live on peers. */
    boolean healthyAndWhole() {
        return is("Healthy") && total > 0 && live == total;
    }

    /** Holders that prove at least one fragment live. */
    List<Holder> liveHolders() {
        List<Holder> live = new ArrayList<>();
        for (Holder holder : holders.values()) {
            if (!holder.live().isEmpty()) {
                live.add(holder);
            }
        }
        return live;
    }

    /** The distinct indices proven live over all holders. */
    TreeSet<Integer> liveIndices() {
        TreeSet<Integer> all = new TreeSet<>();
        holders.values().forEach(h -> all.addAll(h.live()));
        return all;
    }

    private static TreeSet<Integer> indices(String cell) {
        TreeSet<Integer> set = new TreeSet<>();
        if (!cell.equals("-")) {
            for (String index : cell.split(",")) {
                if (!index.isBlank()) {
                    set.add(Integer.parseInt(index.strip()));
                }
            }
        }
        return set;
    }

    @Override
    public String toString() {
        return text;
    }
}
