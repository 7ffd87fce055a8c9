package net.tesseras.replication.internal.repair;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.testkit.TestIdentity;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;
import org.junit.jupiter.api.Test;

class GetPlanHandlerTest {

    private final TestIdentity creator = new TestIdentity();
    private final SignedFragmentPlan plan = SignedFragmentPlan.sign(
            net.tesseras.tessera.FragmentPlan.of(Fixtures.TESSERA, 100_000, java.util.List.of(Fixtures.hash(9)),
                    creator.publicKey()), creator::sign);
    private final GetPlanHandler handler = new GetPlanHandler(h -> h.equals(Fixtures.TESSERA) ? Optional.of(plan)
            : Optional.empty());

    private PeerRequest request(PeerMessage message) {
        return new PeerRequest(Fixtures.node(1), new InetSocketAddress("127.0.0.1", 4000), message);
    }

    @Test
    void aKnownPlanIsAnsweredWithItsSignedBytes() throws Exception {
        PeerMessage answer = handler.handle(request(GetPlanHandler.request(Fixtures.TESSERA)));

        assertEquals(MessageTypes.PLAN, answer.type());
        byte[] bytes = new byte[answer.payload().remaining()];
        answer.payload().duplicate().get(bytes);
        assertArrayEquals(plan.toBytes(), bytes);
        assertEquals(plan, SignedFragmentPlan.parse(bytes));
        assertEquals(32, GetPlanHandler.request(Fixtures.TESSERA).payload().remaining());
        assertEquals(MessageTypes.GET_PLAN, GetPlanHandler.request(Fixtures.TESSERA).type());
    }

    @Test
    void anUnknownTesseraIsNotFound() {
        PeerException e = assertThrows(PeerException.class,
                () -> handler.handle(request(GetPlanHandler.request(Fixtures.hash(2)))));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
        assertTrue(e.getMessage().contains(Fixtures.hash(2).toHex()), e.getMessage());
    }

    @Test
    void aPayloadThatIsNotOneHashIsMalformed() {
        for (int length : new int[] {0, 31, 33, 64}) {
            PeerException e = assertThrows(PeerException.class, () -> handler.handle(request(
                    new PeerMessage(MessageTypes.GET_PLAN, ByteBuffer.allocate(length)))));
            assertEquals(ErrorCode.MALFORMED, e.code());
            assertTrue(e.getMessage().contains(length + " bytes"), e.getMessage());
        }
    }
}
