/**
 * The fragment storage SPI: the contract every storage backend implements, ours and third
 * parties' alike, and the value types it exchanges.
 *
 * <p>A backend registers its {@link net.tesseras.storage.FragmentStore} service with the
 * properties {@code store.role=backend} and {@code store.name=<name>}. A decorator (such as the
 * cache) registers {@code store.role=front} with a higher {@code service.ranking}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package net.tesseras.storage;
