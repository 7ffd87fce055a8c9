/**
 * The node's identity: an Ed25519 key pair and the NodeId derived from it with a small proof of
 * work. Peers authenticate each other, and attestations are signed, with it.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package net.tesseras.identity;
