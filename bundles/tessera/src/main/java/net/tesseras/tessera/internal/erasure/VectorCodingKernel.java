package net.tesseras.tessera.internal.erasure;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The coding kernel on SIMD registers through the incubating Vector API (about three times the
 * scalar kernel on AVX-512 here, see docs/BENCHMARKS.md). Loaded only when the JVM has the module
 * ({@code --add-modules jdk.incubator.vector}); see {@link CodingKernels}.
 *
 * <p>The classic nibble-table method: a product {@code c * x} is {@code c * (x & 15) ^ c * (x >>>
 * 4 << 4)}, so two 16-entry tables per coefficient, looked up for a whole vector of bytes at once
 * by a byte shuffle, replace the 256-entry table. Eight outputs are computed together in eight
 * accumulator registers, so each input vector is loaded and split into nibbles once per eight
 * outputs. Positions go in blocks, all groups of outputs per block, so that inputs are read from
 * memory once. Bytes after the last whole vector go through the scalar kernel.
 */
final class VectorCodingKernel implements CodingKernel {

    private static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int GROUP = 8;
    /** Bytes per input per block: the groups of eight outputs reuse a block's inputs from the cache. */
    private static final int BLOCK = 2048;

    private final int inputs;
    private final int outputs;
    private final int groups;
    /** lows[((g * inputs + i) * GROUP + j) * LANES ..]: c * x for x in 0..15, repeated over the lanes. */
    private final byte[] lows;
    private final byte[] highs;
    private final ScalarCodingKernel tail;

    VectorCodingKernel(GfMatrix matrix) {
        this.inputs = matrix.columns();
        this.outputs = matrix.rows();
        this.groups = (outputs + GROUP - 1) / GROUP;
        this.lows = new byte[groups * inputs * GROUP * LANES];
        this.highs = new byte[lows.length];
        for (int r = 0; r < outputs; r++) {
            for (int i = 0; i < inputs; i++) {
                int coefficient = matrix.get(r, i);
                int base = (((r / GROUP) * inputs + i) * GROUP + r % GROUP) * LANES;
                for (int lane = 0; lane < LANES; lane++) {
                    lows[base + lane] = (byte) Galois.mul(coefficient, lane & 15);
                    highs[base + lane] = (byte) Galois.mul(coefficient, (lane & 15) << 4);
                }
            }
        }
        this.tail = new ScalarCodingKernel(matrix);
    }

    /** Whether this JVM runs vectors wide enough for the 16-entry lookups. */
    static boolean usable() {
        return LANES >= 16;
    }

    /** Register width in bits, for logs. */
    static int bits() {
        return SPECIES.vectorBitSize();
    }

    @Override
    public void apply(byte[][] in, byte[][] out, int offset, int length) {
        int whole = length - length % LANES;
        for (int start = offset; start < offset + whole; start += BLOCK) {
            int end = Math.min(start + BLOCK, offset + whole);
            for (int g = 0; g < groups; g++) {
                applyGroup(in, out, g, start, end);
            }
        }
        if (whole < length) {
            tail.apply(in, out, offset + whole, length - whole);
        }
    }

    private void applyGroup(byte[][] in, byte[][] out, int group, int from, int to) {
        byte[] lo = lows;
        byte[] hi = highs;
        int first = group * GROUP;
        for (int position = from; position < to; position += LANES) {
            ByteVector a0 = ByteVector.zero(SPECIES);
            ByteVector a1 = a0;
            ByteVector a2 = a0;
            ByteVector a3 = a0;
            ByteVector a4 = a0;
            ByteVector a5 = a0;
            ByteVector a6 = a0;
            ByteVector a7 = a0;
            // Written out by hand: with the product in a helper method C2 stopped keeping the vectors
            // in registers and this loop ran five times slower than now (JDK 17.0.15).
            int t = group * inputs * GROUP * LANES;
            for (int i = 0; i < inputs; i++, t += GROUP * LANES) {
                ByteVector v = ByteVector.fromArray(SPECIES, in[i], position);
                VectorShuffle<Byte> l = v.and((byte) 0x0f).toShuffle();
                VectorShuffle<Byte> h = v.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0f).toShuffle();
                a0 = a0.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, lo, t).rearrange(l))
                        .lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, hi, t).rearrange(h));
                a1 = a1.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, lo, t + LANES).rearrange(l))
                        .lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, hi, t + LANES).rearrange(h));
                a2 = a2.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, lo, t + 2 * LANES).rearrange(l))
                        .lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, hi, t + 2 * LANES).rearrange(h));
                a3 = a3.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, lo, t + 3 * LANES).rearrange(l))
                        .lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, hi, t + 3 * LANES).rearrange(h));
                a4 = a4.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, lo, t + 4 * LANES).rearrange(l))
                        .lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, hi, t + 4 * LANES).rearrange(h));
                a5 = a5.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, lo, t + 5 * LANES).rearrange(l))
                        .lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, hi, t + 5 * LANES).rearrange(h));
                a6 = a6.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, lo, t + 6 * LANES).rearrange(l))
                        .lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, hi, t + 6 * LANES).rearrange(h));
                a7 = a7.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, lo, t + 7 * LANES).rearrange(l))
                        .lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, hi, t + 7 * LANES).rearrange(h));
            }
            store(a0, out, first, position);
            store(a1, out, first + 1, position);
            store(a2, out, first + 2, position);
            store(a3, out, first + 3, position);
            store(a4, out, first + 4, position);
            store(a5, out, first + 5, position);
            store(a6, out, first + 6, position);
            store(a7, out, first + 7, position);
        }
    }

    private void store(ByteVector value, byte[][] out, int row, int position) {
        if (row < outputs && out[row] != null) {
            value.intoArray(out[row], position);
        }
    }
}
