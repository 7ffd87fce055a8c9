/**
 * The node's SQLite database as a service: one owner of the database file, every pragma applied
 * in one place, versioned migrations per schema.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package net.tesseras.database;
