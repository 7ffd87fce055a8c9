package net.tesseras.shell.internal;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.apache.felix.service.command.Job;
import org.osgi.framework.BundleContext;

/**
 * Stand-ins for the Gogo runtime and the framework, enough to drive the local shell server: a
 * session runs a few fixed commands and keeps its variables like Gogo's.
 */
final class FakeGogo {

    /** Started when a "block" command runs; counted down when it notices its interruption. */
    final CountDownLatch blocking = new CountDownLatch(1);
    final CountDownLatch interrupted = new CountDownLatch(1);
    final Map<String, Object> lastVariables = new ConcurrentHashMap<>();

    static BundleContext context(Path data) {
        return (BundleContext) Proxy.newProxyInstance(FakeGogo.class.getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> method.getName().equals("getProperty") && "tesseras.data".equals(args[0])
                        ? data.toString() : null);
    }

    static LocalShellServer.Config config(String socketPath, int maxConcurrent) {
        return (LocalShellServer.Config) Proxy.newProxyInstance(FakeGogo.class.getClassLoader(),
                new Class<?>[] {LocalShellServer.Config.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "socket_path" -> socketPath;
                    case "max_concurrent" -> maxConcurrent;
                    case "annotationType" -> LocalShellServer.Config.class;
                    case "hashCode" -> 0;
                    case "equals" -> proxy == args[0];
                    default -> "Config";
                });
    }

    /** The raw properties of a configuration, as SCR hands them to the component. */
    static Map<String, Object> properties(String socketPath, int maxConcurrent) {
        return Map.of("socket.path", socketPath, "max.concurrent", maxConcurrent);
    }

    CommandProcessor processor() {
        return (CommandProcessor) Proxy.newProxyInstance(FakeGogo.class.getClassLoader(), new Class<?>[] {CommandProcessor.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("createSession") && args.length == 3) {
                        return session(new PrintStream((OutputStream) args[1], true, StandardCharsets.UTF_8),
                                new PrintStream((OutputStream) args[2], true, StandardCharsets.UTF_8));
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private CommandSession session(PrintStream out, PrintStream err) {
        Map<String, Object> variables = new HashMap<>();
        // Like Gogo's felix:start: a failure is only the text it returns.
        variables.put("felix:start", (Function) (session, arguments) ->
                "67".equals(String.valueOf(arguments.get(0))) ? "org.osgi.framework.BundleException: Unable to resolve 67\n" : "");
        Path[] cwd = {Path.of("/node/dir")};
        List<Job> jobs = new ArrayList<>();
        CommandSession[] self = new CommandSession[1];
        self[0] = (CommandSession) Proxy.newProxyInstance(FakeGogo.class.getClassLoader(), new Class<?>[] {CommandSession.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "get" -> variables.get((String) args[0]);
                    case "put" -> variables.put((String) args[0], args[1]);
                    case "currentDir" -> {
                        if (args == null) {
                            yield cwd[0];
                        }
                        cwd[0] = (Path) args[0];
                        yield null;
                    }
                    case "getConsole" -> out;
                    case "jobs" -> {
                        synchronized (jobs) {
                            yield new ArrayList<>(jobs);
                        }
                    }
                    case "format" -> String.valueOf(args[0]);
                    case "close" -> null;
                    case "execute" -> {
                        Thread thread = Thread.currentThread();
                        Job job = (Job) Proxy.newProxyInstance(FakeGogo.class.getClassLoader(), new Class<?>[] {Job.class},
                                (p, m, a) -> switch (m.getName()) {
                                    case "interrupt" -> {
                                        thread.interrupt();
                                        yield null;
                                    }
                                    case "equals" -> p == a[0];
                                    case "hashCode" -> System.identityHashCode(p);
                                    default -> null;
                                });
                        synchronized (jobs) {
                            jobs.add(job);
                        }
                        try {
                            lastVariables.clear();
                            variables.forEach((k, v) -> lastVariables.put(k, v));
                            yield run(self[0], String.valueOf(args[0]), out, err, variables, cwd[0]);
                        } finally {
                            synchronized (jobs) {
                                jobs.remove(job);
                            }
                        }
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return self[0];
    }

    private Object run(CommandSession session, String command, PrintStream out, PrintStream err, Map<String, Object> variables,
            Path cwd) throws Exception {
        String[] words = command.split(" ");
        switch (words[0]) {
            case "echo" -> out.println(command.substring(5));
            case "fail" -> throw new IllegalStateException("it failed");
            // What Gogo throws for arguments that fit none of a command's forms (felix:stop 999).
            case "stop" -> throw new IllegalArgumentException(
                    "Cannot coerce stop(String) to any of [(Bundle[]), (String, Bundle[]), (boolean, Bundle[])]");
            case "warn" -> err.println("Bundle ID 67 is invalid");
            case "pwd" -> out.println(cwd + " " + variables.get("HOME"));
            case "start" -> {
                Object start = variables.get("start");
                List<Object> arguments = new ArrayList<>(List.of(words).subList(1, words.length));
                return start instanceof Function f ? f.execute(session, arguments) : "no start function";
            }
            case "exit" -> {
                Object exit = variables.get("exit");
                List<Object> arguments = new ArrayList<>(List.of(words).subList(1, words.length));
                return exit instanceof Function f ? f.execute(session, arguments) : "no exit function";
            }
            case "flood" -> {
                // Output without end, until the command is interrupted (its client went away).
                String line = "x".repeat(1023);
                while (!Thread.currentThread().isInterrupted()) {
                    out.println(line);
                }
                interrupted.countDown();
                throw new InterruptedException("flood interrupted");
            }
            case "block" -> {
                blocking.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    throw e;
                }
            }
            default -> throw new IllegalArgumentException("Command not found: " + words[0]);
        }
        return null;
    }

}
