package net.tesseras.storage.internal.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The database's path under the one configuration rule. */
class DatabaseConfigurationRulesTest {

    @Test
    void aRelativePathThatLeavesTheDataDirectoryIsRefusedAndTheLastGoodKept() {
        String pid = DatabaseComponent.PID + "-test" + System.nanoTime();
        var good = DatabaseComponent.RULES.check(props(pid, "db/tesseras.db"));
        assertTrue(good.clean());
        good.accepted();

        for (String escaping : new String[] {"../../x.db", "db/../../x.db", ".", "../data-other/x.db"}) {
            var refused = DatabaseComponent.RULES.check(props(pid, escaping));
            assertFalse(refused.clean(), escaping);
            assertTrue(refused.usable(), "the last good path is kept");
            assertEquals("db/tesseras.db", refused.config().path(), escaping);
        }
        assertTrue(DatabaseComponent.RULES.check(props(pid, "/var/lib/tesseras/index.db")).clean(), "an absolute path is the operator's choice");
        assertTrue(DatabaseComponent.RULES.check(props(pid, "db/./other.db")).clean());
    }

    @Test
    void theRefusalNamesTheKeyTheValueAndTheFix() {
        assertTrue(DatabaseComponent.pathProblem("../../x.db").contains("must stay inside the data directory"));
        assertEquals(null, DatabaseComponent.pathProblem("db/tesseras.db"));
    }

    private static Map<String, Object> props(String pid, String path) {
        Map<String, Object> p = new HashMap<>();
        p.put("service.pid", pid);
        p.put("path", path);
        return p;
    }
}
