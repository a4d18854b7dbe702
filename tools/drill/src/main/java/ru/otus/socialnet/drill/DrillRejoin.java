package ru.otus.socialnet.drill;

import java.util.List;

import ru.otus.socialnet.cluster.ClusterControl.Event;
import ru.otus.socialnet.cluster.ClusterControl;

/**
 * The rejoin step, after the count: the killed primary back as a standby of the new one.
 *
 * @param done              the cluster command finished
 * @param events            what it printed
 * @param streamingStandbys standbys streaming from the new primary afterwards (-1: unknown)
 * @param error             why it did not finish, or null
 */
public record DrillRejoin(boolean done, List<Event> events, long streamingStandbys, String error) {
}
