/**
 * Domain types shared by every Tesseras bundle: content hashes and fragment identities.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package net.tesseras.core;
