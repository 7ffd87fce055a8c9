package net.tesseras.storage.internal.fs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What reconciling the files of an fs store with its index found on start.
 *
 * @param temporaryFilesRemoved half-written files of stores that were never acknowledged
 * @param reindexed whole shard files the index did not know (a database that lost rows, a crash
 *     between the rename and the index commit, a deletion cut short), indexed again from their
 *     own bytes
 * @param recoveredFromLostAndFound shard files moved back from {@code lost+found/}, where earlier
 *     versions put files the index did not know
 * @param missingFiles fragments the index records whose file is gone; kept in the index so that
 *     {@code verify} reports them and storing them again repairs them
 * @param sizeMismatches fragments whose file is not as long as the index records (truncated or
 *     overwritten); reads refuse them, {@code verify} reports them, storing them again repairs them
 * @param unknownEntries files and directories this layout never writes (or could not read), left
 *     where they are
 */
public record ReconcileReport(int temporaryFilesRemoved, int reindexed, int recoveredFromLostAndFound,
        int missingFiles, int sizeMismatches, int unknownEntries) {

    public boolean clean() {
        return temporaryFilesRemoved == 0 && !dataAffected() && unknownEntries == 0;
    }

    /** Whether the index or the files of acknowledged fragments needed attention (an ERROR). */
    public boolean dataAffected() {
        return reindexed > 0 || recoveredFromLostAndFound > 0 || missingFiles > 0 || sizeMismatches > 0;
    }

    /** Prefix of the service properties that carry these counts to the storage bundle's metrics. */
    public static final String PROPERTY_PREFIX = "reconcile.";

    /**
     * The counts as service properties of the store's registration ({@code reconcile.<finding>}),
     * which the storage bundle's metrics component turns into the gauge
     * {@code tesseras_store_reconcile_findings{store, finding}}.
     */
    public Map<String, Integer> serviceProperties() {
        Map<String, Integer> properties = new LinkedHashMap<>();
        properties.put(PROPERTY_PREFIX + "reindexed", reindexed);
        properties.put(PROPERTY_PREFIX + "recovered", recoveredFromLostAndFound);
        properties.put(PROPERTY_PREFIX + "missing", missingFiles);
        properties.put(PROPERTY_PREFIX + "size_mismatch", sizeMismatches);
        properties.put(PROPERTY_PREFIX + "temporary_removed", temporaryFilesRemoved);
        properties.put(PROPERTY_PREFIX + "unknown", unknownEntries);
        return properties;
    }

    @Override
    public String toString() {
        if (clean()) {
            return "files and index agree";
        }
        List<String> parts = new ArrayList<>();
        if (reindexed > 0) {
            parts.add(reindexed + " fragment(s) missing from the index re-indexed from their files");
        }
        if (recoveredFromLostAndFound > 0) {
            parts.add(recoveredFromLostAndFound + " file(s) moved back from " + FragmentPaths.LOST_AND_FOUND + "/");
        }
        if (missingFiles > 0) {
            parts.add(missingFiles + " indexed fragment(s) missing on disk");
        }
        if (sizeMismatches > 0) {
            parts.add(sizeMismatches + " fragment file(s) whose size differs from the index");
        }
        if (temporaryFilesRemoved > 0) {
            parts.add(temporaryFilesRemoved + " unacknowledged temporary file(s) removed");
        }
        if (unknownEntries > 0) {
            parts.add(unknownEntries + " unknown entr" + (unknownEntries == 1 ? "y" : "ies") + " left alone");
        }
        return String.join(", ", parts);
    }
}
