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

    @Test
    void aMissingKeyBesideAPublicKeyStopsTheIdentityAndNothingIsOverwritten() throws IOException {
        IdentityFiles files = new IdentityFiles(dir.resolve("identity"));
        KeyPairIdentity created = files.create();
        byte[] publicKey = Files.readAllBytes(dir.resolve("identity/node.pub"));
        Files.delete(dir.resolve("identity/node.key"));

        IOException e = assertThrows(IOException.class, files::loadOrCreate);
        assertTrue(e.getMessage().contains("node.key is missing"), e.getMessage());
        assertTrue(e.getMessage().contains(created.nodeId().toHex()), "names the NodeId that would be lost: " + e.getMessage());
        assertTrue(e.getMessage().contains("restore node.key from a backup"), e.getMessage());
        assertArrayEquals(publicKey, Files.readAllBytes(dir.resolve("identity/node.pub")), "node.pub is never overwritten");
        assertFalse(Files.exists(dir.resolve("identity/node.key")), "no new key was made");
    }

    @Test
    void noNewIdentityWhereTheRecordSaysTheNodeHasOneElsewhere() throws IOException {
        Path record = dir.resolve("node.id");
        KeyPairIdentity created = new IdentityFiles(dir.resolve("identity"), record).loadOrCreate();
        assertTrue(Files.readString(record).contains(created.nodeId().toHex()));

        IdentityFiles typo = new IdentityFiles(dir.resolve("identiy"), record);
        IOException e = assertThrows(IOException.class, typo::loadOrCreate);
        assertTrue(e.getMessage().contains(dir.resolve("identity").toString()), "names where the keys are: " + e.getMessage());
        assertTrue(e.getMessage().contains("etc/net.tesseras.identity.cfg"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("identiy/node.key")), "nothing was created");
    }

    @Test
    void anIdentityFromBeforeTheRecordGetsOneOnItsNextLoad() throws IOException {
        Path record = dir.resolve("node.id");
        KeyPairIdentity created = new IdentityFiles(dir.resolve("identity"), record).create();
        assertFalse(Files.exists(record));
        new IdentityFiles(dir.resolve("identity"), record).loadOrCreate();
        assertTrue(Files.readString(record).contains(created.nodeId().toHex()));
    }
}
