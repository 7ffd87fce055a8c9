package net.tesseras.storage.internal.fs;

/**
 * What reconciling the files of an fs store with its index found on start.
 *
 * @param temporaryFilesRemoved half-written files of stores that were never acknowledged
 * @param orphansQuarantined complete shard files the index does not know (a crash between the
 *     rename and the index commit, or a deletion cut short), moved to {@code lost+found/}
 * @param missingFiles fragments the index records whose file is gone; kept in the index so that
 *     {@code verify} reports them and storing them again repairs them
 * @param unknownFiles files whose names this layout never writes, left where they are
 */
public record ReconcileReport(int temporaryFilesRemoved, int orphansQuarantined, int missingFiles, int unknownFiles) {

    public boolean clean() {
        return temporaryFilesRemoved == 0 && orphansQuarantined == 0 && missingFiles == 0 && unknownFiles == 0;
    }

    @Override
    public String toString() {
        return clean() ? "files and index agree"
                : temporaryFilesRemoved + " unacknowledged temporary file(s) removed, " + orphansQuarantined
                        + " unindexed shard file(s) moved to " + FragmentPaths.LOST_AND_FOUND + "/, " + missingFiles
                        + " indexed fragment(s) missing on disk, " + unknownFiles + " unknown file(s) left alone";
    }
}
