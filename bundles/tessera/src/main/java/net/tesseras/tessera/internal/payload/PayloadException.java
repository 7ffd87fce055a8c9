package net.tesseras.tessera.internal.payload;

import java.util.List;

/** A payload that cannot be exported: a refused destination, or problems found in the payload, which are listed. */
public class PayloadException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<PayloadProblem> problems;

    public PayloadException(String message) {
        this(message, List.of());
    }

    public PayloadException(String message, List<PayloadProblem> problems) {
        super(problems.isEmpty() ? message
                : message + ":\n  " + String.join("\n  ", problems.stream().map(PayloadProblem::toString).toList()));
        this.problems = List.copyOf(problems);
    }

    /** What is wrong with the payload; empty when the destination was the problem. */
    public List<PayloadProblem> problems() {
        return problems;
    }
}
