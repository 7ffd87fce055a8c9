package net.tesseras.metrics.internal;

import java.io.IOException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/** {@code /health}: 200 and {"status":"UP"} when ready, else 503 and what is missing. */
final class HealthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient NodeHealth health;

    HealthServlet(NodeHealth health) {
        this.health = health;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        NodeHealth.Report report = health.check();
        response.setStatus(report.ready() ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        response.setContentType("application/json; charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(report.json());
    }
}
