package net.tesseras.cache.internal;

import net.tesseras.core.ContentHash;

/** A fragment of one store: the cache is shared by every store, so the store is part of the key. */
record CacheKey(String store, ContentHash tessera, int index) {}
