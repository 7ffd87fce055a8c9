package net.tesseras.tessera.internal.erasure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GaloisTest {

    @Test
    void multipliesAsBackblazeAndPythonDo() {
        assertEquals(12, Galois.mul(3, 4));
        assertEquals(21, Galois.mul(7, 7));
        assertEquals(41, Galois.mul(23, 45));
    }

    @Test
    void raisesToPowersAsBackblazeAndPythonDo() {
        assertEquals(4, Galois.exp(2, 2));
        assertEquals(235, Galois.exp(5, 20));
        assertEquals(43, Galois.exp(13, 7));
        assertEquals(1, Galois.exp(0, 0));
        assertEquals(0, Galois.exp(0, 3));
    }

    @Test
    void multiplicationMatchesCarrylessProductReducedBy0x11D() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                assertEquals(slowMul(a, b), Galois.mul(a, b), a + " * " + b);
            }
        }
    }

    @Test
    void divisionUndoesMultiplication() {
        for (int a = 0; a < 256; a++) {
            for (int b = 1; b < 256; b++) {
                assertEquals(a, Galois.div(Galois.mul(a, b), b), a + " * " + b + " / " + b);
            }
        }
        assertThrows(ArithmeticException.class, () -> Galois.div(5, 0));
    }

    private static int slowMul(int a, int b) {
        int product = 0;
        for (int bit = 0; bit < 8; bit++) {
            if ((b & (1 << bit)) != 0) {
                product ^= a << bit;
            }
        }
        for (int bit = 15; bit >= 8; bit--) {
            if ((product & (1 << bit)) != 0) {
                product ^= Galois.GENERATING_POLYNOMIAL << (bit - 8);
            }
        }
        return product;
    }
}
