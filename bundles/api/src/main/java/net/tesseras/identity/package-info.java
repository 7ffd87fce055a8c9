/**
 * The node's identity: an Ed25519 key pair and the NodeId derived from it with a small proof of
 * work. Peers authenticate each other, and attestations are signed, with it. Anyone can derive a
 * NodeId ({@link net.tesseras.identity.NodeIds}) and check a signature
 * ({@link net.tesseras.identity.Ed25519#verify}) from a public key alone.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package net.tesseras.identity;
