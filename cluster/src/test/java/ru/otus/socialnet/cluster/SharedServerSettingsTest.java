package ru.otus.socialnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import ru.otus.socialnet.testsupport.SharedServerSettings;

/**
 * cluster/postgresql.shared.conf, the one file of server settings, as each mode reads it: every
 * setting line is read by pg_shared_settings (the local and compose nodes copy the file itself), and
 * Patroni's rendered parameters hold exactly those values. No server needed; the ITs check the
 * running nodes (SlowStatementLogIT, ComposeEntrypointIT, PatroniFailoverIT).
 */
class SharedServerSettingsTest {

    static final Path FILE = Path.of("cluster/postgresql.shared.conf");

    @Test
    void everySettingLineOfTheFileIsRead() throws IOException {
        long settingLines = Files.readAllLines(FILE).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
        Map<String, String> read = SharedServerSettings.expected();
        assertThat(read).hasSize((int) settingLines)
                .containsEntry("wal_receiver_status_interval", "1s")
                .containsEntry("wal_retrieve_retry_interval", "1s")
                .containsEntry("log_line_prefix", "%m [%p] %q%u@%d/%a ")   // quoted: inner spaces and brackets kept
                .containsEntry("hot_standby_feedback", "on");              // a trailing comment dropped
    }

    @Test
    void patroniGetsTheSameValues() throws Exception {
        String rendered = bash("source cluster/pg-functions.sh; source cluster/patroni/patroni-functions.sh; "
                + "ha_shared_parameters");
        Map<String, Object> parameters = new Yaml().load(rendered);
        Map<String, String> asStrings = new LinkedHashMap<>();
        parameters.forEach((k, v) -> asStrings.put(k, String.valueOf(v)));
        assertThat(asStrings).containsExactlyEntriesOf(SharedServerSettings.expected());
        // YAML would read a bare on/off as a boolean, 0700 as octal: everything but whole numbers is quoted.
        assertThat(parameters.get("hot_standby")).isEqualTo("on");
        assertThat(parameters.get("unix_socket_permissions")).isEqualTo("0700");
        assertThat(parameters.get("max_connections")).isEqualTo(300);
        assertThat(Files.readString(Path.of("cluster/patroni/patroni.yml")))
                .as("the template takes its parameters from the shared file only")
                .contains("parameters: @@HA_SHARED_PARAMETERS@@").doesNotContain("wal_level:");
    }

    private static String bash(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", "set -Eeuo pipefail; " + script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
