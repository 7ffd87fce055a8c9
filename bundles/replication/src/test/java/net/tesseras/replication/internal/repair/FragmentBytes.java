package net.tesseras.replication.internal.repair;

import java.nio.ByteBuffer;

/** A fragment's bytes as an array, for comparing. */
final class FragmentBytes {

    private FragmentBytes() {
    }

    static byte[] of(ByteBuffer data) {
        ByteBuffer copy = data.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
