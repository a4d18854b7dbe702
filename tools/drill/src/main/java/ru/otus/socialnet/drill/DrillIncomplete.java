package ru.otus.socialnet.drill;

import java.util.List;

import ru.otus.socialnet.cluster.ClusterControl.Event;
import ru.otus.socialnet.cluster.ClusterControl;

/**
 * The drill itself could not complete (a cluster command failed, the new primary could not be
 * counted): no verdict on the writes, but the timeline up to there, for the report.
 */
public final class DrillIncomplete extends RuntimeException {

    private final DrillOptions options;
    private final List<Event> timeline;
    private final long startMs;

    public DrillIncomplete(String message, DrillOptions options, List<Event> timeline, long startMs, Throwable cause) {
        super(message, cause);
        this.options = options;
        this.timeline = List.copyOf(timeline);
        this.startMs = startMs;
    }

    public DrillOptions options() {
        return options;
    }

    public List<Event> timeline() {
        return timeline;
    }

    public long startMs() {
        return startMs;
    }
}
