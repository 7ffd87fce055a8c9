package net.tesseras.tessera.internal.erasure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GfMatrixTest {

    @Test
    void invertsBackblazesMatrix() {
        GfMatrix m = matrix(new int[][] {{56, 23, 98}, {3, 100, 200}, {45, 201, 123}});
        assertEquals(matrix(new int[][] {{175, 133, 33}, {130, 13, 245}, {112, 35, 126}}), m.invert());
        assertEquals(GfMatrix.identity(3), m.times(m.invert()));
    }

    @Test
    void multipliesBackblazesMatrices() {
        GfMatrix a = matrix(new int[][] {{1, 2}, {3, 4}});
        GfMatrix b = matrix(new int[][] {{5, 6}, {7, 8}});
        assertEquals(matrix(new int[][] {{11, 22}, {19, 42}}), a.times(b));
    }

    @Test
    void refusesToInvertASingularMatrix() {
        GfMatrix singular = matrix(new int[][] {{1, 2}, {2, 4}});
        assertThrows(ArithmeticException.class, singular::invert);
    }

    @Test
    void codingMatrixIsSystematic() {
        GfMatrix coding = ReedSolomonCoder.codingMatrix(16, 24);
        assertEquals(GfMatrix.identity(16), coding.rows(0, 16));
    }

    private static GfMatrix matrix(int[][] values) {
        byte[][] bytes = new byte[values.length][values[0].length];
        for (int r = 0; r < values.length; r++) {
            for (int c = 0; c < values[r].length; c++) {
                bytes[r][c] = (byte) values[r][c];
            }
        }
        return new GfMatrix(bytes);
    }
}
