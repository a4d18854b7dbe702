package ru.otus.socialnet.containers.compose;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import ru.otus.socialnet.cluster.ClusterControl;

/**
 * Where statements ran, by each compose node's own pg_stat_statements (as the local-cluster tests count
 * them), reached from the host at the node's address on the compose network as its superuser: the
 * host's address on that network is in pg_hba's samenet.
 */
final class NodeStatements {

    static final String SEARCH_SQL = "WHERE lower(first_name) ~>=~ (SELECT lower(";
    static final String INSERT_SQL = "INSERT INTO users";

    private NodeStatements() {
    }

    /** Per node, how many statements containing FRAGMENT it ran. */
    static Map<String, Long> calls(ClusterControl cluster, String fragment) throws SQLException {
        Map<String, Long> calls = new LinkedHashMap<>();
        String like = fragment.replace("'", "''").replace("%", "\\%").replace("_", "\\_");
        for (ClusterControl.Node node : cluster.nodes()) {
            try (Connection c = superuser(node.authority()); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE '%"
                         + like + "%'")) {
                rs.next();
                calls.put(node.name(), rs.getLong(1));
            }
        }
        return calls;
    }

    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new LinkedHashMap<>();
        after.forEach((node, n) -> delta.put(node, n - before.get(node)));
        return delta;
    }

    /** Runs SQL as the superuser of the node NAME. */
    static void execute(ClusterControl cluster, String name, String sql) throws SQLException {
        String authority = cluster.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow().authority();
        try (Connection c = superuser(authority); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static Connection superuser(String authority) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + authority + "/socialnet?connectTimeout=5&socketTimeout=30",
                "postgres", "postgres");
    }
}
