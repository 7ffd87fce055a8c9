package net.tesseras.shell.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.transport.PeerClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerCommandsTest {

    @TempDir
    Path dir;

    private final PeerCommands commands = new PeerCommands();
    private final PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    private final byte[] content = "a fragment held by a peer".getBytes(StandardCharsets.UTF_8);
    private final ContentHash checksum = Blake3Hashing.hash(content);
    private final ContentHash tessera = Blake3Hashing.hash(checksum.toBytes());
    private final FragmentInfo info = new FragmentInfo(new FragmentId(tessera, 0, false, checksum), content.length, Instant.now(),
            Optional.empty());

    /** A transport whose fetch writes the path it is given the way the real one does: a .part file, then a move. */
    private void bind(java.util.function.Function<Path, CompletableFuture<FragmentInfo>> fetch) {
        commands.bindClient((PeerClient) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PeerClient.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "fetch" -> fetch.apply((Path) args[3]);
                    case "list" -> CompletableFuture.completedFuture(List.of(info));
                    default -> throw new UnsupportedOperationException(method.getName());
                }));
    }

    private CompletableFuture<FragmentInfo> deliver(Path target) {
        try {
            Path part = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
            Files.write(part, content);
            Files.move(part, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return CompletableFuture.completedFuture(info);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private List<Path> files() throws IOException {
        try (var list = Files.list(dir)) {
            return list.toList();
        }
    }

    @Test
    void aFetchedFileAppearsWholeAndAloneUnderItsName() throws Exception {
        bind(this::deliver);
        Path target = dir.resolve("fetched.bin");
        commands.fetch(out, "127.0.0.1:4433", tessera.toString(), 0, target, (label, done, total) -> { });
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals(List.of(target), files());
    }

    @Test
    void aFetchIntoAnExistingFileIsRefusedAndTheFileKept() throws Exception {
        bind(this::deliver);
        Path target = Files.write(dir.resolve("mine.txt"), new byte[] {1});
        assertThrows(IllegalArgumentException.class, () -> commands.fetch(out, "127.0.0.1:4433", tessera.toString(), 0, target, null));
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(target));
    }

    @Test
    void aFailedFetchLeavesNothing() throws Exception {
        bind(target -> CompletableFuture.failedFuture(new IllegalStateException("connection lost")));
        Path target = dir.resolve("fetched.bin");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> commands.fetch(out, "127.0.0.1:4433", tessera.toString(), 0, target, null));
        assertTrue(e.getMessage().contains("connection lost"), e.getMessage());
        assertEquals(List.of(), files());
    }

    @Test
    void anInterruptedFetchLeavesNothingEvenWhenTheDownloadEndsLater() throws Exception {
        CompletableFuture<Void> later = new CompletableFuture<>();
        Path[] given = new Path[1];
        bind(target -> {
            given[0] = target;
            return later.thenCompose(ignored -> deliver(target));
        });
        Path target = dir.resolve("fetched.bin");
        Thread.currentThread().interrupt();
        assertThrows(Exception.class, () -> commands.fetch(out, "127.0.0.1:4433", tessera.toString(), 0, target, null));
        Thread.interrupted();
        later.complete(null); // the transport finishes after the command gave up
        assertEquals(List.of(), files());
        assertTrue(given[0].getFileName().toString().startsWith(AtomicFiles.TEMP_PREFIX), given[0].toString());
    }
}
