package net.tesseras.tessera;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.UnaryOperator;
import net.tesseras.identity.Ed25519;

/**
 * A {@link FragmentPlan} with its creator's Ed25519 signature over {@link FragmentPlan#toBytes()}.
 *
 * <p>Stored and sent as one text ({@link #toBytes()}): the plan's canonical bytes, an empty line,
 * then the signature in hex.
 * <pre>
 * TESSERA FRAGMENT PLAN v1
 * …
 *   23  blake3:&lt;64 hex&gt;
 *
 * SIGNATURE:
 *   ed25519:&lt;128 hex&gt;
 * </pre>
 *
 * @param plan the plan
 * @param signature the 64-byte Ed25519 signature (the accessor returns a copy)
 */
public record SignedFragmentPlan(FragmentPlan plan, byte[] signature) {

    private static final HexFormat HEX = HexFormat.of();
    private static final String SIGNATURE_PREFIX = "\nSIGNATURE:\n  ed25519:";
    private static final int SIGNATURE_TAIL = SIGNATURE_PREFIX.length() + Ed25519.SIGNATURE_LENGTH * 2 + 1;

    /** @throws IllegalArgumentException when the signature is not 64 bytes */
    public SignedFragmentPlan {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(signature, "signature");
        if (signature.length != Ed25519.SIGNATURE_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 signature is " + Ed25519.SIGNATURE_LENGTH
                    + " bytes, not " + signature.length);
        }
        signature = signature.clone();
    }

    /**
     * Signs {@code plan} with {@code signer}, which must hold the plan's creator key (for example
     * {@code identity::sign} of the creating node).
     *
     * @throws IllegalArgumentException when the signer gives no 64-byte signature or one that the
     *     plan's creator key does not verify (the signer is someone else)
     */
    public static SignedFragmentPlan sign(FragmentPlan plan, UnaryOperator<byte[]> signer) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(signer, "signer");
        byte[] signature = signer.apply(plan.toBytes());
        if (signature == null) {
            throw new IllegalArgumentException("the signer returned no signature for the plan of " + plan.tessera());
        }
        SignedFragmentPlan signed = new SignedFragmentPlan(plan, signature);
        if (!signed.verifies()) {
            throw new IllegalArgumentException("the signer's key is not the plan's creator key "
                    + HEX.formatHex(plan.creatorKey()) + ": the signature does not verify");
        }
        return signed;
    }

    /** A copy of the 64-byte signature. */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** Whether the signature is the plan creator's over the plan's canonical bytes. */
    public boolean verifies() {
        return Ed25519.verify(plan.creatorKey(), plan.toBytes(), signature);
    }

    /** The plan and its signature as one text, for storage and transfer. */
    public byte[] toBytes() {
        String tail = SIGNATURE_PREFIX + HEX.formatHex(signature) + "\n";
        byte[] planBytes = plan.toBytes();
        byte[] tailBytes = tail.getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(planBytes, planBytes.length + tailBytes.length);
        System.arraycopy(tailBytes, 0, all, planBytes.length, tailBytes.length);
        return all;
    }

    /**
     * Reads {@link #toBytes()}'s text. It does not check the signature: call {@link #verifies()}.
     *
     * @throws FragmentPlanFormatException when the text is not a canonical plan followed by the signature block
     */
    public static SignedFragmentPlan parse(byte[] bytes) throws FragmentPlanFormatException {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length <= SIGNATURE_TAIL) {
            throw new FragmentPlanFormatException(0, "is too short to hold a plan and its signature ("
                    + bytes.length + " bytes)");
        }
        int split = bytes.length - SIGNATURE_TAIL;
        String tail = new String(bytes, split, SIGNATURE_TAIL, StandardCharsets.ISO_8859_1);
        String hex = tail.substring(SIGNATURE_PREFIX.length(), tail.length() - 1);
        boolean lowerHex = hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
        if (!tail.startsWith(SIGNATURE_PREFIX) || !tail.endsWith("\n") || !lowerHex) {
            throw new FragmentPlanFormatException(0, "does not end with the signature block"
                    + " (an empty line, 'SIGNATURE:', then '  ed25519:' and 128 lowercase hex characters)");
        }
        FragmentPlan plan = FragmentPlan.parse(Arrays.copyOf(bytes, split));
        return new SignedFragmentPlan(plan, HEX.parseHex(hex));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedFragmentPlan other && plan.equals(other.plan) && Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return plan.hashCode() * 31 + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "SignedFragmentPlan[" + plan + ", signature " + HEX.formatHex(signature, 0, 8) + "…]";
    }
}
