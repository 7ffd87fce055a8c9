package net.tesseras.identity.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import net.tesseras.identity.NodeIds;
import net.tesseras.identity.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityFilesTest {

    @TempDir
    Path dir;

    @Test
    void theNodeIdIsTheBlake3OfKeyAndNonceWithItsProofOfWork() {
        KeyPairIdentity identity = KeyPairIdentity.generate();
        byte[] digest = NodeIds.digest(identity.publicKey(), identity.nonce());
        assertArrayEquals(Arrays.copyOf(digest, NodeId.LENGTH), identity.nodeId().toBytes());
        assertEquals(0, digest[0], "8 leading zero bits");
        assertEquals(32, identity.publicKey().length);
        for (long earlier = 0; earlier < identity.nonce(); earlier++) {
            assertFalse(NodeId.meetsDifficulty(NodeIds.digest(identity.publicKey(), earlier)),
                    "the nonce is the first that meets the difficulty");
        }
    }

    @Test
    void signaturesVerifyAndAreBoundToTheMessage() {
        KeyPairIdentity identity = KeyPairIdentity.generate();
        byte[] message = "attestation".getBytes();
        byte[] signature = identity.sign(message);
        assertEquals(64, signature.length);
        assertTrue(identity.verify(message, signature));
        assertFalse(identity.verify("attestatioN".getBytes(), signature));
    }

    @Test
    void createdOnceOwnerOnlyAndTheSameOnEveryLoad() throws IOException {
        IdentityFiles files = new IdentityFiles(dir.resolve("identity"));
        KeyPairIdentity created = files.loadOrCreate();
        KeyPairIdentity loaded = new IdentityFiles(dir.resolve("identity")).loadOrCreate();
        assertEquals(created.nodeId(), loaded.nodeId());
        assertArrayEquals(created.publicKey(), loaded.publicKey());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("identity/node.key"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("identity"))));
    }

    @Test
    void aDamagedIdentityIsRefusedWithAReason() throws IOException {
        IdentityFiles files = new IdentityFiles(dir.resolve("identity"));
        files.create();
        Path properties = dir.resolve("identity/node.properties");
        Files.writeString(properties, Files.readString(properties).replaceAll("nonce=\\d+", "nonce=999999999"));
        IOException e = assertThrows(IOException.class, files::load);
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    }
}
