/**
 * Domain types shared by every Tesseras bundle: content hashes and fragment identities, and the
 * BLAKE3 hash that defines them ({@link net.tesseras.core.Blake3},
 * {@link net.tesseras.core.Blake3Hashing}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package net.tesseras.core;
