/**
 * Domain types shared by every Tesseras bundle: content hashes and fragment identities, and the
 * BLAKE3 hash that defines them ({@link net.tesseras.core.Blake3},
 * {@link net.tesseras.core.Blake3Hashing}), and BLAKE3 verified streaming of 1 KiB chunks
 * ({@link net.tesseras.core.Blake3Tree}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package net.tesseras.core;
