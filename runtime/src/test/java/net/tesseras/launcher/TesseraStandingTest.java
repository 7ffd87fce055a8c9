package net.tesseras.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** ReplicationNetworkIT reads tesseras:status as printed; a changed format fails here in a second, not after minutes of nodes. */
class TesseraStandingTest {

    private static final String DEGRADED = """
            tessera     be0e31ab4b7986b412a31523c25f465d710d9ed103ce80bc10513989bb0c37c3
            health      Degraded
            fragments   24 placed, 23 live of 24 (16 needed)
            holders     3 peers
            survives    1 peer losses
            last repair 2026-12-01 01:09:39Z
            PEER                                      FRAGMENTS        LIVE             LAST PROOF            RESULT
            ----------------------------------------  ---------------  ---------------  --------------------  ------------------------------
            00550a15d48449cbd1e1a3dd5885ef918295fde0  0,3,8,10,16,17   0,3,8,10,16      2026-12-01 01:09:39Z  failed: fragment 17 did not verify
            008b8f6d1954f5fcc34a0aea16d5d35c7f8eb159  1,4,9,11,18,21   1,4,9,11,18,21   2026-12-01 01:09:39Z  passed: attested 6 fragments
            00aaf3533e0253cd6eef33305ebc61ad9e5319f3  2,5,6,7,12,13    -                never                 none
            """;

    @Test
    void readsTheCountsAndEveryHolderRow() {
        TesseraStanding status = TesseraStanding.parse(DEGRADED);
        assertTrue(status.is("Degraded"));
        assertFalse(status.healthyAndWhole());
        assertEquals(List.of(24, 23, 24, 16, 3, 1),
                List.of(status.placed(), status.live(), status.total(), status.needed(), status.holderCount(), status.survives()));
        assertEquals(3, status.holders().size());
        TesseraStanding.Holder failed = status.holders().get("00550a15d48449cbd1e1a3dd5885ef918295fde0");
        assertTrue(failed.failed(), failed.result());
        assertEquals(new TreeSet<>(List.of(0, 3, 8, 10, 16, 17)), failed.fragments());
        assertEquals(new TreeSet<>(List.of(0, 3, 8, 10, 16)), failed.live());
        assertTrue(status.holders().get("00aaf3533e0253cd6eef33305ebc61ad9e5319f3").live().isEmpty());
        assertEquals(2, status.liveHolders().size(), "a holder that proved nothing is not live");
        assertEquals(11, status.liveIndices().size());
    }

    @Test
    void aHealthyStatusWithEveryFragmentLiveIsWhole() {
        TesseraStanding status = TesseraStanding.parse(DEGRADED.replace("Degraded", "Healthy").replace("23 live", "24 live"));
        assertTrue(status.healthyAndWhole());
    }

    @Test
    void anErrorInsteadOfAStatusParsesToNothing() {
        TesseraStanding status = TesseraStanding.parse("Error: this node neither holds nor publishes tessera 00ff\n");
        assertEquals("", status.health());
        assertEquals(-1, status.live());
        assertTrue(status.holders().isEmpty());
        assertFalse(status.healthyAndWhole());
    }
}
