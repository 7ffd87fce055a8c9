package net.tesseras.storage.internal.fs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentInfo;
import org.junit.jupiter.api.Test;

class RecoveredParityTest {

    private static final ContentHash T = Blake3Hashing.hash(new byte[] {1});

    @Test
    void survivingRowsDecide() {
        List<FragmentInfo> rows = List.of(row(3, false), row(10, true));
        assertTrue(RecoveredParity.guess(12, rows, new TreeSet<>()), "above a known parity index");
        assertFalse(RecoveredParity.guess(2, rows, new TreeSet<>()), "below a known data index");
    }

    @Test
    void withoutRowsTheTiersDecide() {
        TreeSet<Integer> medium = new TreeSet<>(List.of(0, 5, 17, 23));
        assertFalse(RecoveredParity.guess(5, List.of(), medium));
        assertTrue(RecoveredParity.guess(17, List.of(), medium));
        TreeSet<Integer> large = new TreeSet<>(List.of(0, 17, 30, 50));
        assertFalse(RecoveredParity.guess(17, List.of(), large), "16..47 are data in the 48 + 24 layout");
        assertTrue(RecoveredParity.guess(50, List.of(), large));
        assertFalse(RecoveredParity.guess(0, List.of(), new TreeSet<>(List.of(0))));
    }

    private static FragmentInfo row(int index, boolean parity) {
        return new FragmentInfo(new FragmentId(T, index, parity, T), 1, Instant.EPOCH, Optional.empty());
    }
}
