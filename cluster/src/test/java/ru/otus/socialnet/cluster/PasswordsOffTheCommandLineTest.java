package ru.otus.socialnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import ru.otus.socialnet.testsupport.TestCluster;

/**
 * A process's command line is public on the machine (ps, /proc/PID/cmdline): a password must
 * reach psql through its environment or stdin, never its arguments. The steps of
 * cluster/pg-functions.sh that hand psql a password, run against a stub psql (in PG_BINDIR, as the
 * server's OS user, as the real one runs) that records its arguments, its environment's secrets
 * and its stdin (and answers as a peer would): no server, under a second.
 */
class PasswordsOffTheCommandLineTest {

    static final String REPLICATION_PASSWORD = "Repl1cation-s3cret";
    static final String SUPERUSER_PASSWORD = "Sup3ruser-s3cret";

    /** Runs SCRIPT with the stub psql as PG_BINDIR's, a node directory in $NODE; prints what psql saw. */
    static String seenByPsql(String script) {
        return TestCluster.withFunctions(Map.of("PG_REPLICATION_PASSWORD", REPLICATION_PASSWORD,
                "PG_SUPERUSER_PASSWORD", SUPERUSER_PASSWORD), """
                pg_setup_env
                STUB="$(mktemp -d)"
                chmod 755 "$STUB"
                export STUB_LOG="$STUB/seen"
                install -m 666 /dev/null "$STUB_LOG"
                cat >"$STUB/psql" <<'EOF'
                #!/bin/sh
                { echo "argv: $*"; echo "env: ${PGPASSWORD:-} ${PG_FOLLOW_CONNINFO:-}"; echo "stdin:"; cat; } >>"$STUB_LOG"
                printf '7 1 0/1000000 postgres\noff\nreplica9\n'
                EOF
                chmod 755 "$STUB/psql"
                PG_BINDIR="$STUB"
                NODE="$STUB/replica1"
                mkdir -p "$NODE"
                printf "port = 5999\\ncluster_name = 'replica1'\\n" >"$NODE/node.conf"
                node_is_running() { return 0; }
                %s
                cat "$STUB_LOG"
                rm -rf "$STUB"
                """.formatted(script));
    }

    static String argvLines(String seen) {
        return String.join("\n", seen.lines().filter(l -> l.startsWith("argv:")).toList());
    }

    @Test
    void aRunningStandbyIsRepointedWithTheConninfoInPsqlsEnvironment() {
        String seen = seenByPsql("node_follow \"$NODE\" 127.0.0.1 6001");
        assertThat(argvLines(seen)).isNotBlank().doesNotContain(REPLICATION_PASSWORD);
        assertThat(seen).contains("password='" + REPLICATION_PASSWORD + "'")
                .contains("\\getenv conninfo PG_FOLLOW_CONNINFO", "SET pg_stat_statements.track_utility = off");
    }

    @Test
    void peersAndRemoteServersAreAskedWithThePasswordInTheEnvironment() {
        String seen = seenByPsql("peer_evidence 127.0.0.1 6001; psql_remote 127.0.0.1 6001 -c 'SELECT 1'");
        assertThat(argvLines(seen)).contains("peer-probe", "SELECT 1")
                .doesNotContain(REPLICATION_PASSWORD).doesNotContain(SUPERUSER_PASSWORD);
        assertThat(seen).contains("env: " + REPLICATION_PASSWORD, "env: " + SUPERUSER_PASSWORD);
    }
}
