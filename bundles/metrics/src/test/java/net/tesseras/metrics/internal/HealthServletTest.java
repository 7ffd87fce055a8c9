package net.tesseras.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthServletTest {

    @Test
    void rendersStatusAndProblemListsAsJson() {
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("status", "DOWN");
        health.put("bundles", List.of());
        health.put("components", List.of("a \"quoted\" C:\\path\tand\na line"));
        assertEquals("{\"status\":\"DOWN\",\"bundles\":[],\"components\":[\"a \\\"quoted\\\" C:\\\\path\\tand\\na line\"]}",
                HealthServlet.json(health));
    }
}
