package net.tesseras.identity.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Properties;

/**
 * The identity on disk, in a directory only the node's user can enter: {@code node.key} (PKCS#8,
 * owner-only), {@code node.pub} (X.509) and {@code node.properties} (nonce and NodeId, for people
 * and for checking). Created once; every later start loads and checks it.
 */
final class IdentityFiles {

    private final Path directory;

    IdentityFiles(Path directory) {
        this.directory = directory;
    }

    boolean exists() {
        return Files.exists(directory.resolve("node.key"));
    }

    Path directory() {
        return directory;
    }

    KeyPairIdentity loadOrCreate() throws IOException {
        return exists() ? load() : create();
    }

    KeyPairIdentity create() throws IOException {
        Files.createDirectories(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        KeyPairIdentity identity = KeyPairIdentity.generate();
        write("node.pub", identity.keys().getPublic().getEncoded(), "rw-r--r--");
        Properties properties = new Properties();
        properties.setProperty("node.id", identity.nodeId().toHex());
        properties.setProperty("nonce", Long.toString(identity.nonce()));
        Path temp = directory.resolve("node.properties.tmp");
        try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            properties.store(out, "Tesseras node identity: NodeId = BLAKE3(public key || nonce u64 LE)[0..20)");
        }
        Files.move(temp, directory.resolve("node.properties"), StandardCopyOption.ATOMIC_MOVE);
        // The private key last: its presence is what marks the identity as created.
        write("node.key", identity.keys().getPrivate().getEncoded(), "rw-------");
        return identity;
    }

    KeyPairIdentity load() throws IOException {
        try {
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            KeyPair keys = new KeyPair(
                    factory.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(directory.resolve("node.pub")))),
                    factory.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(directory.resolve("node.key")))));
            Properties properties = new Properties();
            try (Reader in = Files.newBufferedReader(directory.resolve("node.properties"), StandardCharsets.UTF_8)) {
                properties.load(in);
            }
            KeyPairIdentity identity = new KeyPairIdentity(keys, Long.parseLong(properties.getProperty("nonce").trim()));
            byte[] probe = "tesseras identity check".getBytes(StandardCharsets.US_ASCII);
            if (!identity.verify(probe, identity.sign(probe))) {
                throw new IOException("node.key and node.pub in " + directory + " are not a key pair");
            }
            String recorded = properties.getProperty("node.id", "").trim();
            if (!recorded.equals(identity.nodeId().toHex())) {
                throw new IOException("node.properties in " + directory + " records NodeId " + recorded
                        + " but the key and nonce give " + identity.nodeId());
            }
            return identity;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("the node identity in " + directory + " is damaged: " + e.getMessage(), e);
        }
    }

    private void write(String name, byte[] bytes, String permissions) throws IOException {
        Path temp = directory.resolve(name + ".tmp");
        Files.write(temp, bytes);
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(permissions));
        Files.move(temp, directory.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }
}
