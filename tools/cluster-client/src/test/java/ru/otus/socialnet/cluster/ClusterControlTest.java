package ru.otus.socialnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The cluster-command client against a stand-in command that echoes its subcommand as an event. */
class ClusterControlTest {

    private final ClusterControl control = new ClusterControl(
            List.of("sh", "-c", "echo \"event 123 ran $0 $*\"; echo \"not an event\"; exit ${EXIT:-0}"), Map.of());

    @Test
    void oneSubcommandRunsAndItsEventsAreReturned() {
        // A single argument once resolved to a parse-only overload: 'failover' was never run.
        assertThat(control.events("failover")).containsExactly(new ClusterControl.Event(123, "ran failover "));
        assertThat(control.events("rejoin", "primary")).containsExactly(new ClusterControl.Event(123, "ran rejoin primary"));
    }

    @Test
    void aFailedSubcommandIsAnExceptionOrAResult() {
        assertThatThrownBy(() -> control.run(Map.of("EXIT", "3"), "up")).hasMessageContaining("exit 3");
        ClusterControl.Result r = control.attempt(Map.of("EXIT", "3"), "up");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(ClusterControl.parseEvents(r.output())).containsExactly(new ClusterControl.Event(123, "ran up "));
    }
}
