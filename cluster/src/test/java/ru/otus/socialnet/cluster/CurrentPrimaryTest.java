package ru.otus.socialnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import ru.otus.socialnet.testsupport.TestCluster;

/**
 * docker/pg-node.sh's {@code current_primary}: the primary an empty replica volume clones from and
 * a standby takes its commit mode from, among PG_PRIMARY_HOST and the peers. Fed with the answers
 * of a stub {@code peer_evidence} ("HOST:PORT NAME SYSTEM_ID TIMELINE KIND" lines): no server,
 * milliseconds per case. It must name the one primary on the newest timeline anyone is on, or
 * nobody: a wrong answer clones a stale primary, or takes the mode of the wrong cluster. The same
 * on real servers: ComposeEntrypointIT, and ComposeFailoverIT with Docker.
 */
class CurrentPrimaryTest {

    /**
     * current_primary for replica2 (ARGS: its system identifier and timeline, or none), with
     * PG_PRIMARY_HOST primary:5432, the peers primary and replica1 (5432), and every address's answer
     * in ANSWERS; an address not listed does not answer. Prints the result, then "asked:" and every
     * address asked.
     */
    static String currentPrimary(String args, String answers) {
        String script = """
                source "$PG_NODE_SH"
                PG_PRIMARY_HOST=primary PG_PRIMARY_PORT=5432 PG_PEERS='primary replica1'
                ANSWERS=$(cat <<'EOF'
                %s
                EOF
                )
                ASKED="$(mktemp)"
                peer_evidence() {
                    echo "$1:$2" >>"$ASKED"
                    grep "^$1:$2 " <<<"$ANSWERS" | cut -d ' ' -f 2- || true
                }
                echo "result: $(current_primary replica2 %s)"
                echo "asked: $(tr '\\n' ' ' <"$ASKED")"
                rm -f "$ASKED"
                """.formatted(answers.replace('|', '\n'), args);
        return TestCluster.withFunctions(Map.of("PG_NODE_SH", Path.of("docker/pg-node.sh").toAbsolutePath().toString(),
                "PG_FUNCTIONS", Path.of("cluster/pg-functions.sh").toAbsolutePath().toString()), script).strip();
    }

    static String result(String output) {
        return output.lines().filter(l -> l.startsWith("result:")).findFirst().orElseThrow().substring(7).strip();
    }

    @Test
    void theNamedPrimaryWhenItLeads() {
        assertThat(result(currentPrimary("", "primary:5432 primary 7 1 primary|replica1:5432 replica1 7 1 standby")))
                .isEqualTo("primary primary 5432");
    }

    @Test
    void afterAFailoverThePeerThatLeadsNotTheNamedOne() {
        assertThat(result(currentPrimary("", "primary:5432 primary 7 2 standby|replica1:5432 replica1 7 2 primary")))
                .isEqualTo("replica1 replica1 5432");
    }

    @Test
    void eachAddressIsAskedOnce() {
        // PG_PRIMARY_HOST is also a peer: one question, not two.
        String out = currentPrimary("", "primary:5432 primary 7 1 primary|replica1:5432 replica1 7 1 standby");
        assertThat(out).endsWith("asked: primary:5432 replica1:5432");
    }

    @Test
    void aStalePrimaryIsNoSource() {
        // The first primary came back after a failover; replica1 followed the new one, which is down.
        assertThat(result(currentPrimary("", "primary:5432 primary 7 1 primary|replica1:5432 replica1 7 2 standby")))
                .isEmpty();
    }

    @Test
    void twoPrimariesOnTheNewestTimelineAreForAPersonToChoose() {
        assertThat(result(currentPrimary("", "primary:5432 primary 7 2 primary|replica1:5432 replica1 7 2 primary")))
                .isEmpty();
    }

    @Test
    void nobodyAnswering() {
        assertThat(result(currentPrimary("", ""))).isEmpty();
    }

    @Test
    void aPrimaryBehindTheNodesOwnTimelineIsNotItsPrimary() {
        // replica2 itself was on timeline 3 (it followed a primary that is down now).
        assertThat(result(currentPrimary("7 3", "primary:5432 primary 7 2 primary"))).isEmpty();
        assertThat(result(currentPrimary("7 2", "primary:5432 primary 7 2 primary"))).isEqualTo("primary primary 5432");
    }

    @Test
    void anotherClustersNodesDoNotCount() {
        // A node of another cluster (a re-created one on the same names), newer and leading: ignored.
        String answers = "primary:5432 primary 7 2 primary|replica1:5432 replica1 9 5 primary";
        assertThat(result(currentPrimary("7 2", answers))).isEqualTo("primary primary 5432");
    }
}
