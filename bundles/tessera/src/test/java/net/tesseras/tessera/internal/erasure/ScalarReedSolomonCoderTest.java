package net.tesseras.tessera.internal.erasure;

/** Every coder test again on the scalar kernel (the other run uses the vector one when the JVM has it). */
class ScalarReedSolomonCoderTest extends ReedSolomonCoderTest {

    ScalarReedSolomonCoderTest() {
        coder = ReedSolomonCoder.scalar();
    }
}
