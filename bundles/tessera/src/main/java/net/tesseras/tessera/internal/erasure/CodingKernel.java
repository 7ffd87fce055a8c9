package net.tesseras.tessera.internal.erasure;

/**
 * Multiplies a window of input shards by a fixed coefficient matrix (outputs × inputs) over
 * GF(2^8): {@code out[r][k] = sum over i of m[r][i] * in[i][k]}. Encoding uses the parity rows of
 * the coding matrix; reconstruction uses rows of an inverted sub-matrix. Made by {@link
 * CodingKernels}; immutable and safe for concurrent use.
 */
interface CodingKernel {

    /**
     * Computes the window [offset, offset + length) of every non-null output from the same window
     * of the inputs; null outputs are skipped.
     */
    void apply(byte[][] in, byte[][] out, int offset, int length);
}
