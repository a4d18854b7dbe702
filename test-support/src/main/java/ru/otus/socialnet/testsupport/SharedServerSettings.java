package ru.otus.socialnet.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server settings every mode shares (cluster/postgresql.shared.conf), read the way the modes
 * read them (pg_shared_settings in cluster/pg-functions.sh), and the check that a running node
 * shows every one of them: the local cluster, a compose node and a Patroni node alike.
 */
public final class SharedServerSettings {

    private SharedServerSettings() {
    }

    /** Name → value as SHOW prints it, in the file's order. */
    public static Map<String, String> expected() {
        Map<String, String> settings = new LinkedHashMap<>();
        TestCluster.withFunctions(Map.of(), "pg_shared_settings").lines().map(l -> l.split("\t", 2))
                .forEach(f -> settings.put(f[0], f[1]));
        return settings;
    }

    /** Asserts that the server behind C runs with every shared setting; NODE names it in the message. */
    public static void assertRunsWithThem(Connection c, String node) throws SQLException {
        Map<String, String> expected = expected();
        assertThat(expected).as("cluster/postgresql.shared.conf").containsKeys("wal_receiver_status_interval",
                "wal_retrieve_retry_interval", "log_parameter_max_length");
        Map<String, String> shown = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement("SELECT current_setting(?)")) {
            for (String name : expected.keySet()) {
                st.setString(1, name);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    shown.put(name, rs.getString(1));
                }
            }
        }
        assertThat(shown).as("the shared settings on %s (cluster/postgresql.shared.conf)", node)
                .containsExactlyEntriesOf(expected);
    }
}
