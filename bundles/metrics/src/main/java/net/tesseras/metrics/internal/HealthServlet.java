package net.tesseras.metrics.internal;

import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * {@code /health}: 200 and {@code {"status":"UP",...}} when the node is ready, else 503 and what is
 * not, one short line per problem (never a stack trace).
 *
 * <p>"Ready" is decided in one place, by the launcher, which publishes it as a
 * {@code Supplier<Map<String, Object>>} service with {@value #FILTER} (JDK types only: the launcher
 * lives outside OSGi); {@code bin/tesseras start} uses the same check. The map holds {@code status}
 * and lists of lines by kind ({@code bundles}, {@code components}, {@code listeners}).
 */
final class HealthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    static final String FILTER = "(tesseras.readiness=node)";

    private final transient BundleContext context;

    HealthServlet(BundleContext context) {
        this.context = context;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, Object> health = health();
        boolean up = "UP".equals(health.get("status"));
        response.setStatus(up ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        response.setContentType("application/json; charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(json(health));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> health() {
        Collection<ServiceReference<Supplier>> references;
        try {
            references = context.getServiceReferences(Supplier.class, FILTER);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        for (ServiceReference<Supplier> reference : references) {
            Supplier<Map<String, Object>> readiness = context.getService(reference);
            if (readiness != null) {
                try {
                    return readiness.get();
                } catch (RuntimeException e) {
                    return unknown("the readiness check failed: " + e.getMessage());
                } finally {
                    context.ungetService(reference);
                }
            }
        }
        return unknown("no readiness service: the node was not started by the Tesseras launcher");
    }

    private static Map<String, Object> unknown(String reason) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("status", "UNKNOWN");
        map.put("reason", reason);
        return map;
    }

    /** JSON of a map whose values are strings or lists of strings. */
    static String json(Map<String, Object> map) {
        StringBuilder s = new StringBuilder("{");
        for (Map.Entry<String, Object> e : map.entrySet()) {
            if (s.length() > 1) {
                s.append(',');
            }
            string(s, e.getKey()).append(':');
            if (e.getValue() instanceof List<?> list) {
                s.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        s.append(',');
                    }
                    string(s, String.valueOf(list.get(i)));
                }
                s.append(']');
            } else {
                string(s, String.valueOf(e.getValue()));
            }
        }
        return s.append('}').toString();
    }

    private static StringBuilder string(StringBuilder s, String value) {
        s.append('"');
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"');
    }
}
