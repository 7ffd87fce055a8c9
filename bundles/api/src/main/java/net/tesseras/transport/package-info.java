/**
 * Talking to other nodes: the {@link net.tesseras.transport.PeerClient} service (ping, get, put,
 * list against a peer's address) and the {@link net.tesseras.transport.MessageHandler} whiteboard
 * through which other bundles add message types to the wire protocol (docs/PROTOCOL.md).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package net.tesseras.transport;
