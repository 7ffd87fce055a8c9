package net.tesseras.tessera.internal.erasure;

/**
 * Arithmetic in GF(2^8) with the generating polynomial x^8+x^4+x^3+x^2+1 (0x11D) and generator 2,
 * the field of Backblaze JavaReedSolomon and of the Rust crate the original Tesseras used.
 * Addition is XOR; multiplication goes through logarithm tables.
 */
final class Galois {

    static final int FIELD_SIZE = 256;
    static final int GENERATING_POLYNOMIAL = 0x11D;

    /** LOG[a] for a in 1..255 (LOG[0] is unused). */
    private static final int[] LOG = new int[FIELD_SIZE];
    /** EXP[n] = 2^n for n in 0..509, twice over so that EXP[LOG[a] + LOG[b]] needs no modulo. */
    private static final byte[] EXP = new byte[2 * FIELD_SIZE - 2];

    static {
        int x = 1;
        for (int n = 0; n < FIELD_SIZE - 1; n++) {
            EXP[n] = (byte) x;
            EXP[n + FIELD_SIZE - 1] = (byte) x;
            LOG[x] = n;
            x <<= 1;
            if (x >= FIELD_SIZE) {
                x ^= GENERATING_POLYNOMIAL;
            }
        }
    }

    private Galois() {}

    static int add(int a, int b) {
        return (a ^ b) & 0xff;
    }

    static int mul(int a, int b) {
        a &= 0xff;
        b &= 0xff;
        if (a == 0 || b == 0) {
            return 0;
        }
        return EXP[LOG[a] + LOG[b]] & 0xff;
    }

    /** a / b; b must not be zero. */
    static int div(int a, int b) {
        a &= 0xff;
        b &= 0xff;
        if (b == 0) {
            throw new ArithmeticException("division by zero in GF(2^8)");
        }
        if (a == 0) {
            return 0;
        }
        return EXP[LOG[a] - LOG[b] + FIELD_SIZE - 1] & 0xff;
    }

    /** a to the power n (n >= 0); 0^0 = 1, as in the Vandermonde matrix of the contract. */
    static int exp(int a, int n) {
        a &= 0xff;
        if (n == 0) {
            return 1;
        }
        if (a == 0) {
            return 0;
        }
        return EXP[(int) ((long) LOG[a] * n % (FIELD_SIZE - 1))] & 0xff;
    }
}
