package net.tesseras.replication.internal.peers;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;

/**
 * The bytes of FIND_PEERS and PEERS (docs/PROTOCOL.md ("Peer exchange")). Parsing is strict: every count is
 * bounded, every field checked, trailing bytes refused; any fault is a {@link PeerException}
 * MALFORMED whose reason names the message and the field.
 */
public final class PeerWire {

    /** Most addresses in one description. */
    public static final int MAX_ADDRESSES = 8;
    /** Most peers one PEERS lists, whatever the request asked for. */
    public static final int MAX_PEERS = 32;
    /** Length of a target and of a NodeId. */
    public static final int TARGET_LENGTH = 20;

    static final int FLAG_INSTITUTIONAL = 0x01;
    static final int FAMILY_IPV4 = 4;
    static final int FAMILY_IPV6 = 6;

    /**
     * A FIND_PEERS request.
     *
     * @param target 20 bytes; the answer lists the peers closest to it
     * @param maxCount most peers wanted (0..255; answers list at most {@link #MAX_PEERS})
     * @param sender the sender's own description
     */
    public record FindPeers(byte[] target, int maxCount, PeerDescription sender) {
        public FindPeers {
            target = checkTarget(target).clone();
            if (maxCount < 0 || maxCount > 255) {
                throw new IllegalArgumentException("max count is a u8 (0..255), got " + maxCount);
            }
            Objects.requireNonNull(sender, "sender");
        }

        @Override
        public byte[] target() {
            return target.clone();
        }
    }

    /**
     * One peer a PEERS answer lists: the NodeId it is listed under (20 raw bytes, not yet checked)
     * and its description.
     */
    public record ListedPeer(byte[] nodeId, PeerDescription description) {
        public ListedPeer {
            nodeId = checkTarget(nodeId).clone();
            Objects.requireNonNull(description, "description");
        }

        @Override
        public byte[] nodeId() {
            return nodeId.clone();
        }

        /** Whether the key and nonce derive the NodeId the peer is listed under. */
        public boolean consistent() {
            return description.nodeId().map(id -> Arrays.equals(id.toBytes(), nodeId)).orElse(false);
        }
    }

    /** A PEERS answer: the answerer's own description, then the peers it lists. */
    public record Peers(PeerDescription answerer, List<ListedPeer> peers) {
        public Peers {
            Objects.requireNonNull(answerer, "answerer");
            peers = List.copyOf(peers);
            if (peers.size() > MAX_PEERS) {
                throw new IllegalArgumentException("at most " + MAX_PEERS + " peers in one answer, got " + peers.size());
            }
        }
    }

    private PeerWire() {
    }

    public static PeerMessage encode(FindPeers request) {
        ByteBuffer out = ByteBuffer.allocate(TARGET_LENGTH + 1 + descriptionLength(request.sender()));
        out.put(request.target).put((byte) request.maxCount());
        putDescription(out, request.sender());
        return new PeerMessage(MessageTypes.FIND_PEERS, out.flip());
    }

    public static PeerMessage encode(Peers answer) {
        int length = descriptionLength(answer.answerer()) + 1;
        for (ListedPeer peer : answer.peers()) {
            length += TARGET_LENGTH + descriptionLength(peer.description());
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        putDescription(out, answer.answerer());
        out.put((byte) answer.peers().size());
        for (ListedPeer peer : answer.peers()) {
            out.put(peer.nodeId);
            putDescription(out, peer.description());
        }
        return new PeerMessage(MessageTypes.PEERS, out.flip());
    }

    /** @throws PeerException MALFORMED naming the fault */
    public static FindPeers decodeFindPeers(ByteBuffer payload) {
        Reader in = new Reader("FIND_PEERS", payload);
        byte[] target = in.bytes(TARGET_LENGTH, "target");
        int maxCount = in.u8("max count");
        PeerDescription sender = in.description("sender");
        in.end();
        return new FindPeers(target, maxCount, sender);
    }

    /**
     * @param asked the max count the request asked for: an answer listing more is refused
     * @throws PeerException MALFORMED naming the fault
     */
    public static Peers decodePeers(ByteBuffer payload, int asked) {
        Reader in = new Reader("PEERS", payload);
        PeerDescription answerer = in.description("answerer");
        int count = in.u8("peer count");
        int limit = Math.min(asked, MAX_PEERS);
        if (count > limit) {
            throw in.malformed("lists " + count + " peers, more than the " + limit + " asked for");
        }
        List<ListedPeer> peers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] nodeId = in.bytes(TARGET_LENGTH, "NodeId of peer " + i);
            peers.add(new ListedPeer(nodeId, in.description("peer " + i)));
        }
        in.end();
        return new Peers(answerer, peers);
    }

    static byte[] checkTarget(byte[] target) {
        Objects.requireNonNull(target, "target");
        if (target.length != TARGET_LENGTH) {
            throw new IllegalArgumentException("a target is " + TARGET_LENGTH + " bytes, got " + target.length);
        }
        return target;
    }

    /** Only IP literals travel: an unresolved name (a seed given by name) is left out. */
    private static List<InetSocketAddress> wireAddresses(PeerDescription description) {
        return description.addresses().stream().filter(a -> !a.isUnresolved() && a.getPort() != 0).limit(MAX_ADDRESSES).toList();
    }

    private static int descriptionLength(PeerDescription description) {
        int length = PeerDescription.KEY_LENGTH + Long.BYTES + 1 + 1;
        for (InetSocketAddress address : wireAddresses(description)) {
            length += 1 + address.getAddress().getAddress().length + 2;
        }
        return length;
    }

    private static void putDescription(ByteBuffer out, PeerDescription description) {
        List<InetSocketAddress> addresses = wireAddresses(description);
        out.put(description.publicKey()).putLong(description.nonce())
                .put((byte) (description.institutional() ? FLAG_INSTITUTIONAL : 0)).put((byte) addresses.size());
        for (InetSocketAddress address : addresses) {
            byte[] ip = address.getAddress().getAddress();
            out.put((byte) (ip.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6)).put(ip).putShort((short) address.getPort());
        }
    }

    /** Reads one payload, naming the message and the field in every refusal. */
    private static final class Reader {
        private final String message;
        private final ByteBuffer in;
        private final int length;

        Reader(String message, ByteBuffer payload) {
            this.message = message;
            this.in = payload.duplicate();
            this.length = in.remaining();
        }

        byte[] bytes(int n, String field) {
            need(n, field);
            byte[] bytes = new byte[n];
            in.get(bytes);
            return bytes;
        }

        int u8(String field) {
            need(1, field);
            return in.get() & 0xff;
        }

        PeerDescription description(String who) {
            byte[] key = bytes(PeerDescription.KEY_LENGTH, "public key of the " + who);
            need(Long.BYTES, "nonce of the " + who);
            long nonce = in.getLong();
            int flags = u8("flags of the " + who);
            if ((flags & ~FLAG_INSTITUTIONAL) != 0) {
                throw malformed("flags of the " + who + " are 0x" + HexFormat.of().toHexDigits((byte) flags)
                        + ": only bit 0 (institutional) is defined, the others must be 0");
            }
            int count = u8("address count of the " + who);
            if (count > MAX_ADDRESSES) {
                throw malformed("the " + who + " announces " + count + " addresses, at most " + MAX_ADDRESSES + " are allowed");
            }
            List<InetSocketAddress> addresses = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                addresses.add(address("address " + i + " of the " + who));
            }
            return new PeerDescription(key, nonce, (flags & FLAG_INSTITUTIONAL) != 0, addresses);
        }

        private InetSocketAddress address(String field) {
            int family = u8("family of " + field);
            int ipLength = switch (family) {
                case FAMILY_IPV4 -> 4;
                case FAMILY_IPV6 -> 16;
                default -> throw malformed("family of " + field + " is " + family + ": 4 (IPv4) or 6 (IPv6) expected");
            };
            byte[] ip = bytes(ipLength, "IP of " + field);
            need(2, "port of " + field);
            int port = in.getShort() & 0xffff;
            if (port == 0) {
                throw malformed("port of " + field + " is 0");
            }
            try {
                // An IPv4-mapped IPv6 address comes back as the IPv4 address it means.
                return new InetSocketAddress(InetAddress.getByAddress(ip), port);
            } catch (UnknownHostException e) {
                throw malformed("IP of " + field + " has " + ip.length + " bytes");
            }
        }

        void end() {
            if (in.hasRemaining()) {
                throw malformed(in.remaining() + " trailing bytes after the last field (payload of " + length
                        + " bytes); the message ends there");
            }
        }

        private void need(int n, String field) {
            if (in.remaining() < n) {
                throw malformed("payload of " + length + " bytes ends inside the " + field + " (byte " + in.position()
                        + ", " + n + " bytes needed)");
            }
        }

        PeerException malformed(String what) {
            return new PeerException(ErrorCode.MALFORMED, message + ": " + what);
        }
    }
}
