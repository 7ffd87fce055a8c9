package net.tesseras.tessera.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executor;
import net.tesseras.database.Database;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.storage.FragmentStore;
import net.tesseras.tessera.TesseraService;
import net.tesseras.tessera.internal.erasure.ReedSolomonCoder;

/**
 * The tessera bundle's real service for replication tests, built by hand as the tessera bundle's
 * own tests do (its classes are package private; this class lives in the same package).
 */
public final class TesseraNodes {

    private TesseraNodes() {
    }

    public static TesseraService service(Database database, FragmentStore store, NodeIdentity identity, Path workRoot,
            Executor executor, Clock clock) {
        NodeTesseras tesseras = new NodeTesseras(new TesseraTable(database), Collaborators.fixed(store, identity,
                new ReedSolomonCoder()), workRoot, new WriterLimits(2, 8L << 20), executor, clock);
        tesseras.recover();
        return tesseras;
    }
}
