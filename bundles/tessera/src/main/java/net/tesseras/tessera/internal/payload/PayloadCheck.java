package net.tesseras.tessera.internal.payload;

import java.util.List;
import java.util.Optional;
import net.tesseras.tessera.Manifest;

/**
 * What {@link PayloadReader#check} found: the manifest if it could be read, whether its signature
 * verifies, the memories as their meta.json describe them, and every problem, each naming its part.
 *
 * @param manifest the manifest, empty when MANIFEST is missing or unreadable
 * @param signatureValid whether identity/ed25519.sig verifies MANIFEST with the creator's key
 * @param memories the memories whose meta.json could be read, in manifest order
 * @param problems everything wrong; empty when the payload is sound
 */
public record PayloadCheck(Optional<Manifest> manifest, boolean signatureValid, List<StoredMemory> memories,
        List<PayloadProblem> problems) {

    public PayloadCheck {
        memories = List.copyOf(memories);
        problems = List.copyOf(problems);
    }

    /** Whether the payload is sound: signed by its creator, every file as listed, nothing missing or extra. */
    public boolean ok() {
        return problems.isEmpty();
    }

    /** Whether nothing is wrong with the entry at {@code path} (for example a manifest entry's path). */
    public boolean partOk(String path) {
        return problems.stream().noneMatch(p -> p.part().equals(path));
    }

    /** The problems as lines a person reads, one per problem. */
    public String describe() {
        return String.join("\n", problems.stream().map(PayloadProblem::toString).toList());
    }
}
