package net.tesseras.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellClientTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private ShellClient client(Path socket, Duration silence) {
        return new ShellClient(socket, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false, silence);
    }

    /** A node stand-in: reads the request frames, then lets {@code answer} reply. */
    private Thread serve(ServerSocketChannel server, List<String> request, Answer answer) {
        Thread thread = new Thread(() -> {
            try (SocketChannel channel = server.accept()) {
                ByteBuffer hello = ByteBuffer.allocate(1);
                channel.read(hello);
                while (true) {
                    ByteBuffer header = ByteBuffer.allocate(5);
                    readFully(channel, header);
                    ByteBuffer payload = ByteBuffer.allocate(header.getInt(1));
                    readFully(channel, payload);
                    request.add((char) header.get(0) + new String(payload.array(), StandardCharsets.UTF_8));
                    if (header.get(0) == 'C') {
                        break;
                    }
                }
                answer.reply(channel);
            } catch (IOException | InterruptedException e) {
                // the test ended
            }
        }, "fake node");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    interface Answer {
        void reply(SocketChannel channel) throws IOException, InterruptedException;
    }

    private static void readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("closed");
            }
        }
    }

    private static void frame(SocketChannel channel, char type, byte[] payload) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(5 + payload.length).put((byte) type).putInt(payload.length).put(payload).flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void text(SocketChannel channel, char type, String text) throws IOException {
        frame(channel, type, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void sendsItsDirectoriesAndRelaysOutputProgressAndTheExitStatus() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            List<String> request = new ArrayList<>();
            serve(server, request, channel -> {
                text(channel, 'K', "");
                for (int done = 0; done <= 100; done += 25) {
                    text(channel, 'P', done + " 100 put letter.pdf");
                }
                text(channel, 'O', "Stored\n");
                frame(channel, 'X', ByteBuffer.allocate(4).putInt(0).array());
            });
            int exit = client(socket, Duration.ofSeconds(60)).run("tesseras:put ~/letter.pdf", "/work/here", "/home/me");
            assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
            assertEquals(List.of("W/work/here", "H/home/me", "Ctesseras:put ~/letter.pdf"), request);
            assertEquals("Stored\n", out.toString(StandardCharsets.UTF_8));
            String progress = err.toString(StandardCharsets.UTF_8);
            assertTrue(progress.contains("put letter.pdf: 50% (50 B of 100 B)\n"), progress);
            assertTrue(progress.contains("put letter.pdf: 100% (100 B of 100 B)\n"), progress);
        }
    }

    @Test
    void onATerminalProgressIsABarRedrawnInPlace() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            serve(server, new ArrayList<>(), channel -> {
                text(channel, 'P', "50 100 get copy.bin");
                text(channel, 'P', "100 100 get copy.bin");
                text(channel, 'O', "Wrote\n");
                frame(channel, 'X', ByteBuffer.allocate(4).putInt(0).array());
            });
            ShellClient terminal = new ShellClient(socket, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), true, Duration.ofSeconds(60));
            assertEquals(0, terminal.run("tesseras:get x 0 copy.bin", "/", "/"));
            String bar = err.toString(StandardCharsets.UTF_8);
            assertTrue(bar.contains("\rget copy.bin [###############               ] 50%"), bar);
            assertTrue(bar.contains("\rget copy.bin [" + "#".repeat(30) + "] 100%"), bar);
            assertTrue(bar.endsWith("\n"), "the bar's line is ended before other output");
            assertEquals("Wrote\n", out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aNodeThatStopsAnsweringIsGivenUpOn() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CountDownLatch never = new CountDownLatch(1);
            serve(server, new ArrayList<>(), channel -> never.await());
            int exit = client(socket, Duration.ofMillis(300)).run("lb", "/", "/");
            never.countDown();
            assertEquals(2, exit);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("did not answer"), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void anInterruptIsSentToTheNodeAndItsAnswerAwaited() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CountDownLatch started = new CountDownLatch(1);
            serve(server, new ArrayList<>(), channel -> {
                started.countDown();
                ByteBuffer header = ByteBuffer.allocate(5);
                readFully(channel, header);
                text(channel, 'E', "Interrupted: " + (char) header.get(0) + "\n");
                frame(channel, 'X', ByteBuffer.allocate(4).putInt(130).array());
            });
            ShellClient client = client(socket, Duration.ofSeconds(60));
            int[] exit = new int[1];
            Thread running = new Thread(() -> exit[0] = client.run("tesseras:put big", "/", "/"));
            running.start();
            assertTrue(started.await(60, TimeUnit.SECONDS));
            client.interruptAndWait();
            running.join(60_000);
            assertEquals(130, exit[0]);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("Interrupted: I"), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void noSocketMeansTheNodeIsNotRunning() {
        assertEquals(2, client(dir.resolve("none.sock"), Duration.ofSeconds(1)).run("lb", "/", "/"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("not running"));
    }
}
