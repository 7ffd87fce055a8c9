package net.tesseras.tessera.internal.erasure;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.tesseras.erasure.ErasureCoder;
import net.tesseras.erasure.InsufficientShardsException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.LoggerFactory;

/**
 * The node's Reed-Solomon coder over GF(2^8), byte-compatible with Backblaze JavaReedSolomon
 * (see {@link ErasureCoder} for the contract).
 *
 * <p>Why our own: no Reed-Solomon library worth depending on is published on Maven Central
 * (Backblaze's is only on JitPack, Hadoop's raw coder drags in Hadoop), and the code is small:
 * a field, a matrix inversion and a fast multiply loop ({@link CodingKernel}, on SIMD registers
 * when the JVM has the Vector API, see {@link CodingKernels}).
 *
 * <p>Coding matrices and their multiply tables are built once per shape and kept; decoding
 * tables are kept for the most recent sets of missing shards, since a streamed decode asks for the
 * same set window after window.
 */
@Component(service = ErasureCoder.class, property = ErasureCoder.NAME + "=" + ErasureCoder.REED_SOLOMON)
public final class ReedSolomonCoder implements ErasureCoder {

    /** Decoding tables kept: up to about 0.5 MB each for 48 + 24, so few, not one per erasure pattern ever seen. */
    private static final int DECODERS_KEPT = 16;

    private final CodingKernels.Kind kernel;

    private final Map<Long, GfMatrix> codingMatrices = new ConcurrentHashMap<>();
    private final Map<Long, CodingKernel> encoders = new ConcurrentHashMap<>();
    private final Map<DecoderKey, CodingKernel> decoders = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<DecoderKey, CodingKernel> eldest) {
            return size() > DECODERS_KEPT;
        }
    };

    /** The coder with the fastest kernel this JVM offers (the service's constructor). */
    public ReedSolomonCoder() {
        this(CodingKernels.Kind.best());
    }

    ReedSolomonCoder(CodingKernels.Kind kernel) {
        this.kernel = kernel;
    }

    /** The coder with the plain-Java kernel, whatever the JVM offers (for comparisons). */
    public static ReedSolomonCoder scalar() {
        return new ReedSolomonCoder(CodingKernels.Kind.SCALAR);
    }

    /** Which multiply loop this coder runs: {@code scalar} or {@code vector (N-bit)}. */
    public String kernel() {
        return CodingKernels.describe(kernel);
    }

    @Activate
    void activate() {
        LoggerFactory.getLogger(ReedSolomonCoder.class).info("Reed-Solomon coder started with the {} kernel{}", kernel(),
                kernel == CodingKernels.Kind.SCALAR ? " (start the JVM with --add-modules jdk.incubator.vector and export"
                        + " the package from the framework for the faster vector kernel)" : "");
    }

    @Override
    public String toString() {
        return "Reed-Solomon GF(2^8) coder, " + kernel() + " kernel";
    }

    /**
     * The (data + parity) × data coding matrix: the Vandermonde matrix times the inverse of its top
     * square, so that its top is the identity.
     */
    static GfMatrix codingMatrix(int dataShards, int totalShards) {
        GfMatrix vandermonde = GfMatrix.vandermonde(totalShards, dataShards);
        return vandermonde.times(vandermonde.rows(0, dataShards).invert());
    }

    @Override
    public void encode(int dataShards, int parityShards, byte[][] data, byte[][] parity, int offset, int length) {
        checkShape(dataShards, parityShards);
        checkArrays("data", data, dataShards, offset, length, false);
        checkArrays("parity", parity, parityShards, offset, length, false);
        if (parityShards == 0 || length == 0) {
            return;
        }
        encoder(dataShards, parityShards).apply(data, parity, offset, length);
    }

    @Override
    public void reconstruct(int dataShards, int parityShards, byte[][] shards, boolean[] present, int offset, int length)
            throws InsufficientShardsException {
        checkShape(dataShards, parityShards);
        int total = dataShards + parityShards;
        if (present == null || present.length != total) {
            throw new IllegalArgumentException("present must have one flag per shard (" + total + "), not "
                    + (present == null ? "null" : present.length));
        }
        checkArrays("shards", shards, total, offset, length, true);
        BitSet inputs = new BitSet(total);
        BitSet outputs = new BitSet(total);
        for (int i = 0; i < total; i++) {
            if (present[i]) {
                if (shards[i] == null) {
                    throw new IllegalArgumentException("shard " + i + " is marked present but its array is null");
                }
                if (inputs.cardinality() < dataShards) {
                    inputs.set(i); // the first present shards: data shards first, so less to invert
                }
            } else if (shards[i] != null) {
                outputs.set(i);
            }
        }
        if (inputs.cardinality() < dataShards) {
            throw insufficient(dataShards, parityShards, present);
        }
        if (outputs.isEmpty() || length == 0) {
            return;
        }
        CodingKernel decoding = decoder(new DecoderKey(dataShards, parityShards, inputs, outputs));
        decoding.apply(select(shards, inputs), select(shards, outputs), offset, length);
    }

    private static InsufficientShardsException insufficient(int dataShards, int parityShards, boolean[] present) {
        StringBuilder missing = new StringBuilder();
        int available = 0;
        for (int i = 0; i < present.length; i++) {
            if (present[i]) {
                available++;
            } else {
                missing.append(missing.length() == 0 ? "" : ", ").append(i);
            }
        }
        return new InsufficientShardsException(available, dataShards, "only " + available + " of "
                + (dataShards + parityShards) + " shards are present but " + dataShards
                + " are needed; missing shards: " + missing + "; fetch more shards and try again");
    }

    private static byte[][] select(byte[][] shards, BitSet which) {
        byte[][] selected = new byte[which.cardinality()][];
        int n = 0;
        for (int i = which.nextSetBit(0); i >= 0; i = which.nextSetBit(i + 1)) {
            selected[n++] = shards[i];
        }
        return selected;
    }

    private GfMatrix codingMatrixOf(int dataShards, int parityShards) {
        return codingMatrices.computeIfAbsent(shapeKey(dataShards, parityShards),
                k -> codingMatrix(dataShards, dataShards + parityShards));
    }

    private CodingKernel encoder(int dataShards, int parityShards) {
        return encoders.computeIfAbsent(shapeKey(dataShards, parityShards), k -> CodingKernels.create(kernel,
                codingMatrixOf(dataShards, parityShards).rows(dataShards, dataShards + parityShards)));
    }

    private CodingKernel decoder(DecoderKey key) {
        synchronized (decoders) {
            CodingKernel kept = decoders.get(key);
            if (kept != null) {
                return kept;
            }
        }
        GfMatrix coding = codingMatrixOf(key.dataShards, key.parityShards);
        GfMatrix inverse = coding.selectRows(key.inputs.stream().toArray()).invert();
        // A lost data shard is a row of the inverse; a lost parity shard is its coding row times
        // the inverse, so every wanted shard comes from the present ones in a single pass.
        CodingKernel made = CodingKernels.create(kernel, coding.selectRows(key.outputs.stream().toArray()).times(inverse));
        synchronized (decoders) {
            decoders.put(key, made);
        }
        return made;
    }

    private static long shapeKey(int dataShards, int parityShards) {
        return ((long) dataShards << 32) | parityShards;
    }

    private static void checkShape(int dataShards, int parityShards) {
        if (dataShards < 1 || parityShards < 0 || dataShards + parityShards > MAX_SHARDS) {
            throw new IllegalArgumentException("a Reed-Solomon code needs at least 1 data shard, no negative parity count and at most "
                    + MAX_SHARDS + " shards in all, not " + dataShards + " data + " + parityShards + " parity");
        }
    }

    private static void checkArrays(String name, byte[][] arrays, int count, int offset, int length, boolean nullsAllowed) {
        if (arrays == null || arrays.length != count) {
            throw new IllegalArgumentException(name + " must hold " + count + " arrays, not "
                    + (arrays == null ? "null" : arrays.length));
        }
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("the window must not be negative: offset " + offset + ", length " + length);
        }
        for (int i = 0; i < count; i++) {
            if (arrays[i] == null) {
                if (!nullsAllowed) {
                    throw new IllegalArgumentException(name + "[" + i + "] is null");
                }
            } else if ((long) offset + length > arrays[i].length) {
                throw new IllegalArgumentException(name + "[" + i + "] has " + arrays[i].length
                        + " bytes, too short for the window at " + offset + " of " + length + " bytes");
            }
        }
    }

    private record DecoderKey(int dataShards, int parityShards, BitSet inputs, BitSet outputs) {}
}
