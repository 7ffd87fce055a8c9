package net.tesseras.launcher;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Entry point of the node's JVM. {@code bin/tesseras} passes the installation directory and the
 * data directory as system properties {@code tesseras.home} and {@code tesseras.data}.
 *
 * <ul>
 *   <li>{@code run} starts the node in the foreground, with a Gogo console when a terminal is attached;
 *   <li>{@code run --background} starts it without a console, for {@code bin/tesseras start};
 *   <li>{@code shell <command>} runs one command in the running node (see {@link ShellClient}).
 * </ul>
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("tesseras.home", ".")).toAbsolutePath().normalize();
        Path data = Path.of(System.getProperty("tesseras.data", home.resolve("data").toString())).toAbsolutePath().normalize();
        String mode = args.length == 0 ? "run" : args[0];
        switch (mode) {
            case "run" -> {
                boolean background = Arrays.asList(args).contains("--background");
                System.exit(new NodeLauncher(home, data, !background && System.console() != null, background).run());
            }
            case "shell" -> {
                String command = String.join(" ", Arrays.copyOfRange(args, 1, args.length));
                System.exit(ShellClient.runFromCommandLine(ShellClient.socketOf(data), command));
            }
            default -> {
                System.err.println("unknown mode '" + mode + "' (expected run or shell)");
                System.exit(2);
            }
        }
    }
}
