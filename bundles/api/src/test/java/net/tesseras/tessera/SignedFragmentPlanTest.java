package net.tesseras.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignedFragmentPlanTest {

    private static final TestKeys CREATOR = FragmentPlanTest.CREATOR;

    private static SignedFragmentPlan signed() {
        return SignedFragmentPlan.sign(FragmentPlanTest.medium(), CREATOR::sign);
    }

    @Test
    void aSignedPlanVerifiesAndRoundTrips() throws FragmentPlanFormatException {
        SignedFragmentPlan signed = signed();
        assertTrue(signed.verifies());
        assertEquals(64, signed.signature().length);
        byte[] bytes = signed.toBytes();
        SignedFragmentPlan parsed = SignedFragmentPlan.parse(bytes);
        assertEquals(signed, parsed);
        assertTrue(parsed.verifies());
        assertArrayEquals(bytes, parsed.toBytes());
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(text.startsWith(new String(signed.plan().toBytes(), StandardCharsets.UTF_8) + "\nSIGNATURE:\n  ed25519:"),
                text);
    }

    @Test
    void everyFlippedSignatureByteFailsVerification() {
        SignedFragmentPlan signed = signed();
        for (int i = 0; i < 64; i++) {
            byte[] signature = signed.signature();
            signature[i] ^= 0x01;
            assertFalse(new SignedFragmentPlan(signed.plan(), signature).verifies(), "byte " + i);
        }
    }

    @Test
    void aTamperedPlanFailsVerificationOrParsing() {
        byte[] bytes = signed().toBytes();
        int planLength = signed().plan().toBytes().length;
        int verifiedFalse = 0;
        for (int i = 0; i < planLength; i++) {
            byte[] tampered = bytes.clone();
            tampered[i] ^= 0x01;
            try {
                assertFalse(SignedFragmentPlan.parse(tampered).verifies(), "byte " + i);
                verifiedFalse++;
            } catch (FragmentPlanFormatException e) {
                // Most flips make the text non-canonical or inconsistent: refused before any signature check.
            }
        }
        // Flipping a hex digit of a checksum, the tessera or the key keeps the plan parseable.
        assertTrue(verifiedFalse > 24 * 64 / 2, "only " + verifiedFalse + " flips parsed");
    }

    @Test
    void aSignerWithAnotherKeyIsRefused() {
        TestKeys someoneElse = TestKeys.fromSeed("00".repeat(32));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SignedFragmentPlan.sign(FragmentPlanTest.medium(), someoneElse::sign));
        assertTrue(e.getMessage().contains("creator key"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SignedFragmentPlan.sign(FragmentPlanTest.medium(), m -> new byte[63]));
        assertThrows(IllegalArgumentException.class, () -> new SignedFragmentPlan(FragmentPlanTest.medium(), new byte[65]));
    }

    @Test
    void aBrokenSignatureBlockIsRefused() {
        String text = new String(signed().toBytes(), StandardCharsets.UTF_8);
        refused(text.replace("SIGNATURE:", "SIGNATURES"));
        refused(text.replace("ed25519:", "ed25518:"));
        refused(text.substring(0, text.length() - 1));
        refused(text.substring(0, text.length() - 3) + "G" + text.substring(text.length() - 2));
        refused(text.replace("\n\nSIGNATURE", "\nSIGNATURE") + "0");
        refused("short");
    }

    private static void refused(String text) {
        assertThrows(FragmentPlanFormatException.class, () -> SignedFragmentPlan.parse(text.getBytes(StandardCharsets.UTF_8)));
    }
}
