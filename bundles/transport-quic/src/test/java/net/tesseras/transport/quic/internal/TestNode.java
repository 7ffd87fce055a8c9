package net.tesseras.transport.quic.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.UnaryOperator;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.identity.internal.KeyPairIdentity;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;

/** A node for tests: a fresh identity, an fs store in a directory, and its transport on loopback. */
final class TestNode implements AutoCloseable {

    final NodeIdentity identity;
    final SqliteDatabase database;
    final FsFragmentStore store;
    final QuicTransport transport;
    final QuicPeerClient client;

    TestNode(Path dir, TransportSettings settings) throws InterruptedException {
        this(dir, settings, KeyPairIdentity.generate());
    }

    TestNode(Path dir, TransportSettings settings, NodeIdentity identity) throws InterruptedException {
        this(dir, settings, identity, UnaryOperator.identity(), TransportMetrics.NONE);
    }

    /** A node whose peers see its store through {@code served} (to slow it down, say). */
    TestNode(Path dir, TransportSettings settings, NodeIdentity identity, UnaryOperator<FragmentStore> served, TransportMetrics metrics)
            throws InterruptedException {
        this.identity = identity;
        this.database = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        this.store = FsFragmentStore.open("fs", dir.resolve("fragments"), database, 0, false);
        FragmentStore visible = served.apply(store);
        this.transport = new QuicTransport(identity, () -> visible, settings, metrics).start();
        this.client = new QuicPeerClient(transport);
    }

    InetSocketAddress address() {
        return transport.localAddress();
    }

    /** Stores random bytes as fragment {@code index} of a random tessera and returns its id. */
    FragmentId holdRandom(long seed, int index, int size) {
        byte[] bytes = random(seed, size);
        byte[] tessera = new byte[ContentHash.LENGTH];
        new Random(seed + 1).nextBytes(tessera);
        FragmentId id = new FragmentId(ContentHash.of(tessera), index, false, Blake3Hashing.hash(bytes));
        store.store(id, ByteBuffer.wrap(bytes));
        return id;
    }

    static byte[] random(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Stops as a killed process does: peers are not told. */
    void kill() {
        client.close();
        transport.abort();
        store.close();
        database.close();
    }

    @Override
    public void close() {
        client.close();
        transport.close();
        store.close();
        database.close();
    }
}
