package net.tesseras.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NodeIdTest {

    @Test
    void roundTripsThroughHex() {
        byte[] bytes = new byte[20];
        bytes[1] = (byte) 0xab;
        NodeId id = NodeId.of(bytes);
        assertEquals("00ab000000000000000000000000000000000000", id.toHex());
        assertEquals(id, NodeId.parse(id.toHex()));
    }

    @Test
    void requiresTwentyBytesAndTheProofOfWork() {
        assertThrows(IllegalArgumentException.class, () -> NodeId.of(new byte[19]));
        byte[] noWork = new byte[20];
        noWork[0] = 1;
        assertThrows(IllegalArgumentException.class, () -> NodeId.of(noWork));
        assertThrows(IllegalArgumentException.class, () -> NodeId.parse("00ab"));
        assertThrows(IllegalArgumentException.class, () -> NodeId.parse("zz" + "00".repeat(19)));
    }
}
