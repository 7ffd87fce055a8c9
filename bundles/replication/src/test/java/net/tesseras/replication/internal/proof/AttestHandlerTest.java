package net.tesseras.replication.internal.proof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttestHandlerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T12:00:00.250Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private FsFragmentStore fs;
    private final NodeIdentity holder = TestHolders.identity();
    private final NodeIdentity requester = TestHolders.identity();

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        fs = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true);
    }

    @AfterEach
    void close() {
        fs.close();
        db.close();
    }

    @Test
    void attestsFromTheIndexWithoutReadingOneFragmentByte() {
        // The original's expect_read_fragment().never(): a counting store around the real fs store.
        TestTessera tessera = TestTessera.of(1, 4L << 20).storeIn(fs, 0, 3, 17, 23);
        CountingStore counting = new CountingStore(fs);
        AttestHandler handler = new AttestHandler(() -> counting, () -> holder, CLOCK, ReplicationMetrics.NONE);

        byte[] nonce = new byte[32];
        nonce[7] = 7;
        PeerMessage answer = handler.handle(request(new AttestRequest(tessera.tessera(), nonce).toBuffer()));

        assertEquals(0, counting.byteReads(), "reads " + counting.reads + ", opens " + counting.opens + ", in-memory reads "
                + counting.inMemoryReads + ", verifies " + counting.verifies);
        assertEquals(1, counting.listings.get());
        assertEquals(MessageTypes.ATTESTATION, answer.type());
        Attestation attestation = Attestation.parse(answer.payload());
        assertTrue(attestation.signedBy(holder.publicKey()));
        assertEquals(holder.nodeId(), attestation.holder());
        assertEquals(CLOCK.millis(), attestation.timestamp());
        assertEquals(List.of(0, 3, 17, 23), attestation.entries().stream().map(Attestation.Entry::index).toList());
        for (Attestation.Entry entry : attestation.entries()) {
            assertEquals(tessera.plan().plan().checksums().get(entry.index()), entry.checksum());
            assertEquals(tessera.plan().plan().shardSize(), entry.size());
        }
    }

    @Test
    void aTesseraHeldNotAtAllIsAttestedWithNoEntries() {
        AttestHandler handler = new AttestHandler(() -> fs, () -> holder, CLOCK, ReplicationMetrics.NONE);
        ContentHash unknown = ContentHash.of(new byte[32]);
        Attestation attestation = Attestation.parse(handler.handle(request(new AttestRequest(unknown, new byte[32]).toBuffer())).payload());
        assertEquals(List.of(), attestation.entries());
        assertTrue(attestation.signedBy(holder.publicKey()));
    }

    @Test
    void withoutAStoreOrIdentityTheAnswerIsUnavailable() {
        ByteBuffer ask = new AttestRequest(ContentHash.of(new byte[32]), new byte[32]).toBuffer();
        PeerException noStore = assertThrows(PeerException.class,
                () -> new AttestHandler(() -> null, () -> holder, CLOCK, ReplicationMetrics.NONE).handle(request(ask)));
        assertEquals(ErrorCode.UNAVAILABLE, noStore.code());
        assertTrue(noStore.getMessage().contains("no fragment store"), noStore.getMessage());
        PeerException noIdentity = assertThrows(PeerException.class,
                () -> new AttestHandler(() -> fs, () -> null, CLOCK, ReplicationMetrics.NONE).handle(request(ask)));
        assertEquals(ErrorCode.UNAVAILABLE, noIdentity.code());
        PeerException indexDown = assertThrows(PeerException.class, () -> new AttestHandler(() -> new CountingStore(fs) {
            @Override
            public List<net.tesseras.storage.FragmentInfo> fragments(ContentHash tessera) {
                throw new FragmentStoreException("database is closed");
            }
        }, () -> holder, CLOCK, ReplicationMetrics.NONE).handle(request(ask)));
        assertEquals(ErrorCode.UNAVAILABLE, indexDown.code());
        assertTrue(indexDown.getMessage().contains("cannot read its index"), indexDown.getMessage());
        assertFalse(indexDown.getMessage().contains("database is closed"), "the store's own message stays in the log");
    }

    @Test
    void aMalformedRequestIsRefused() {
        AttestHandler handler = new AttestHandler(() -> fs, () -> holder, CLOCK, ReplicationMetrics.NONE);
        PeerException e = assertThrows(PeerException.class, () -> handler.handle(request(ByteBuffer.allocate(65))));
        assertEquals(ErrorCode.MALFORMED, e.code());
    }

    @Test
    void countsWhatItServes() {
        long[] served = new long[1];
        ReplicationMetrics metrics = new ReplicationMetrics() {
            @Override
            public void attestationServed(long nanos) {
                served[0]++;
            }
        };
        new AttestHandler(() -> fs, () -> holder, CLOCK, metrics)
                .handle(request(new AttestRequest(ContentHash.of(new byte[32]), new byte[32]).toBuffer()));
        assertEquals(1, served[0]);
    }

    private PeerRequest request(ByteBuffer payload) {
        return new PeerRequest(requester.nodeId(), new InetSocketAddress("127.0.0.1", 5000), new PeerMessage(MessageTypes.ATTEST, payload));
    }
}
