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
 *
 * <p>Never re-created behind the operator's back: a new key pair means a new NodeId, and peers
 * hold this node's fragments under the old one. So a key pair is created only where there is no
 * trace of an identity: no {@code node.pub} or {@code node.properties} beside a missing
 * {@code node.key}, and no record ({@code node.id} in the data directory, written once the identity
 * exists) of an identity kept in another directory.
 */
final class IdentityFiles {

    private final Path directory;
    private final Path record;

    /** Key files in {@code directory}; the record of the node's identity beside it. */
    IdentityFiles(Path directory) {
        this(directory, directory.toAbsolutePath().resolveSibling("node.id"));
    }

    /**
     * @param directory where the key files live
     * @param record the file that records this node's NodeId and key directory ({@code data/node.id})
     */
    IdentityFiles(Path directory, Path record) {
        this.directory = directory;
        this.record = record;
    }

    boolean exists() {
        return Files.exists(directory.resolve("node.key"));
    }

    Path directory() {
        return directory;
    }

    /**
     * Loads the identity, or creates it on a node that never had one. A missing {@code node.key}
     * where the node had an identity is an error naming the fix; nothing is overwritten.
     */
    KeyPairIdentity loadOrCreate() throws IOException {
        if (exists()) {
            return loadAndRemember();
        }
        refuseIfTheNodeHadAnIdentity();
        return createAndRemember();
    }

    /** Loads the existing identity and records it in {@code data/node.id}. */
    KeyPairIdentity loadAndRemember() throws IOException {
        KeyPairIdentity identity = load();
        remember(identity);
        return identity;
    }

    /** Creates a new identity and records it in {@code data/node.id}; only after {@link #refuseIfTheNodeHadAnIdentity()}. */
    KeyPairIdentity createAndRemember() throws IOException {
        KeyPairIdentity identity = create();
        remember(identity);
        return identity;
    }

    /** The file that records this node's NodeId and key directory. */
    Path record() {
        return record;
    }

    /** Fails, naming the fix, when the files show that this node had an identity (see the class comment). */
    void refuseIfTheNodeHadAnIdentity() throws IOException {
        Path pub = directory.resolve("node.pub");
        Path properties = directory.resolve("node.properties");
        if (Files.exists(pub) || Files.exists(properties)) {
            throw new IOException("node.key is missing in " + directory + " but " + (Files.exists(pub) ? "node.pub" : "node.properties")
                    + " is there: this node's identity (NodeId " + recordedNodeId(properties) + ") cannot be recreated. "
                    + "Stop the node and restore node.key from a backup into " + directory + "; only to start as a new node "
                    + "with a new NodeId, delete node.pub and node.properties there and " + record + ". Nothing was changed");
        }
        if (Files.exists(record)) {
            Properties recorded = read(record);
            String where = recorded.getProperty("directory", "?");
            throw new IOException("no node.key in " + directory + ", but this node's identity (NodeId "
                    + recorded.getProperty("node.id", "?") + ") lives in " + where + " (recorded in " + record + "). Set directory in "
                    + "etc/net.tesseras.identity.cfg back to it, or stop the node and move or restore its key files into "
                    + directory + "; only to start as a new node with a new NodeId, delete " + record + ". Nothing was created");
        }
    }

    private static String recordedNodeId(Path properties) {
        try {
            return read(properties).getProperty("node.id", "unknown").trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Records the NodeId and where its keys are, so that a key directory that moves or vanishes is noticed. */
    private void remember(KeyPairIdentity identity) throws IOException {
        Properties p = new Properties();
        p.setProperty("node.id", identity.nodeId().toHex());
        p.setProperty("directory", directory.toAbsolutePath().normalize().toString());
        if (Files.exists(record) && read(record).equals(p)) {
            return;
        }
        Files.createDirectories(record.toAbsolutePath().getParent());
        Path temp = record.resolveSibling(record.getFileName() + ".tmp");
        try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            p.store(out, "This node's identity and where its key files are; see docs/OPERATOR.md before changing");
        }
        Files.move(temp, record, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Properties read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        return p;
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
