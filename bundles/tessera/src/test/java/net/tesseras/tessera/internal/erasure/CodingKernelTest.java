package net.tesseras.tessera.internal.erasure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both kernels compute the matrix product of the definition, on any window, after JIT too. */
class CodingKernelTest {

    private static final boolean VECTOR_MODULE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    @ParameterizedTest
    @EnumSource(CodingKernels.Kind.class)
    void computesTheProductOfTheDefinition(CodingKernels.Kind kind) {
        assumeTrue(kind == CodingKernels.Kind.SCALAR || VECTOR_MODULE, "the JVM runs without jdk.incubator.vector");
        Random random = new Random(kind.ordinal());
        int[][] shapes = {{1, 1}, {5, 5}, {16, 8}, {48, 24}, {3, 13}, {20, 9}, {200, 56}};
        for (int[] shape : shapes) {
            for (int round = 0; round < 5; round++) {
                GfMatrix matrix = randomMatrix(random, shape[1], shape[0]);
                int offset = random.nextInt(70);
                int length = random.nextInt(400);
                byte[][] in = new byte[shape[0]][offset + length + random.nextInt(5)];
                for (byte[] row : in) {
                    random.nextBytes(row);
                }
                byte[][] out = new byte[shape[1]][offset + length + 3];
                int skipped = random.nextInt(shape[1]);
                out[skipped] = null;
                for (byte[] row : out) {
                    if (row != null) {
                        random.nextBytes(row);
                    }
                }
                byte[][] before = deepCopy(out);
                CodingKernels.create(kind, matrix).apply(in, out, offset, length);
                String what = kind + " " + shape[0] + " inputs, " + shape[1] + " outputs, window " + offset + "+" + length;
                assertNull(out[skipped]);
                for (int r = 0; r < shape[1]; r++) {
                    if (r == skipped) {
                        continue;
                    }
                    for (int k = 0; k < out[r].length; k++) {
                        int expected = k >= offset && k < offset + length ? product(matrix, in, r, k) : before[r][k] & 0xff;
                        assertEquals(expected, out[r][k] & 0xff, what + ", output " + r + " byte " + k);
                    }
                }
            }
        }
    }

    @Test
    void vectorAndScalarKernelsAgreeAfterJitCompilation() {
        assumeTrue(VECTOR_MODULE, "the JVM runs without jdk.incubator.vector");
        Random random = new Random(5);
        GfMatrix matrix = ReedSolomonCoder.codingMatrix(16, 24).rows(16, 24);
        CodingKernel scalar = CodingKernels.create(CodingKernels.Kind.SCALAR, matrix);
        CodingKernel vector = CodingKernels.create(CodingKernels.Kind.VECTOR, matrix);
        byte[][] in = new byte[16][4096 + 17];
        for (byte[] row : in) {
            random.nextBytes(row);
        }
        for (int round = 0; round < 3000; round++) {
            byte[][] a = new byte[8][4096 + 17];
            byte[][] b = new byte[8][4096 + 17];
            scalar.apply(in, a, 0, 4096 + 17);
            vector.apply(in, b, 0, 4096 + 17);
            if (round % 500 == 0 || round == 2999) {
                assertArrayEquals(a, b, "round " + round);
            }
        }
    }

    @Test
    void theCoderRunsTheVectorKernelWhenTheModuleIsThereUnlessToldOtherwise() {
        assertEquals(VECTOR_MODULE ? CodingKernels.Kind.VECTOR : CodingKernels.Kind.SCALAR, CodingKernels.Kind.best());
        assertEquals("scalar", ReedSolomonCoder.scalar().kernel());
        String before = System.getProperty(CodingKernels.PROPERTY);
        System.setProperty(CodingKernels.PROPERTY, "scalar");
        try {
            assertEquals(CodingKernels.Kind.SCALAR, CodingKernels.Kind.best());
        } finally {
            if (before == null) {
                System.clearProperty(CodingKernels.PROPERTY);
            } else {
                System.setProperty(CodingKernels.PROPERTY, before);
            }
        }
    }

    private static int product(GfMatrix matrix, byte[][] in, int row, int position) {
        int value = 0;
        for (int i = 0; i < matrix.columns(); i++) {
            value ^= Galois.mul(matrix.get(row, i), in[i][position]);
        }
        return value;
    }

    private static GfMatrix randomMatrix(Random random, int rows, int columns) {
        byte[][] values = new byte[rows][columns];
        for (byte[] row : values) {
            random.nextBytes(row);
        }
        return new GfMatrix(values);
    }

    private static byte[][] deepCopy(byte[][] arrays) {
        byte[][] copy = new byte[arrays.length][];
        for (int i = 0; i < arrays.length; i++) {
            copy[i] = arrays[i] == null ? null : arrays[i].clone();
        }
        return copy;
    }
}
