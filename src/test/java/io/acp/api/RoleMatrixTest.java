package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every operation the API offers × every role, called through the real Unix socket: allowed or
 * {@code forbidden}, as the role table in docs/security.md says. The requests carry arguments that
 * the operation itself refuses (no id), so nothing changes whatever the answer.
 */
class RoleMatrixTest extends WithNode {

    private static final Map<String, String> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("admin", TestNode.ADMIN_KEY);
        KEYS.put("operator", TestNode.OPERATOR_KEY);
        KEYS.put("read-only", TestNode.READER_KEY);
    }

    /** One row of the table: {@code | `op` | needs | admin | operator | read-only |}. */
    record Row(String op, String needs, Map<String, String> allowed) {
    }

    static Map<String, Row> documentedTable() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("docs/security.md"));
        int start = lines.indexOf("## Roles: which operation needs which role");
        assertThat(start).as("docs/security.md has the Roles section").isNotNegative();
        Map<String, Row> rows = new LinkedHashMap<>();
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            String line = lines.get(i);
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.substring(1, line.length() - 1).split("\\|");
            String op = cells[0].trim().replace("`", "");
            Map<String, String> allowed = new LinkedHashMap<>();
            allowed.put("admin", cells[2].trim());
            allowed.put("operator", cells[3].trim());
            allowed.put("read-only", cells[4].trim());
            rows.put(op, new Row(op, cells[1].trim(), allowed));
        }
        return rows;
    }

    @Test
    void theDocumentedTableListsEveryOperationAndMatchesTheCode() throws IOException {
        Map<String, Row> doc = documentedTable();
        List<String> offered = new ArrayList<>();
        node.api.operations().forEach((service, ops) -> ops.forEach(op -> offered.add(service + "." + op)));
        assertThat(new TreeSet<>(doc.keySet())).isEqualTo(new TreeSet<>(offered));
        assertThat(new TreeSet<>(Permissions.table().keySet())).isEqualTo(new TreeSet<>(offered));
        Permissions.table().forEach((op, need) -> assertThat(doc.get(op).needs()).as(op).startsWith(need.wireName().equals("operator")
                && op.startsWith("cluster.") ? "operator (types" : need.wireName()));
    }

    @Test
    void everyOperationTimesEveryRoleIsAllowedOrForbiddenAsDocumented() throws IOException {
        Map<String, Row> doc = documentedTable();
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, String> role : KEYS.entrySet()) {
            try (TestClient c = node.client(true, role.getValue())) {
                for (Row row : doc.values()) {
                    String[] so = row.op().split("\\.", 2);
                    if (row.op().equals("cluster.put") || row.op().equals("cluster.delete")) {
                        check(c, so, Json.object().put("type", "system"), row.allowed().get(role.getKey()).startsWith("yes")
                                || row.allowed().get(role.getKey()).contains("system"), role.getKey(), row.op() + " type system", mismatches);
                        check(c, so, Json.object().put("type", "storage"), role.getKey().equals("admin"), role.getKey(), row.op() + " type storage",
                                mismatches);
                        continue;
                    }
                    ObjectNode args = so[1].equals("watch") ? Json.object().put("kinds", 5) : Json.object();
                    check(c, so, args, row.allowed().get(role.getKey()).equals("yes"), role.getKey(), row.op(), mismatches);
                }
            }
        }
        assertThat(mismatches).isEmpty();
    }

    private static void check(TestClient c, String[] serviceOp, ObjectNode args, boolean allowed, String role, String what, List<String> mismatches) {
        Response r = c.call(serviceOp[0], serviceOp[1], args);
        boolean forbidden = r instanceof Response.Failure f && f.code() == ErrorCode.FORBIDDEN && f.message().startsWith("rule ");
        if (allowed == forbidden) {
            mismatches.add(role + " " + what + ": documented " + (allowed ? "allowed" : "forbidden") + ", answered " + r);
        }
    }
}
