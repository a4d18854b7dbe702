package ru.otus.socialnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import ru.otus.socialnet.testsupport.TestCluster;

/**
 * cluster/lib/node-cpu.sh, a node's CPU of its own, without the kernel: the arithmetic of a budget,
 * and what the steps write and read in a cgroup tree of plain files (CGROUP_ROOT), v1 and v2. The
 * real groups, the processes in them and their removal: ThreeReplicasIT (as root).
 */
class NodeCpuTest {

    @TempDir
    Path tree;

    static String bash(String script) {
        return TestCluster.withFunctions(Map.of(), script).strip();
    }

    /** SCRIPT with CGROUP_ROOT at the temporary tree and node_cpus answering CPUS. */
    String inTree(String cpus, String script) {
        return TestCluster.withFunctions(Map.of("CGROUP_ROOT", tree.toString()),
                "node_cpus() { echo '" + cpus + "'; }; " + script).strip();
    }

    @ParameterizedTest
    @ValueSource(strings = {"max", "0.01", "0.15", "1", "2.5", "64"})
    void validBudgets(String cpus) {
        assertThat(bash("cpus_valid " + cpus + " && echo valid")).isEqualTo("valid");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.001", "65", "-1", "abc", "1e3", "0.5cpu", "''", "none"})
    void invalidBudgets(String cpus) {
        assertThat(bash("cpus_valid " + cpus + " || echo invalid")).isEqualTo("invalid");
    }

    @ParameterizedTest
    @CsvSource({"0.15, 10000, 1500, 1500 10000", "0.1, 10000, 1000, 1000 10000", "0.5, 10000, 5000, 5000 10000",
            "1, 10000, 10000, 10000 10000", "2.5, 10000, 25000, 25000 10000", "0.125, 10000, 1250, 1250 10000",
            "0.05, 20000, 1000, 1000 20000", "0.03, 33334, 1000, 1000 33334", "0.01, 100000, 1000, 1000 100000",
            "max, 100000, -1, max 100000"})
    void aBudgetIsAQuotaPerPeriodOf10MsOrLongerForAQuotaOfAtLeast1Ms(String cpus, String period, String quota, String cpuMax) {
        assertThat(bash("cpu_period_us " + cpus)).isEqualTo(period);
        assertThat(bash("cpu_quota_us " + cpus)).isEqualTo(quota);
        assertThat(bash("cpu_max_line " + cpus)).isEqualTo(cpuMax);
    }

    @Test
    void eachNodeDirectoryHasAGroupOfItsOwnNamedAfterTheNode() {
        String a = bash("node_cgroup /a/cluster/replica1");
        String b = bash("node_cgroup /b/cluster/replica1");
        assertThat(a).matches("socialnet-replica1-[0-9a-f]{8}");
        assertThat(b).matches("socialnet-replica1-[0-9a-f]{8}").isNotEqualTo(a);
        assertThat(bash("node_cgroup /a/cluster/replica1")).as("stable").isEqualTo(a);
    }

    @Test
    void theVersionOfTheTree() throws IOException {
        assertThat(inTree("", "cgroup_version")).isEqualTo("none");
        Files.writeString(tree.resolve("cgroup.controllers"), "cpu io memory\n");
        assertThat(inTree("", "cgroup_version")).isEqualTo("v2");
        Files.createDirectories(tree.resolve("cpu"));
        Files.writeString(tree.resolve("cpu/cpu.cfs_quota_us"), "-1\n");
        assertThat(inTree("", "cgroup_version")).isEqualTo("v1");
    }

    @Test
    void v1ACapIsAQuotaAndTheHighestWeightInTheCpuHierarchyAndTheAccountingInCpuacct() throws IOException {
        v1Tree();
        String group = inTree("0.15", "node_cgroup_apply /c/primary; node_cgroup /c/primary");
        Path cap = tree.resolve("cpu").resolve(group);
        assertThat(cap.resolve("cpu.cfs_quota_us")).hasContent("1500");
        assertThat(cap.resolve("cpu.cfs_period_us")).hasContent("10000");
        assertThat(cap.resolve("cpu.shares")).hasContent("262144");
        assertThat(tree.resolve("cpuacct").resolve(group)).isDirectory();
    }

    @Test
    void v1MaxIsTheAccountingAlone() throws IOException {
        v1Tree();
        String group = inTree("max", "node_cgroup_apply /c/primary; node_cgroup /c/primary");
        assertThat(tree.resolve("cpuacct").resolve(group)).isDirectory();
        assertThat(tree.resolve("cpu").resolve(group)).doesNotExist();
    }

    @Test
    void v2ACapIsCpuMaxAndTheHighestWeight() throws IOException {
        Files.writeString(tree.resolve("cgroup.controllers"), "cpu io memory\n");
        Files.writeString(tree.resolve("cgroup.subtree_control"), "cpu\n");
        String group = inTree("0.3", "node_cgroup_apply /c/replica2; node_cgroup /c/replica2");
        assertThat(tree.resolve(group).resolve("cpu.max")).hasContent("3000 10000");
        assertThat(tree.resolve(group).resolve("cpu.weight")).hasContent("10000");
    }

    @Test
    void withoutABudgetNoGroupIsMade() throws IOException {
        v1Tree();
        inTree("", "node_cgroup_apply /c/primary; (node_cgroup_enter /c/primary)");
        try (var entries = Files.list(tree.resolve("cpu"))) {
            assertThat(entries).allMatch(p -> p.getFileName().toString().equals("cpu.cfs_quota_us"));
        }
        assertThat(inTree("", "node_cpu_usage /c/primary; echo end")).isEqualTo("end");
    }

    @Test
    void enteringAGroupWritesTheShellsOwnPidIntoEachOfItsHierarchies() throws IOException {
        v1Tree();
        String out = inTree("0.2", "node_cgroup_apply /c/primary; (node_cgroup_enter /c/primary; echo \"$BASHPID\"); node_cgroup /c/primary");
        String pid = out.lines().findFirst().orElseThrow();
        String group = out.lines().reduce((a, b) -> b).orElseThrow();
        assertThat(tree.resolve("cpu").resolve(group).resolve("cgroup.procs")).hasContent(pid);
        assertThat(tree.resolve("cpuacct").resolve(group).resolve("cgroup.procs")).hasContent(pid);
    }

    @Test
    void v1UseIsTheAccountingsNanosecondsAndTheCapsThrottling() throws IOException {
        v1Tree();
        String group = inTree("0.2", "node_cgroup_apply /c/primary; node_cgroup /c/primary");
        Files.writeString(tree.resolve("cpuacct").resolve(group).resolve("cpuacct.usage"), "123456789\n");
        Files.writeString(tree.resolve("cpu").resolve(group).resolve("cpu.stat"),
                "nr_periods 40\nnr_throttled 12\nthrottled_time 98765\n");
        assertThat(inTree("0.2", "node_cpu_usage /c/primary")).isEqualTo("123456789 98765 12 40");
    }

    @Test
    void v2UseIsCpuStatInMicrosecondsAsNanoseconds() throws IOException {
        Files.writeString(tree.resolve("cgroup.controllers"), "cpu\n");
        Files.writeString(tree.resolve("cgroup.subtree_control"), "cpu\n");
        String group = inTree("0.2", "node_cgroup_apply /c/primary; node_cgroup /c/primary");
        Files.writeString(tree.resolve(group).resolve("cpu.stat"),
                "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\nnr_periods 9\nnr_throttled 3\nthrottled_usec 700\n");
        assertThat(inTree("0.2", "node_cpu_usage /c/primary")).isEqualTo("2500000 700000 3 9");
    }

    @Test
    void aWrongBudgetIsRefusedByName() throws IOException {
        v1Tree();
        assertThat(inTree("lots", "(node_cgroup_apply /c/primary) 2>&1 || true"))
                .contains("CPUs per node must be 'max' or a number from 0.01 to 64, not 'lots'");
    }

    private void v1Tree() throws IOException {
        Files.createDirectories(tree.resolve("cpu"));
        Files.createDirectories(tree.resolve("cpuacct"));
        Files.writeString(tree.resolve("cpu/cpu.cfs_quota_us"), "-1\n");
    }
}
