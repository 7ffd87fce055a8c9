/**
 * Tesseras: a person's files with a signed manifest, carried as one POSIX tar payload cut into
 * erasure-coded fragments. The manifest format (v1), the content hash, the tiers and the signed
 * fragment plan defined here are the protocol every node and tool shares (see docs/FORMAT.md);
 * {@link net.tesseras.tessera.TesseraService} creates, lists, verifies, exports and deletes them.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package net.tesseras.tessera;
