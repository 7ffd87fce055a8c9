package net.tesseras.tessera.internal.erasure;

/**
 * Chooses the coding kernel: the {@link VectorCodingKernel SIMD one} when the JVM has the
 * incubating Vector API (started with {@code --add-modules jdk.incubator.vector} and, inside
 * OSGi, the framework exporting {@code jdk.incubator.vector}), the {@link ScalarCodingKernel
 * scalar one} otherwise. The bundle imports the package optionally, so it resolves and works
 * without it. The system property {@value #PROPERTY} set to {@code scalar} keeps the scalar kernel
 * even when vectors are there (for a CPU whose JIT does not compile byte shuffles well).
 */
final class CodingKernels {

    static final String PROPERTY = "net.tesseras.erasure.kernel";

    /** Which kernel {@link #create} makes. */
    enum Kind {
        SCALAR, VECTOR;

        /** The vector kernel if this JVM has the Vector API and it is not turned off, else scalar. */
        static Kind best() {
            return !"scalar".equalsIgnoreCase(System.getProperty(PROPERTY)) && VectorApi.AVAILABLE ? VECTOR : SCALAR;
        }
    }

    private CodingKernels() {}

    static CodingKernel create(Kind kind, GfMatrix matrix) {
        if (kind == Kind.VECTOR) {
            if (!VectorApi.AVAILABLE) {
                throw new IllegalStateException("the Vector API is not available in this JVM: start it with "
                        + "--add-modules jdk.incubator.vector (and export the package from the OSGi framework)");
            }
            return new VectorCodingKernel(matrix);
        }
        return new ScalarCodingKernel(matrix);
    }

    /** A readable name of the kernel of this kind, for logs and benchmarks. */
    static String describe(Kind kind) {
        return kind == Kind.VECTOR ? "vector (" + VectorCodingKernel.bits() + "-bit)" : "scalar";
    }

    /**
     * Probes for the Vector API without linking {@link VectorCodingKernel} when it is missing: the
     * class is only touched once the module's classes load through this bundle's class loader.
     */
    private static final class VectorApi {
        static final boolean AVAILABLE = probe();

        private static boolean probe() {
            try {
                Class.forName("jdk.incubator.vector.ByteVector", false, CodingKernels.class.getClassLoader());
                return VectorCodingKernel.usable();
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }
    }
}
