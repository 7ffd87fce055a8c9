package net.tesseras.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.TesseraStatus;
import net.tesseras.replication.TesseraStatus.Health;
import net.tesseras.replication.TesseraStatus.Holder;
import net.tesseras.replication.TesseraStatus.Proof;
import org.junit.jupiter.api.Test;

/** What an operator reads from tesseras:status and the network commands, and what they refuse. */
class ReplicationCommandsTest {

    private static final ContentHash HASH = ContentHash.parse("ba5fbe0155e18aacc347fdeb0671418dd72721742216c0a03e3bb250d4e68a4f");
    private static final NodeId PEER = NodeId.parse("00180c19dc4c28430103e0db729d1deff3773f40");

    @Test
    void theStatusSaysTheHealthTheFragmentsTheHoldersAndThePeerLossesSurvived() {
        TesseraStatus status = new TesseraStatus(HASH, Health.DEGRADED, 16, 24, 24, 20, 0, 3,
                List.of(new Holder(PEER, List.of(0, 7, 14), List.of(0, 7), Optional.of(Instant.parse("2026-12-01T00:00:00Z")),
                        Proof.FAILED, "fragment 14: chunk 3 does not verify")),
                1, Optional.empty());
        String text = print(status);
        assertTrue(text.contains("health      Degraded\n"), text);
        assertTrue(text.contains("fragments   24 placed, 20 live of 24 (16 needed)\n"), text);
        assertTrue(text.contains("holders     1 peers, 3 placements pending (retried in the background)\n"), text);
        assertTrue(text.contains("survives    1 peer losses\n"), text);
        assertTrue(text.contains("last repair never\n"), text);
        assertTrue(text.contains(PEER.toHex() + "  0,7,14"), text);
        assertTrue(text.contains("failed: fragment 14: chunk 3 does not verify"), text);
    }

    @Test
    void aTesseraNoLongerRebuildableFromPeersSaysSo() {
        TesseraStatus status = new TesseraStatus(HASH, Health.CRITICAL, 16, 24, 10, 10, 0, 0, List.of(), -1, Optional.empty());
        assertTrue(print(status).contains("survives    no loss: fewer than 16 fragments are live on peers"), print(status));
    }

    @Test
    void restoringFromTheNetworkNeedsTheWholeHashAndARunningService() {
        ReplicationCommands commands = new ReplicationCommands(null, null, null);
        IllegalArgumentException prefix = assertThrows(IllegalArgumentException.class,
                () -> commands.restore(new PrintStream(new ByteArrayOutputStream()), "ba5fbe", Path.of("x"), null));
        assertTrue(prefix.getMessage().contains("all 64 hexadecimal characters"), prefix.getMessage());
        IllegalStateException down = assertThrows(IllegalStateException.class,
                () -> commands.restore(new PrintStream(new ByteArrayOutputStream()), HASH.toHex(), Path.of("x"), null));
        assertTrue(down.getMessage().contains("lb replication"), down.getMessage());
        assertEquals("Healthy", ReplicationCommands.health(Health.HEALTHY));
    }

    private static String print(TesseraStatus status) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ReplicationCommands.printStatus(new PrintStream(bytes, true, StandardCharsets.UTF_8), status);
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
