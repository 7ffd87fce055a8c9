package net.tesseras.bench;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import net.tesseras.cache.internal.CacheSettings;
import net.tesseras.cache.internal.CachingFragmentStore;
import net.tesseras.cache.internal.FragmentCache;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.internal.KeyPairIdentity;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import net.tesseras.transport.quic.internal.QuicTransport;
import net.tesseras.transport.quic.internal.TransportMetrics;
import net.tesseras.transport.quic.internal.TransportSettings;

/**
 * The server side of the transport load test, in a JVM of its own: the node's fs store behind its
 * cache, holding a 4 KiB fragment (index 0) and a 1 MiB fragment (index 1) of one tessera, both read
 * once so they are cached, served by the QUIC transport in the given mode until killed.
 *
 * <p>Usage: {@code TransportServer <pipelined|naive> <port> <directory> [max UDP payload]}; prints
 * {@code ready <tessera hex>} when serving.
 */
public final class TransportServer {

    public static void main(String[] args) throws Exception {
        boolean pipelined = !"naive".equals(args[0]);
        int port = Integer.parseInt(args[1]);
        Path dir = Files.createDirectories(Path.of(args[2]));
        int udpPayload = args.length > 3 ? Integer.parseInt(args[3]) : TransportSettings.DEFAULT_UDP_PAYLOAD;
        SqliteDatabase database = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        FsFragmentStore backend = FsFragmentStore.open("fs", dir.resolve("fragments"), database, 0, false);
        CachingFragmentStore store = new CachingFragmentStore("fs", backend, new FragmentCache(CacheSettings.defaults()));
        ContentHash tessera = Blake3Hashing.hash(new byte[] {42});
        int[] sizes = {4096, 1024 * 1024};
        for (int index = 0; index < sizes.length; index++) {
            byte[] bytes = new byte[sizes[index]];
            new Random(index).nextBytes(bytes);
            if (store.read(tessera, index).isEmpty()) {
                store.store(new FragmentId(tessera, index, false, Blake3Hashing.hash(bytes)), ByteBuffer.wrap(bytes));
            }
            store.read(tessera, index);
        }
        TransportSettings settings = TransportSettings.builder().listen(new InetSocketAddress("127.0.0.1", port))
                .pipelined(pipelined).pool(1024, java.time.Duration.ofSeconds(300), java.time.Duration.ofSeconds(30))
                .limits(64 * 1024, 64L * 1024 * 1024, 1024, 4, 65536).maxUdpPayload(udpPayload).build();
        QuicTransport transport = new QuicTransport(KeyPairIdentity.generate(), () -> store, settings, TransportMetrics.NONE).start();
        System.out.println("ready " + tessera.toHex() + " " + transport.localAddress());
        System.out.flush();
        Thread.currentThread().join();
    }
}
