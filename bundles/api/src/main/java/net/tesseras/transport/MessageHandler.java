package net.tesseras.transport;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Serves one extension message type of the wire protocol. Register it as a service with the
 * integer property {@value #TYPE_PROPERTY}; the transport routes every request of that type to
 * it, attributed to the sender's authenticated NodeId, on its bounded request executor (never on
 * a network thread, so a handler may block on storage). Types
 * {@value #FIRST_EXTENSION_TYPE}..{@value #LAST_EXTENSION_TYPE} are free for extensions
 * (replication uses them); the core types (ping, get, put, list) cannot be overridden.
 *
 * <p>Requests and responses are held in memory whole, up to the transport's
 * {@code max.message.kb}; fragments travel through the core GET and PUT messages instead.
 */
@ConsumerType
public interface MessageHandler {

    /** Service property: the message type handled (an Integer). */
    String TYPE_PROPERTY = "tesseras.message.type";

    int FIRST_EXTENSION_TYPE = 0x20;
    int LAST_EXTENSION_TYPE = 0x6F;

    /**
     * Answers one request.
     *
     * @return the response, whose type may differ from the request's (also an extension type)
     * @throws PeerException to answer with an ERROR of that code and message
     */
    PeerMessage handle(PeerRequest request);

    /** @throws IllegalArgumentException if {@code type} is not an extension type */
    static int checkExtensionType(int type) {
        if (type < FIRST_EXTENSION_TYPE || type > LAST_EXTENSION_TYPE) {
            throw new IllegalArgumentException("extension message types are " + FIRST_EXTENSION_TYPE + ".."
                    + LAST_EXTENSION_TYPE + ", got " + type);
        }
        return type;
    }
}
