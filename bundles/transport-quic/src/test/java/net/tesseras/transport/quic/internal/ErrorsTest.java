package net.tesseras.transport.quic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CompletionException;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.storage.StoreUnavailableException;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import org.junit.jupiter.api.Test;

class ErrorsTest {

    @Test
    void aStoreThatIsNotAvailableIsAnsweredUnavailableWithItsMessage() {
        PeerException e = Errors.of(new CompletionException(new StoreUnavailableException("backend sqlite is missing")));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertEquals("backend sqlite is missing", e.getMessage());
    }

    @Test
    void anyOtherStoreFailureStaysInternal() {
        assertEquals(ErrorCode.INTERNAL, Errors.of(new FragmentStoreException("disk error")).code());
    }
}
