package net.tesseras.storage;

/**
 * Counts kept by a store's index.
 *
 * @param tesseras number of tesseras of which at least one fragment is held
 * @param fragments number of fragments held
 * @param bytes total length of the fragments held
 */
public record StoreStats(long tesseras, long fragments, long bytes) {}
