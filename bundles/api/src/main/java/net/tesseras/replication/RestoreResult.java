package net.tesseras.replication;

import java.util.List;
import java.util.Objects;
import net.tesseras.identity.NodeId;
import net.tesseras.tessera.ExportResult;

/**
 * A tessera restored from the network.
 *
 * @param fragmentsFetched fragments fetched from peers
 * @param bytesFetched their bytes
 * @param peers the peers they came from
 * @param export the files written (as {@code tesseras:export} reports them)
 */
public record RestoreResult(int fragmentsFetched, long bytesFetched, List<NodeId> peers, ExportResult export) {

    public RestoreResult {
        peers = List.copyOf(peers);
        Objects.requireNonNull(export, "export");
    }
}
