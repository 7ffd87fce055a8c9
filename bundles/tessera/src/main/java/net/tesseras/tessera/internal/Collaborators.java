package net.tesseras.tessera.internal;

import net.tesseras.erasure.ErasureCoder;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.storage.FragmentStore;
import net.tesseras.tessera.TesseraException;

/**
 * The services a tessera operation needs, looked up when the operation starts: each can come and go
 * while the node runs (a backend swapped, the identity bundle updated), and an operation that finds
 * one missing refuses with a message that names it.
 */
interface Collaborators {

    /** The fragment store the node is wired to, or null. */
    FragmentStore storeOrNull();

    /** The node identity, or null. */
    NodeIdentity identityOrNull();

    /** The erasure coder with the highest ranking, or null. */
    ErasureCoder coderOrNull();

    /** A short description of the store the node is configured to use, for messages. */
    String storeDescription();

    /** Services that never change: for tests and benchmarks that build the service by hand. */
    static Collaborators fixed(FragmentStore store, NodeIdentity identity, ErasureCoder coder) {
        return new Collaborators() {
            @Override
            public FragmentStore storeOrNull() {
                return store;
            }

            @Override
            public NodeIdentity identityOrNull() {
                return identity;
            }

            @Override
            public ErasureCoder coderOrNull() {
                return coder;
            }

            @Override
            public String storeDescription() {
                return String.valueOf(store);
            }
        };
    }

    default FragmentStore store() {
        FragmentStore store = storeOrNull();
        if (store == null) {
            throw new TesseraException("no fragment store is available (" + storeDescription()
                    + "); check tesseras:status and the storage configuration in etc/");
        }
        return store;
    }

    default NodeIdentity identity() {
        NodeIdentity identity = identityOrNull();
        if (identity == null) {
            throw new TesseraException("the node identity is not available, so nothing can be signed;"
                    + " check the log and etc/net.tesseras.identity.cfg (tesseras:identity shows its state)");
        }
        return identity;
    }

    default ErasureCoder coder() {
        ErasureCoder coder = coderOrNull();
        if (coder == null) {
            throw new TesseraException("no erasure coder service is running; start the tessera bundle");
        }
        return coder;
    }
}
