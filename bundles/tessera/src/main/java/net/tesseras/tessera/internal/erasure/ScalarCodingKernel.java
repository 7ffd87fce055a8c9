package net.tesseras.tessera.internal.erasure;

/**
 * The coding kernel in plain Java, for every JVM and CPU.
 *
 * <p>Why it is fast without SIMD: the usual loop looks up one product per (output, input, byte)
 * in a 256-entry table per coefficient. Here one lookup serves eight outputs at once: for input
 * {@code i} and byte value {@code b}, {@code table} holds a long whose byte {@code j} is
 * {@code m[8g + j][i] * b}. XOR-ing those longs over all inputs leaves eight output bytes in one
 * long, which are then spread to their arrays. For 16 data + 8 parity that is 16 lookups per
 * output column instead of 128. Positions are processed in blocks so that the accumulators stay
 * in the L1 cache and the inner loop is a plain sequential pass over one input array.
 */
final class ScalarCodingKernel implements CodingKernel {

    /** Byte positions per block: 8 KiB of accumulators. */
    private static final int BLOCK = 1024;

    private final int inputs;
    private final int outputs;
    private final int groups;
    /** table[((g * inputs) + i) * 256 + b]: products for outputs 8g .. 8g+7 of input i and byte b. */
    private final long[] table;

    ScalarCodingKernel(GfMatrix matrix) {
        this.inputs = matrix.columns();
        this.outputs = matrix.rows();
        this.groups = (outputs + 7) / 8;
        this.table = new long[groups * inputs * 256];
        for (int r = 0; r < outputs; r++) {
            int group = r / 8;
            int shift = (r % 8) * 8;
            for (int i = 0; i < inputs; i++) {
                int coefficient = matrix.get(r, i);
                int base = (group * inputs + i) * 256;
                for (int b = 0; b < 256; b++) {
                    table[base + b] |= (long) Galois.mul(coefficient, b) << shift;
                }
            }
        }
    }

    @Override
    public void apply(byte[][] in, byte[][] out, int offset, int length) {
        long[] acc = new long[Math.min(BLOCK, Math.max(length, 1))];
        for (int start = 0; start < length; start += BLOCK) {
            int n = Math.min(BLOCK, length - start);
            int position = offset + start;
            for (int g = 0; g < groups; g++) {
                accumulate(in, g, position, n, acc);
                spread(acc, out, g, position, n);
            }
        }
    }

    private void accumulate(byte[][] in, int group, int position, int n, long[] acc) {
        long[] t = table;
        int base = group * inputs * 256;
        byte[] first = in[0];
        for (int k = 0; k < n; k++) {
            acc[k] = t[base + (first[position + k] & 0xff)];
        }
        for (int i = 1; i < inputs; i++) {
            byte[] row = in[i];
            int rowBase = base + i * 256;
            for (int k = 0; k < n; k++) {
                acc[k] ^= t[rowBase + (row[position + k] & 0xff)];
            }
        }
    }

    private void spread(long[] acc, byte[][] out, int group, int position, int n) {
        int last = Math.min(outputs, group * 8 + 8);
        for (int r = group * 8; r < last; r++) {
            byte[] row = out[r];
            if (row == null) {
                continue;
            }
            int shift = (r - group * 8) * 8;
            for (int k = 0; k < n; k++) {
                row[position + k] = (byte) (acc[k] >>> shift);
            }
        }
    }
}
