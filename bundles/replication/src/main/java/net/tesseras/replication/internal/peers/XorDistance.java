package net.tesseras.replication.internal.peers;

/**
 * Orders 20-byte identifiers by their XOR distance to a target, compared as unsigned big-endian
 * numbers (the original's rule), without allocating per comparison.
 */
public final class XorDistance {

    private final byte[] target;

    XorDistance(byte[] target) {
        this.target = PeerWire.checkTarget(target).clone();
    }

    /** Negative when {@code a} is closer to the target than {@code b}; both 20 bytes. */
    int compare(byte[] a, byte[] b) {
        return compare(a, b, target);
    }

    /**
     * Negative when {@code a} is closer to {@code target} than {@code b}: the one distance rule of
     * peer lookup and placement; all three 20 bytes.
     */
    public static int compare(byte[] a, byte[] b, byte[] target) {
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
