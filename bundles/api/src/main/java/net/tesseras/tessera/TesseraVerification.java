package net.tesseras.tessera;

import java.util.List;
import java.util.Objects;
import net.tesseras.core.ContentHash;

/** The result of {@link TesseraService#verify}: one line per part checked, and whether all passed. */
public record TesseraVerification(ContentHash hash, List<Check> checks) {

    public TesseraVerification {
        Objects.requireNonNull(hash, "hash");
        checks = List.copyOf(checks);
    }

    /** True when every check passed. */
    public boolean passed() {
        return checks.stream().allMatch(Check::passed);
    }

    /**
     * One part of a tessera checked.
     *
     * @param part what was checked, for example "manifest signature" or "fragment 3"
     * @param passed whether it is right
     * @param detail what was found, and for a failure what is wrong
     */
    public record Check(String part, boolean passed, String detail) {

        public Check {
            Objects.requireNonNull(part, "part");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
