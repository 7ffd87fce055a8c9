package net.tesseras.shell.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalShellServerTest {

    /** A generous bound so a broken server fails the test instead of hanging the build. */
    private static final long DEADLINE_SECONDS = 60;

    @TempDir
    Path dir;

    private final FakeGogo gogo = new FakeGogo();
    private final List<LocalShellServer> servers = new ArrayList<>();
    private final ExecutorService background = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "test-client");
        thread.setDaemon(true);
        return thread;
    });

    @AfterEach
    void tearDown() throws Exception {
        for (LocalShellServer server : servers) {
            server.deactivate();
        }
        background.shutdownNow();
    }

    private Path data() {
        return dir.resolve("data");
    }

    private LocalShellServer start(String socketPath, int maxConcurrent) throws Exception {
        LocalShellServer server = new LocalShellServer(FakeGogo.context(data()), FakeGogo.properties(socketPath, maxConcurrent), gogo.processor());
        servers.add(server);
        return server;
    }

    private <T> T within(Callable<T> work) throws Exception {
        Future<T> future = background.submit(work);
        try {
            return future.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError("no answer within " + DEADLINE_SECONDS + " s", e);
        }
    }

    private ShellTestClient.Answer bare(String command) throws Exception {
        return within(() -> {
            try (ShellTestClient client = new ShellTestClient(data().resolve("run/shell.sock"))) {
                return client.sendBare(command).answer();
            }
        });
    }

    // Defect 2: socket.path deleted whatever file it named.

    @ParameterizedTest
    @ValueSource(strings = {"db/tesseras.db", "identity/node.key", "run/../db/tesseras.db", "../outside/file",
            "run/tesseras.pid", "run/link/tesseras.db", "run/dir"})
    void aSocketPathThatNamesAnythingButOurSocketLeavesItIntact(String socketPath) throws Exception {
        Path db = Files.createDirectories(data().resolve("db")).resolve("tesseras.db");
        Files.write(db, new byte[] {'S', 'Q', 'L'});
        Path key = Files.createDirectories(data().resolve("identity")).resolve("node.key");
        Files.write(key, new byte[] {1, 2, 3});
        Path outside = Files.createDirectories(dir.resolve("outside")).resolve("file");
        Files.write(outside, new byte[] {4});
        Path run = Files.createDirectories(data().resolve("run"));
        Path pid = Files.writeString(run.resolve("tesseras.pid"), "123\n");
        Files.createSymbolicLink(run.resolve("link"), data().resolve("db"));
        Files.createDirectories(run.resolve("dir"));
        Files.setPosixFilePermissions(data().resolve("db"), PosixFilePermissions.fromString("rwxr-xr-x"));

        LocalShellServer server = start(socketPath, 4);

        assertArrayEquals(new byte[] {'S', 'Q', 'L'}, Files.readAllBytes(db));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(key));
        assertArrayEquals(new byte[] {4}, Files.readAllBytes(outside));
        assertEquals("123\n", Files.readString(pid));
        assertTrue(Files.isDirectory(run.resolve("dir")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(data().resolve("db"))));
        // Still drivable, on the default socket.
        assertEquals(run.resolve("shell.sock"), server.socket());
        assertEquals(0, bare("echo still here").exit());
    }

    @Test
    void refusalsNameTheKeyTheValueAndTheFix() {
        Path data = data();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(ShellSocketPath.RefusedException.class,
                () -> ShellSocketPath.prepare(data, "db/tesseras.db"));
        assertTrue(e.getMessage().contains("socket.path = db/tesseras.db"), e.getMessage());
        assertTrue(e.getMessage().contains("etc/net.tesseras.shell.cfg"), e.getMessage());
        assertTrue(e.getMessage().contains("run/shell.sock"), e.getMessage());
    }

    @Test
    void aStaleSocketOfAKilledNodeIsReplaced() throws Exception {
        Path socket = Files.createDirectories(data().resolve("run")).resolve("shell.sock");
        try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        start("run/shell.sock", 4);
        assertEquals("hi\n", bare("echo hi").out());
    }

    @Test
    void aSocketPathInsideRunIsUsedAndAChangeAppliesLive() throws Exception {
        LocalShellServer server = start("run/other.sock", 4);
        assertEquals(data().resolve("run/other.sock"), server.socket());
        server.modified(FakeGogo.properties("db/tesseras.db", 4));
        assertEquals(data().resolve("run/other.sock"), server.socket(), "a refused value keeps the socket in use");
        server.modified(FakeGogo.properties("run/shell.sock", 4));
        assertEquals(0, bare("echo moved").exit());
        assertFalse(Files.exists(data().resolve("run/other.sock")));
    }

    // Defect 13: idle connections hung every shell command.

    @Test
    void idleConnectionsDoNotKeepCommandsOut() throws Exception {
        start("run/shell.sock", 4);
        List<SocketChannel> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(data().resolve("run/shell.sock")));
                idle.add(channel);
            }
            ShellTestClient.Answer answer = bare("echo served");
            assertEquals(0, answer.exit(), answer.err());
            assertEquals("served\n", answer.out());
        } finally {
            for (SocketChannel channel : idle) {
                channel.close();
            }
        }
    }

    @Test
    void clientsThatNeverReadTheirOutputAreDisconnectedAndFreeTheirPlaces() throws Exception {
        servers.add(new LocalShellServer(data(), FakeGogo.config("run/shell.sock", 4), gogo.processor(), 10_000,
                LocalShellServer.KEEPALIVE_MILLIS, 200));
        List<ShellTestClient> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                ShellTestClient client = new ShellTestClient(data().resolve("run/shell.sock"));
                silent.add(client);
                client.sendFramed("/", "/", "flood"); // and never reads what it produces
            }
            // Every place is taken until the node gives up on those clients; then a command runs again.
            ShellTestClient.Answer answer = within(() -> {
                while (true) {
                    ShellTestClient.Answer a = bare("echo served");
                    if (a.exit() != LocalShellServer.EXIT_BUSY) {
                        return a;
                    }
                    Thread.sleep(50);
                }
            });
            assertEquals(0, answer.exit(), answer.err());
            assertEquals("served\n", answer.out());
            assertTrue(gogo.interrupted.await(DEADLINE_SECONDS, TimeUnit.SECONDS), "the flooding commands were interrupted");
        } finally {
            for (ShellTestClient client : silent) {
                client.close();
            }
        }
    }

    @Test
    void aClientThatSendsNothingIsDisconnected() throws Exception {
        servers.add(new LocalShellServer(data(), FakeGogo.config("run/shell.sock", 4), gogo.processor(), 100, LocalShellServer.KEEPALIVE_MILLIS));
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(data().resolve("run/shell.sock")));
            assertEquals(-1, (int) within(() -> channel.read(ByteBuffer.allocate(16))), "closed by the node");
        }
    }

    @Test
    void whenEveryPlaceIsTakenTheClientIsToldTheNodeIsBusy() throws Exception {
        start("run/shell.sock", 1);
        try (ShellTestClient running = new ShellTestClient(data().resolve("run/shell.sock"))) {
            running.sendFramed("/", "/", "block");
            assertTrue(gogo.blocking.await(DEADLINE_SECONDS, TimeUnit.SECONDS));
            ShellTestClient.Answer busy = bare("echo second");
            assertEquals(LocalShellServer.EXIT_BUSY, busy.exit());
            assertTrue(busy.err().contains("the node is busy") && busy.err().contains("max.concurrent"), busy.err());

            // Defect (d): an interrupt reaches the running command.
            running.interrupt();
            ShellTestClient.Answer interrupted = within(running::answer);
            assertEquals(LocalShellServer.EXIT_INTERRUPTED, interrupted.exit(), interrupted.err());
            assertTrue(gogo.interrupted.await(DEADLINE_SECONDS, TimeUnit.SECONDS));
        }
        assertEquals(0, bare("echo free again").exit());
    }

    @Test
    void aRunningCommandsClientReceivesKeepAlives() throws Exception {
        servers.add(new LocalShellServer(data(), FakeGogo.config("run/shell.sock", 4), gogo.processor(), 10_000, 50));
        try (ShellTestClient running = new ShellTestClient(data().resolve("run/shell.sock"))) {
            running.sendFramed("/", "/", "block");
            ByteBuffer header = ByteBuffer.allocate(5);
            within(() -> {
                while (header.hasRemaining()) {
                    running.channel.read(header);
                }
                return null;
            });
            assertEquals('K', header.get(0));
            assertEquals(0, header.getInt(1));
        }
        assertTrue(gogo.interrupted.await(DEADLINE_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void aClientThatGoesAwayInterruptsItsCommand() throws Exception {
        start("run/shell.sock", 4);
        try (ShellTestClient running = new ShellTestClient(data().resolve("run/shell.sock"))) {
            running.sendFramed("/", "/", "block");
            assertTrue(gogo.blocking.await(DEADLINE_SECONDS, TimeUnit.SECONDS));
        }
        assertTrue(gogo.interrupted.await(DEADLINE_SECONDS, TimeUnit.SECONDS), "the command was interrupted");
    }

    // Exit statuses and the session a client gets.

    @Test
    void anyFailureGivesANonZeroExit() throws Exception {
        start("run/shell.sock", 4);
        ShellTestClient.Answer ok = bare("echo ok");
        assertEquals(0, ok.exit(), ok.toString());
        ShellTestClient.Answer thrown = bare("fail");
        assertEquals(1, thrown.exit());
        assertEquals("Error: it failed\n", thrown.err());
        ShellTestClient.Answer reported = bare("warn");
        assertEquals(1, reported.exit(), "a command that reports its failure only on standard error fails");
        assertEquals("Bundle ID 67 is invalid\n", reported.err());
        ShellTestClient.Answer unresolved = bare("start 67");
        assertEquals(1, unresolved.exit(), "a start that returns its failure as text fails");
        assertTrue(unresolved.err().contains("Unable to resolve 67"), unresolved.err());
        assertEquals(0, bare("start 12").exit());
        ShellTestClient.Answer noSuchBundle = bare("stop 999");
        assertEquals(1, noSuchBundle.exit());
        assertEquals("Error: the arguments of 'stop 999' fit none of the forms of stop (a bundle id or name that no bundle has?"
                + " 'lb' lists the bundles; 'help stop' shows the forms)\n", noSuchBundle.err(), "no raw coercion error");
    }

    @Test
    void exitEndsTheSessionWithItsStatusAndNothingElse() throws Exception {
        start("run/shell.sock", 4);
        ShellTestClient.Answer answer = within(() -> {
            try (ShellTestClient client = new ShellTestClient(data().resolve("run/shell.sock"))) {
                return client.sendFramed("/", "/", "exit 3").answer();
            }
        });
        assertEquals(3, answer.exit(), answer.err());
    }

    @Test
    void theSessionWorksInTheCallersDirectoryAndHome() throws Exception {
        start("run/shell.sock", 4);
        ShellTestClient.Answer answer = within(() -> {
            try (ShellTestClient client = new ShellTestClient(data().resolve("run/shell.sock"))) {
                return client.sendFramed("/home/someone/letters", "/home/someone", "pwd").answer();
            }
        });
        assertEquals("/home/someone/letters /home/someone\n", answer.out());
        assertTrue(gogo.lastVariables.get(Progress.SINK) instanceof Progress.Sink, "progress goes to the client");
    }
}
