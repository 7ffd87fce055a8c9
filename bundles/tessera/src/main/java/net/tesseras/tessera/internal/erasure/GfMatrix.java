package net.tesseras.tessera.internal.erasure;

import java.util.Arrays;

/** A matrix over GF(2^8): just what building and inverting coding matrices needs. */
final class GfMatrix {

    private final int rows;
    private final int columns;
    private final byte[][] data;

    GfMatrix(int rows, int columns) {
        this.rows = rows;
        this.columns = columns;
        this.data = new byte[rows][columns];
    }

    GfMatrix(byte[][] values) {
        this(values.length, values[0].length);
        for (int r = 0; r < rows; r++) {
            if (values[r].length != columns) {
                throw new IllegalArgumentException("row " + r + " has " + values[r].length + " columns, not " + columns);
            }
            System.arraycopy(values[r], 0, data[r], 0, columns);
        }
    }

    static GfMatrix identity(int size) {
        GfMatrix m = new GfMatrix(size, size);
        for (int i = 0; i < size; i++) {
            m.data[i][i] = 1;
        }
        return m;
    }

    /** rows × columns, entry r^c with the row index r taken as a field element. */
    static GfMatrix vandermonde(int rows, int columns) {
        GfMatrix m = new GfMatrix(rows, columns);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                m.data[r][c] = (byte) Galois.exp(r, c);
            }
        }
        return m;
    }

    int rows() {
        return rows;
    }

    int columns() {
        return columns;
    }

    int get(int r, int c) {
        return data[r][c] & 0xff;
    }

    /** A copy of row r. */
    byte[] row(int r) {
        return data[r].clone();
    }

    GfMatrix times(GfMatrix right) {
        if (columns != right.rows) {
            throw new IllegalArgumentException(rows + "x" + columns + " times " + right.rows + "x" + right.columns);
        }
        GfMatrix result = new GfMatrix(rows, right.columns);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < right.columns; c++) {
                int value = 0;
                for (int i = 0; i < columns; i++) {
                    value ^= Galois.mul(data[r][i], right.data[i][c]);
                }
                result.data[r][c] = (byte) value;
            }
        }
        return result;
    }

    /** Rows [from, to) as a new matrix. */
    GfMatrix rows(int from, int to) {
        GfMatrix result = new GfMatrix(to - from, columns);
        for (int r = from; r < to; r++) {
            System.arraycopy(data[r], 0, result.data[r - from], 0, columns);
        }
        return result;
    }

    /** The given rows, in the given order, as a new matrix. */
    GfMatrix selectRows(int[] indices) {
        GfMatrix result = new GfMatrix(indices.length, columns);
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(data[indices[i]], 0, result.data[i], 0, columns);
        }
        return result;
    }

    /**
     * The inverse, by Gauss-Jordan elimination.
     *
     * @throws ArithmeticException if the matrix is singular (never for square selections of
     *     rows of a coding matrix, which is the point of the code)
     */
    GfMatrix invert() {
        if (rows != columns) {
            throw new IllegalArgumentException("only a square matrix has an inverse, not " + rows + "x" + columns);
        }
        int n = rows;
        byte[][] work = new byte[n][2 * n];
        for (int r = 0; r < n; r++) {
            System.arraycopy(data[r], 0, work[r], 0, n);
            work[r][n + r] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            while (pivot < n && work[pivot][col] == 0) {
                pivot++;
            }
            if (pivot == n) {
                throw new ArithmeticException("singular matrix");
            }
            byte[] swap = work[col];
            work[col] = work[pivot];
            work[pivot] = swap;
            int scale = work[col][col] & 0xff;
            if (scale != 1) {
                for (int c = 0; c < 2 * n; c++) {
                    work[col][c] = (byte) Galois.div(work[col][c], scale);
                }
            }
            for (int r = 0; r < n; r++) {
                int factor = work[r][col] & 0xff;
                if (r != col && factor != 0) {
                    for (int c = 0; c < 2 * n; c++) {
                        work[r][c] ^= (byte) Galois.mul(factor, work[col][c]);
                    }
                }
            }
        }
        GfMatrix inverse = new GfMatrix(n, n);
        for (int r = 0; r < n; r++) {
            System.arraycopy(work[r], n, inverse.data[r], 0, n);
        }
        return inverse;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GfMatrix m && Arrays.deepEquals(data, m.data);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(data);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (byte[] row : data) {
            text.append('[');
            for (int c = 0; c < columns; c++) {
                text.append(c == 0 ? "" : ", ").append(row[c] & 0xff);
            }
            text.append(']');
        }
        return text.toString();
    }
}
