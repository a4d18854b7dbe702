package ru.otus.socialnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import ru.otus.socialnet.testsupport.TestCluster;

/**
 * The decisions of cluster/lib/leader.sh (and the small pure helpers the orchestration decides
 * with), in bash, fed with evidence lines ("NAME SYSTEM_ID TIMELINE KIND") and stubs of the hooks
 * that would reach a node's files: no server, milliseconds per case. The same rules on real
 * servers, after real crashes: ClusterRestartIT, RepeatedRejoinIT, SyncModeFaultsIT.
 */
class LeaderDecisionTest {

    /** Runs SCRIPT with cluster/pg-functions.sh sourced (nothing set up: no server is reached). */
    static String bash(String script) {
        return TestCluster.withFunctions(Map.of(), script).strip();
    }

    /** node_may_lead for node ME on TIMELINE of cluster 7, given the others' evidence lines. */
    static String mayLead(String me, int timeline, String evidence) {
        return bash("if why=\"$(node_may_lead " + me + " 7 " + timeline + " <<'EOF'\n" + evidence.replace('|', '\n')
                + "\nEOF\n)\"; then echo LEAD; else echo \"REFUSED $why\"; fi");
    }

    @Nested
    class MayLead {

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = ';', value = {
                "alone;                                  ;LEAD",
                "its own line does not count;            primary 7 1 primary;LEAD",
                "standbys on its timeline;               replica1 7 1 standby|replica2 7 1 standby;LEAD",
                "a node on an older timeline;            replica1 7 0 primary;LEAD",
                "another cluster's newer node;           replica1 9 5 primary|replica2 9 5 standby;LEAD",
                "a rejoining node on its timeline;       replica1 7 1 rejoining;LEAD",
                "blank lines;                            |replica1 7 1 standby|;LEAD",
        })
        void leads(String why, String evidence, String verdict) {
            assertThat(mayLead("primary", 1, evidence == null ? "" : evidence)).as(why).isEqualTo(verdict);
        }

        @Test
        void aNodeOnANewerTimelineMakesItStale() {
            assertThat(mayLead("primary", 1, "replica1 7 2 primary|replica2 7 2 standby"))
                    .isEqualTo("REFUSED replica1 is on timeline 2 (primary) and primary only on 1:"
                            + " a failover happened after primary was the primary");
        }

        @Test
        void aStandbyOnANewerTimelineIsProofEnough() {
            // The promoted node itself may be down: a standby that followed it carries its timeline.
            assertThat(mayLead("primary", 1, "replica2 7 2 standby")).startsWith("REFUSED replica2 is on timeline 2 (standby)");
        }

        @Test
        void twoPrimariesOnOneTimelineAreForAPersonToChoose() {
            assertThat(mayLead("primary", 2, "replica1 7 2 primary"))
                    .isEqualTo("REFUSED replica1 claims timeline 2 as a primary too: two primaries,"
                            + " a person must choose which keeps its writes");
        }

        @Test
        void timelinesCompareAsNumbersNotText() {
            assertThat(mayLead("primary", 9, "replica1 7 10 standby")).startsWith("REFUSED replica1 is on timeline 10");
        }
    }

    @Nested
    class TimelineFromFiles {

        static final String CONTROL = "Database system identifier:           7443812553219543311\n"
                + "Latest checkpoint's TimeLineID:       2\n"
                + "Latest checkpoint's PrevTimeLineID:   1\n"
                + "Min recovery ending loc's timeline:   0\n";

        String timeline(String control, String... files) {
            return bash("files_timeline \"$(cat <<'EOF'\n" + control + "\nEOF\n)\" " + String.join(" ", files));
        }

        @Test
        void theCheckpointsTimelineWhenTheWalShowsNothingNewer() {
            assertThat(timeline(CONTROL, "000000020000000000000003", "archive_status")).isEqualTo("2");
        }

        @Test
        void theMinimumRecoveryPointsTimeline() {
            assertThat(timeline(CONTROL.replace("timeline:   0", "timeline:   3"))).isEqualTo("3");
        }

        @Test
        void aHistoryFileBeforeAnyCheckpoint() {
            // Right after a promotion: the control file still names the old timeline.
            assertThat(timeline(CONTROL, "000000020000000000000003", "00000003.history")).isEqualTo("3");
        }

        @Test
        void segmentNamesAndPartialSegmentsInHex() {
            assertThat(timeline(CONTROL, "0000000A0000000000000004")).isEqualTo("10");
            assertThat(timeline(CONTROL, "0000000B0000000000000004.partial")).isEqualTo("11");
        }

        @Test
        void otherNamesAreIgnored() {
            assertThat(timeline(CONTROL, "0000000900000000000000.tmp", "xlogtemp.123", "00000009.history.tmp",
                    "path/to/pg_wal/00000001.history")).isEqualTo("2");
        }

        @Test
        void noEvidenceIsTimelineZero() {
            assertThat(timeline("")).isEqualTo("0");
        }
    }

    @Nested
    class ChooseLeader {

        /**
         * cluster_choose_leader over NAMES, with on_node answering node_evidence from EVIDENCE ("NAME
         * SYSID TLI KIND" lines), node_fork_point from FORKS ("LEADER TLI LSN") and node_commits_after
         * from COMMITS ("NAME TLI LSN COUNT"); prints its results.
         */
        String choose(String evidence, String forks, String commits) {
            return bash("""
                    EVIDENCE=$(cat <<'EOF'
                    %s
                    EOF
                    )
                    FORKS='%s' COMMITS='%s'
                    on_node() {
                        local name="$1" step="$2"; shift 2
                        case "$step" in
                            node_evidence) grep "^$name " <<<"$EVIDENCE" || true ;;
                            node_fork_point) awk -v n="$name" -v t="$1" '$1 == n && $2 == t { print $3 }' <<<"$FORKS" ;;
                            node_commits_after) awk -v n="$name" -v t="$1" -v l="$2" '$1 == n && $2 == t && $3 == l { print $4 }' <<<"$COMMITS" ;;
                            *) echo "unexpected step $step" >&2; exit 9 ;;
                        esac
                    }
                    cluster_choose_leader primary replica1 replica2
                    echo "leader=$CLUSTER_LEADER newest=$CLUSTER_NEWEST"
                    printf '%%s' "$CLUSTER_REFUSED" | sed 's/^/refused /'
                    """.formatted(evidence.replace('|', '\n'), forks.replace('|', '\n'), commits.replace('|', '\n')));
        }

        @Test
        void aHealthyClusterLedByItsPrimary() {
            assertThat(choose("primary 7 1 primary|replica1 7 1 standby|replica2 7 1 standby", "", ""))
                    .isEqualTo("leader=primary newest=1");
        }

        @Test
        void afterAFailoverThePromotedNodeLeadsAndTheOldPrimaryIsRefused() {
            assertThat(choose("primary 7 1 primary|replica1 7 2 primary|replica2 7 2 standby", "", ""))
                    .isEqualTo("leader=replica1 newest=2\n"
                            + "refused primary replica1 is on timeline 2 (primary) and primary only on 1:"
                            + " a failover happened after primary was the primary");
        }

        @Test
        void theNewestTimelineLeadsEvenWhenItsNodeIsDownAndOnlyItsFilesSpeak() {
            // The promoted node died before its checkpoint: its history file and WAL still say 3.
            assertThat(choose("primary 7 2 primary|replica1 7 3 primary|replica2 7 2 standby", "replica1 2 0/5000000", ""))
                    .startsWith("leader=replica1 newest=3\nrefused primary replica1 is on timeline 3");
        }

        @Test
        void twoPrimariesOnTheNewestTimelineLeaveNoLeader() {
            assertThat(choose("primary 7 2 primary|replica1 7 2 primary|replica2 7 2 standby", "", ""))
                    .startsWith("leader= newest=2\nrefused primary replica1 claims timeline 2")
                    .contains("\nrefused replica1 primary claims timeline 2");
        }

        @Test
        void aRejoiningNodeNoLongerClaimsItsTimeline() {
            assertThat(choose("primary 7 2 rejoining|replica1 7 2 primary|replica2 7 2 standby", "", ""))
                    .isEqualTo("leader=replica1 newest=2");
        }

        @Test
        void noDataNoEvidence() {
            assertThat(choose("replica1 7 1 standby", "", "")).isEqualTo("leader= newest=1");
        }

        @Test
        void aStandbyWithCommitsPastTheForkIsASplitBrain() {
            // replica2 kept following the old primary after replica1 was promoted around it, and
            // holds 3 commits on timeline 1 past the fork: both sides hold acknowledged writes.
            String out = choose("primary 7 1 primary|replica1 7 2 primary|replica2 7 1 standby",
                    "replica1 1 0/3000148", "replica2 1 0/3000148 3");
            assertThat(out).startsWith("leader= newest=2\n");
            assertThat(out.lines().filter(l -> l.startsWith("refused ")))
                    .as("every node that would start as a primary is refused, the newest too")
                    .hasSize(2)
                    .allMatch(l -> l.contains("split brain: replica2 holds 3 commits on timeline 1 past 0/3000148,"
                            + " where replica1's timeline 2 forked off it"));
        }

        @Test
        void aStandbyBehindTheForkIsNoSplitBrain() {
            // It merely lags: no commit past the fork, so rewinding it loses nothing acknowledged.
            assertThat(choose("primary 7 1 primary|replica1 7 2 primary|replica2 7 1 standby",
                    "replica1 1 0/3000148", "replica2 1 0/3000148 0"))
                    .startsWith("leader=replica1 newest=2\nrefused primary ");
        }

        @Test
        void theOldPrimarysOwnCommitsPastTheForkDoNotCount() {
            // In quorum mode they were never acknowledged without a standby's copy; in async their
            // loss is what async means.
            assertThat(choose("primary 7 1 primary|replica1 7 2 primary|replica2 7 2 standby",
                    "replica1 1 0/3000148", "primary 1 0/3000148 5"))
                    .startsWith("leader=replica1 newest=2\n");
        }
    }

    @Nested
    class Guard {

        /**
         * node_guard_lead of a node on timeline TLI of cluster 7, within 0 s, with peer_evidence_at
         * answering from PEERS ("PEER NAME SYSID TLI KIND"; a peer without a line does not answer).
         */
        String guard(int tli, String peers, String... names) {
            return bash("""
                    PEERS='%s'
                    node_evidence() { echo "primary 7 %d primary"; }
                    peer_evidence_at() { awk -v p="$1" '$1 == p { print $2, $3, $4, $5 }' <<<"$PEERS"; }
                    out="$(mktemp)"; trap 'rm -f "$out"' EXIT
                    status=0; node_guard_lead /nowhere 0 %s >"$out" 2>/dev/null || status=$?
                    echo "status=$status leader=$GUARD_LEADER why=$(cat "$out")"
                    """.formatted(peers.replace('|', '\n'), tli, String.join(" ", names)));
        }

        @Test
        void everyPeerAnsweredAndNoneIsNewer() {
            assertThat(guard(1, "r1 replica1 7 1 standby|r2 replica2 7 1 standby", "r1", "r2"))
                    .isEqualTo("status=0 leader= why=");
        }

        @Test
        void aNewerPrimaryRefusesAndIsNamed() {
            assertThat(guard(1, "r1 replica1 7 2 primary|r2 replica2 7 2 standby", "r1", "r2"))
                    .startsWith("status=1 leader=replica1 why=replica")   // either peer proves it stale
                    .contains(" is on timeline 2 (").endsWith("and primary only on 1: a failover happened after primary was the primary");
        }

        @Test
        void oneAnswerWithinTheWaitIsEnough() {
            assertThat(guard(1, "r1 replica1 7 1 standby", "r1", "r2")).isEqualTo("status=0 leader= why=");
        }

        @Test
        void noAnswerAtAllCannotDecide() {
            assertThat(guard(1, "", "r1", "r2")).startsWith("status=2");
        }

        @Test
        void anotherClustersPeerDoesNotCount() {
            assertThat(guard(1, "r1 replica1 9 5 primary", "r1")).startsWith("status=2");
        }
    }

    @Nested
    class Helpers {

        @Test
        void quorumNamesEveryStandby() {
            assertThat(bash("sync_standby_names quorum replica1 replica2 replica3")).isEqualTo("ANY 1 (replica1, replica2, replica3)");
            assertThat(bash("PG_REPLICA_NAMES='replica1 replica2'; sync_standby_names quorum")).isEqualTo("ANY 1 (replica1, replica2)");
            assertThat(bash("echo \"[$(sync_standby_names async replica1)]\"")).isEqualTo("[]");
        }

        @Test
        void anUnknownModeIsRefused() {
            assertThat(bash("(sync_standby_names sync replica1) 2>&1 || echo refused"))
                    .isEqualTo("error: sync mode must be 'async' or 'quorum', not 'sync'\nrefused");
        }

        @Test
        void positionsCompareAsNumbers() {
            assertThat(bash("[ \"$(lsn_number 1/0)\" -gt \"$(lsn_number 0/FFFFFFFF)\" ] && echo greater")).isEqualTo("greater");
            assertThat(bash("lsn_number 0/3000148")).isEqualTo(String.valueOf(0x3000148));
        }

        @Test
        void theFreshestStandbyHasReceivedTheMostWal() {
            // After a restart a standby's receive position is the start of its segment and replay is
            // further: what it holds is the greater of the two (node_wal_positions' third field).
            String out = bash("""
                    on_node() {
                        case "$1" in
                            replica1) echo '0/5000000 0/5000100 0/5000100' ;;
                            replica2) echo '0/50000A0 0/5000010 0/50000A0' ;;
                            replica3) return 1 ;;
                        esac
                    }
                    cluster_freshest replica1 replica2 replica3 >/dev/null 2>&1
                    echo "$CLUSTER_FRESHEST"
                    """);
            assertThat(out).isEqualTo("replica1");
        }

        @Test
        void theOthersAreEveryNodeButOne() {
            assertThat(bash("names_except replica1 primary replica1 replica2")).isEqualTo("primary\nreplica2");
        }
    }
}
