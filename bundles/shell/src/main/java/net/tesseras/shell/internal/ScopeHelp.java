package net.tesseras.shell.internal;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.CommandSessionListener;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code help <scope>} lists a scope's commands with one line each ({@code help tesseras}); Gogo's
 * own {@code help} knows only command names and prints nothing for a scope. Every other use of
 * {@code help} goes to Gogo's. Installed in each session (the node's console and every {@code
 * bin/tesseras shell} session) before its first command, as a session function, the way the
 * console's profile defines {@code exit}.
 */
@Component(service = CommandSessionListener.class)
public final class ScopeHelp implements CommandSessionListener, Function {

    private static final String INSTALLED = ".tesseras.scopehelp";

    private final BundleContext context;

    @Activate
    public ScopeHelp(BundleContext context) {
        this.context = context;
    }

    @Override
    public void beforeExecute(CommandSession session, CharSequence command) {
        if (session.get(INSTALLED) == null) {
            session.put(INSTALLED, Boolean.TRUE);
            session.put("help", this);
        }
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence command, Exception exception) {
        // nothing to do
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence command, Object result) {
        // nothing to do
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) throws Exception {
        if (arguments.size() == 1) {
            String name = String.valueOf(arguments.get(0));
            if (name.indexOf(':') < 0) {
                String listing = describe(name);
                if (listing != null) {
                    return listing;
                }
            }
        }
        for (String gogo : List.of("felix:help", "gogo:help")) {
            if (session.get(gogo) instanceof Function help) {
                return help.execute(session, arguments);
            }
        }
        throw new IllegalStateException("no help command is installed (bundle org.apache.felix.gogo.command)");
    }

    /** One line per command of {@code scope} with its description, or null if no command has that scope. */
    String describe(String scope) throws InvalidSyntaxException {
        if (!scope.matches("[A-Za-z0-9_.-]+")) {
            return null;
        }
        ServiceReference<?>[] references = context.getAllServiceReferences(null, "(osgi.command.scope=" + scope + ")");
        if (references == null) {
            return null;
        }
        Map<String, String> commands = new TreeMap<>();
        for (ServiceReference<?> reference : references) {
            Object functions = reference.getProperty("osgi.command.function");
            String[] names = functions instanceof String[] array ? array : new String[] {String.valueOf(functions)};
            Object service = context.getService(reference);
            try {
                for (String name : names) {
                    commands.merge(scope + ":" + name, service == null ? "" : descriptor(service, name), (a, b) -> a.isEmpty() ? b : a);
                }
            } finally {
                if (service != null) {
                    context.ungetService(reference);
                }
            }
        }
        if (commands.isEmpty()) {
            return null;
        }
        int width = commands.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder out = new StringBuilder("Commands of scope " + scope + ":\n");
        commands.forEach((name, text) -> out.append(String.format("  %-" + width + "s  %s%n", name, text)));
        out.append("'<command> --help' shows a command's usage; 'help <command>' its parameters.\n");
        return out.toString();
    }

    private static String descriptor(Object service, String name) {
        for (Method method : service.getClass().getMethods()) {
            Descriptor descriptor = method.getAnnotation(Descriptor.class);
            if (method.getName().equalsIgnoreCase(name) && descriptor != null) {
                return descriptor.value();
            }
        }
        return "";
    }
}
