package net.tesseras.replication;

import java.util.List;
import java.util.Objects;

/**
 * What a publish did.
 *
 * @param status where the tessera stands afterwards
 * @param placed fragments a peer acknowledged in this call
 * @param notes one line per peer that refused an offer or a transfer that failed, with its reason
 */
public record PublishReport(TesseraStatus status, int placed, List<String> notes) {

    public PublishReport {
        Objects.requireNonNull(status, "status");
        notes = List.copyOf(notes);
    }
}
