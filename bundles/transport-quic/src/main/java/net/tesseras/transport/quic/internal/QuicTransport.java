package net.tesseras.transport.quic.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.InsecureQuicTokenHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.storage.FragmentStore;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.MessageHandler;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.quic.internal.pool.ConnectionPool;
import net.tesseras.transport.quic.internal.tls.NodeTls;
import net.tesseras.transport.quic.internal.wire.FrameDecoder;
import net.tesseras.transport.quic.internal.wire.FrameEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's QUIC endpoint: a server socket that accepts authenticated peers, a client socket
 * for the connections this node opens, the pool that holds both, the request executor and the
 * reaper. Independent of OSGi, so tests and the load generator use it directly.
 */
public final class QuicTransport implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QuicTransport.class);
    private static final AttributeKey<NodeConnection> CONNECTION = AttributeKey.valueOf("tesseras.connection");
    private static final long MAX_DATA = 64L * 1024 * 1024;
    private static final long MAX_STREAM_DATA = 16L * 1024 * 1024;

    private final NodeIdentity identity;
    private final TransportMetrics metrics;
    private final RequestRouter router;
    private final ConnectionPool<NodeConnection> pool;
    private volatile TransportSettings settings;
    private EventLoopGroup group;
    private RequestExecutor executor;
    private NodeTls tls;
    private Channel server;
    private Channel client;
    private ScheduledFuture<?> reaper;
    private ScheduledFuture<?> keepAlive;

    public QuicTransport(NodeIdentity identity, Supplier<FragmentStore> store, TransportSettings settings, TransportMetrics metrics) {
        this.identity = identity;
        this.metrics = metrics;
        this.settings = settings;
        this.router = new RequestRouter(identity, store, settings);
        this.pool = new ConnectionPool<>(System::nanoTime, settings.maxConnections(), settings.idleTimeout(), metrics);
    }

    /** Binds the listening socket and starts the reaper. */
    public QuicTransport start() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("tesseras-quic", true), NioIoHandler.newFactory());
        executor = new RequestExecutor("tesseras-requests", settings.workers(), settings.queue());
        tls = new NodeTls(identity);
        try {
            ChannelHandler serverCodec = configure(new QuicServerCodecBuilder().sslContext(tls.server()))
                    .tokenHandler(InsecureQuicTokenHandler.INSTANCE)
                    .handler(new ConnectionHandler(false))
                    .streamHandler(new ServerStreams())
                    .build();
            server = udp().handler(serverCodec).bind(settings.listen()).sync().channel();
            ChannelHandler clientCodec = configure(new QuicClientCodecBuilder().sslContext(tls.client())).build();
            client = udp().handler(clientCodec).bind(new InetSocketAddress(settings.listen().getAddress(), 0)).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
        scheduleReaper();
        scheduleKeepAlive();
        LOG.info("QUIC transport of {} listening on {}", identity.nodeId(), localAddress());
        return this;
    }

    /** A UDP socket whose reads hold the largest datagram the settings accept (Netty's default is 2 KiB). */
    private Bootstrap udp() {
        int datagram = Math.max(2048, settings.maxUdpPayload());
        return new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(datagram));
    }

    private <B extends QuicCodecBuilder<B>> B configure(B builder) {
        TransportSettings current = settings;
        // QUIC closes a connection on which nothing was received for this long (the smaller of both
        // ends' values): a dead peer. Keep-alives keep quiet, healthy ones open; the pool's reaper
        // decides when an unused one goes.
        return builder.maxIdleTimeout(current.peerTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .initialMaxData(MAX_DATA)
                .initialMaxStreamDataBidirectionalLocal(MAX_STREAM_DATA)
                .initialMaxStreamDataBidirectionalRemote(MAX_STREAM_DATA)
                .initialMaxStreamsBidirectional(Math.max(16, current.maxInFlight() * 2L))
                .initialMaxStreamsUnidirectional(0)
                // Per-packet work in QUIC, not system calls, bounds bulk throughput here, so larger
                // datagrams where the network carries them pay directly (docs/BENCHMARKS.md).
                .maxSendUdpPayloadSize(current.maxUdpPayload())
                .maxRecvUdpPayloadSize(current.maxUdpPayload());
    }

    /** Applies new settings to the running transport (those {@link TransportSettings#needRestartFor} names need a new one). */
    public void update(TransportSettings newSettings) {
        this.settings = newSettings;
        router.settings(newSettings);
        pool.resize(newSettings.maxConnections(), newSettings.idleTimeout());
        if (reaper != null) {
            reaper.cancel(false);
            scheduleReaper();
        }
        if (keepAlive != null) {
            keepAlive.cancel(false);
            scheduleKeepAlive();
        }
    }

    /** Looks at every connection twice per keep-alive interval; each sends a PING if its peer has been quiet that long. */
    private void scheduleKeepAlive() {
        long every = Math.max(10, settings.keepAliveInterval().toMillis() / 2);
        keepAlive = group.next().scheduleAtFixedRate(() -> {
            TransportSettings current = settings;
            for (ConnectionPool.Entry<NodeConnection> entry : pool.entries()) {
                entry.connection().keepAlive(current);
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** A request found the peer gone: the connection leaves the pool now, and the next request dials anew. */
    private void unresponsive(NodeConnection connection) {
        LOG.info("closing the connection {}: a request timed out and nothing was heard from the peer since it was sent;"
                + " the next request opens a new connection", connection);
        pool.evict(connection, ConnectionPool.UNRESPONSIVE);
    }

    private void scheduleReaper() {
        long every = settings.reaperInterval().toMillis();
        reaper = group.next().scheduleAtFixedRate(() -> {
            int closed = pool.reap();
            if (closed > 0) {
                LOG.debug("reaper closed {} idle connection(s)", closed);
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    public TransportSettings settings() {
        return settings;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    public ConnectionPool<NodeConnection> pool() {
        return pool;
    }

    /** The guard admitting PUTs under {@code write.policy = replication}; null when none is running. */
    public void writeGuard(net.tesseras.transport.WriteGuard guard) {
        router.writeGuard(guard);
    }

    public void addHandler(int type, MessageHandler handler) {
        router.addHandler(type, handler);
    }

    public void removeHandler(int type, MessageHandler handler) {
        router.removeHandler(type, handler);
    }

    /**
     * A connection of its own to {@code address}, outside the one-per-peer reuse (still counted by
     * the pool): load generators open many to one node.
     */
    CompletableFuture<NodeConnection> openDedicated(InetSocketAddress address) {
        return open(address);
    }

    /** The pooled connection to {@code address}, opened (and authenticated) if needed. */
    CompletableFuture<NodeConnection> connection(InetSocketAddress address) {
        return pool.acquire(address, this::open);
    }

    private CompletableFuture<NodeConnection> open(InetSocketAddress address) {
        CompletableFuture<NodeConnection> opened = new CompletableFuture<>();
        QuicChannel.newBootstrap(client)
                .handler(new ConnectionHandler(true))
                .streamHandler(new ServerStreams())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .remoteAddress(address)
                .connect()
                .addListener(done -> {
                    if (!done.isSuccess()) {
                        opened.completeExceptionally(failedToConnect(address, done.cause()));
                        return;
                    }
                    QuicChannel channel = (QuicChannel) done.getNow();
                    try {
                        opened.complete(connectionOf(channel, true));
                    } catch (SSLPeerUnverifiedException e) {
                        channel.close();
                        opened.completeExceptionally(new PeerException(ErrorCode.UNAUTHENTICATED,
                                "the node at " + address + " is not authenticated: " + e.getMessage(), e));
                    }
                });
        return opened;
    }

    private static PeerException failedToConnect(InetSocketAddress address, Throwable cause) {
        String reason = cause == null ? "unknown" : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        boolean handshake = cause instanceof javax.net.ssl.SSLException
                || cause != null && cause.getCause() instanceof javax.net.ssl.SSLException;
        return new PeerException(handshake ? ErrorCode.UNAUTHENTICATED : ErrorCode.CONNECTION,
                "cannot connect to the node at " + address + ": " + reason, cause);
    }

    /** The connection object of a QUIC channel, made and pooled once its peer is authenticated. */
    private NodeConnection connectionOf(QuicChannel channel, boolean outbound) throws SSLPeerUnverifiedException {
        NodeConnection existing = channel.attr(CONNECTION).get();
        if (existing != null) {
            return existing;
        }
        NodeId peer = NodeTls.peerOf(channel.sslEngine());
        NodeConnection created = new NodeConnection(channel, peer, outbound, this::clientStream, this::unresponsive);
        NodeConnection raced = channel.attr(CONNECTION).setIfAbsent(created);
        if (raced != null) {
            return raced;
        }
        created.entry(pool.register(created, created.remoteAddress(), outbound));
        channel.closeFuture().addListener(closed -> {
            if (channel.isTimedOut()) {
                LOG.info("the connection {} closed: nothing heard from the peer for {} s", created, settings.peerTimeout().toSeconds());
                pool.evict(created, ConnectionPool.UNRESPONSIVE);
            } else {
                pool.closed(created);
            }
        });
        return created;
    }

    private ChannelHandler clientStream(NodeConnection connection, ClientStreamHandler handler) {
        return new ChannelInitializer<QuicStreamChannel>() {
            @Override
            protected void initChannel(QuicStreamChannel stream) {
                framing(stream.pipeline(), connection);
                stream.pipeline().addLast(handler);
            }
        };
    }

    private void framing(ChannelPipeline pipeline, NodeConnection connection) {
        TransportSettings current = settings;
        pipeline.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        pipeline.addLast(new TrafficHandler(connection, metrics), new FrameDecoder(current.maxFramePayload()), FrameEncoder.INSTANCE,
                new UseTracker(connection));
        if (current.pipelined()) {
            // Answers finishing together leave in one flush (one batch of packets), not one each.
            pipeline.addLast(new FlushConsolidationHandler(256, true));
        }
    }

    /** Streams the peer opens carry its requests to this node. */
    @ChannelHandler.Sharable
    private final class ServerStreams extends ChannelInitializer<QuicStreamChannel> {
        @Override
        protected void initChannel(QuicStreamChannel stream) throws SSLPeerUnverifiedException {
            QuicChannel parent = stream.parent();
            NodeConnection connection = connectionOf(parent, false);
            framing(stream.pipeline(), connection);
            stream.pipeline().addLast(new ServerStreamHandler(connection, router, executor, metrics));
        }
    }

    /** Registers inbound connections once their handshake authenticated the peer. */
    @ChannelHandler.Sharable
    private final class ConnectionHandler extends ChannelInboundHandlerAdapter {
        private final boolean outbound;

        ConnectionHandler(boolean outbound) {
            this.outbound = outbound;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            if (!outbound) {
                try {
                    NodeConnection connection = connectionOf((QuicChannel) ctx.channel(), false);
                    LOG.debug("accepted {}", connection);
                } catch (SSLPeerUnverifiedException e) {
                    LOG.warn("refused a connection from {}: {}", ((QuicChannel) ctx.channel()).remoteSocketAddress(), e.getMessage());
                    ctx.close();
                    return;
                }
            }
            ctx.fireChannelActive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("connection {} failed: {}", ctx.channel(), cause.toString());
            ctx.close();
        }
    }

    /**
     * Closes the sockets before anything else, so no peer hears a CONNECTION_CLOSE: what peers see
     * of a node whose process was killed. For tests.
     */
    void abort() {
        if (server != null) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (client != null) {
            client.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        close();
    }

    @Override
    public void close() {
        if (reaper != null) {
            reaper.cancel(false);
        }
        if (keepAlive != null) {
            keepAlive.cancel(false);
        }
        pool.closeAll("shutdown");
        if (server != null) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (client != null) {
            client.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (executor != null) {
            executor.close();
        }
    }
}
