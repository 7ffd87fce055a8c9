package net.tesseras.shell.internal;

import java.io.PrintStream;

/**
 * The arguments a {@code tesseras:*} command takes: answers {@code --help} (or {@code -h}) with the
 * command's usage, and turns a missing or extra argument into a usage line instead of Gogo's
 * "Cannot coerce" message.
 */
final class Usage {

    private final String synopsis;
    private final int min;
    private final int max;
    private final String[] explanation;

    /**
     * @param synopsis for example {@code tesseras:get <hash> <index> <file>}
     * @param explanation lines printed under the synopsis by {@code --help}
     */
    Usage(String synopsis, int min, int max, String... explanation) {
        this.synopsis = synopsis;
        this.min = min;
        this.max = max;
        this.explanation = explanation;
    }

    /**
     * The arguments, checked; or null when help was asked for, after printing it to {@code out}.
     *
     * @throws IllegalArgumentException naming the usage when an argument is missing or extra
     */
    String[] parse(PrintStream out, String[] args) {
        String[] given = args == null ? new String[0] : args;
        for (String arg : given) {
            if ("--help".equals(arg) || "-h".equals(arg)) {
                out.print(text());
                return null;
            }
        }
        if (given.length < min) {
            throw new IllegalArgumentException((given.length == 0 ? "missing argument" : "missing arguments")
                    + "; usage: " + synopsis + "   (" + name() + " --help explains)");
        }
        if (given.length > max) {
            throw new IllegalArgumentException("too many arguments (" + given.length + "); usage: " + synopsis
                    + "   (" + name() + " --help explains; quote a path that contains spaces)");
        }
        return given;
    }

    String text() {
        StringBuilder s = new StringBuilder("usage: ").append(synopsis).append('\n');
        for (String line : explanation) {
            s.append("  ").append(line).append('\n');
        }
        return s.toString();
    }

    private String name() {
        int space = synopsis.indexOf(' ');
        return space < 0 ? synopsis : synopsis.substring(0, space);
    }

    /** A fragment index typed by a person: a number from 0 to 65535, or a clear error. */
    static int index(String text) {
        int index;
        try {
            index = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            if (text.trim().matches("[+-]?[0-9]+")) {
                throw new IllegalArgumentException("fragment index " + text.trim() + " is out of range (0 to 65535)");
            }
            throw new IllegalArgumentException("fragment index '" + text + "' is not a number from 0 to 65535");
        }
        if (index < 0 || index > 65535) {
            throw new IllegalArgumentException("fragment index " + text + " is out of range (0 to 65535)");
        }
        return index;
    }
}
