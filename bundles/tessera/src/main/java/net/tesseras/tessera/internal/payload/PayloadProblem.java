package net.tesseras.tessera.internal.payload;

import java.util.Objects;

/**
 * One thing wrong with a payload.
 *
 * @param part the entry at fault ({@code MANIFEST}, {@code identity/ed25519.sig}, a media path,
 *     a meta.json path) or {@code payload} for the archive as a whole
 * @param problem what is wrong, for a person
 */
public record PayloadProblem(String part, String problem) {

    public PayloadProblem {
        Objects.requireNonNull(part, "part");
        Objects.requireNonNull(problem, "problem");
    }

    @Override
    public String toString() {
        return part + ": " + problem;
    }
}
