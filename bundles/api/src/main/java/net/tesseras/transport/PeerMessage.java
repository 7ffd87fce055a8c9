package net.tesseras.transport;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A message of an extension type: its {@code type} (see {@link MessageHandler}) and its payload.
 * The payload buffer is read-only for the receiver.
 */
public record PeerMessage(int type, ByteBuffer payload) {

    public PeerMessage {
        MessageHandler.checkExtensionType(type);
        Objects.requireNonNull(payload, "payload");
    }
}
