package net.tesseras.replication.internal.peers;

/**
 * Orders 20-byte identifiers by their XOR distance to a target, compared as unsigned big-endian
 * numbers (the original's rule), without allocating per comparison.
 */
final class XorDistance {

    private final byte[] target;

    XorDistance(byte[] target) {
        this.target = PeerWire.checkTarget(target).clone();
    }

    /** Negative when {@code a} is closer to the target than {@code b}; both 20 bytes. */
    int compare(byte[] a, byte[] b) {
        for (int i = 0; i < target.length; i++) {
            int da = (a[i] ^ target[i]) & 0xff;
            int db = (b[i] ^ target[i]) & 0xff;
            if (da != db) {
                return Integer.compare(da, db);
            }
        }
        return 0;
    }
}
