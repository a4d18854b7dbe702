package ru.otus.socialnet.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What the cluster watch saw, round by round, and the questions the checker asks of it. Pure.
 */
public final class Timelines {

    /** Every node's state at one moment. */
    public record Round(long atMs, List<NodeState> states) {

        /** The newest timeline any node that answered was on; -1 when none answered. */
        int newest() {
            return states.stream().filter(NodeState::reachable).mapToInt(NodeState::timeline).max().orElse(-1);
        }

        long reachablePrimaries() {
            return states.stream().filter(s -> s.reachable() && s.primary()).count();
        }
    }

    /** A stretch of time, epoch ms, [from, to). */
    public record Interval(long from, long to) {
        public long ms() {
            return to - from;
        }
    }

    private final List<Round> rounds;

    public Timelines(List<Round> rounds) {
        this.rounds = List.copyOf(rounds);
    }

    /** The newest timeline a running node was on in the last round at or before {@code t}; -1 before the first. */
    public int newestAt(long t) {
        int newest = -1;
        for (Round r : rounds) {
            if (r.atMs() > t) {
                break;
            }
            newest = r.newest();
        }
        return newest;
    }

    /** When a node on a timeline above {@code timeline} was first seen; -1 when never. */
    public long firstAbove(int timeline) {
        for (Round r : rounds) {
            if (r.newest() > timeline) {
                return r.atMs();
            }
        }
        return -1;
    }

    /** The stretches during which two or more primaries answered: a split brain, as a client could see it. */
    public List<Interval> splitBrain() {
        List<Interval> intervals = new ArrayList<>();
        long from = -1;
        for (Round r : rounds) {
            boolean split = r.reachablePrimaries() > 1;
            if (split && from < 0) {
                from = r.atMs();
            } else if (!split && from >= 0) {
                intervals.add(new Interval(from, r.atMs()));
                from = -1;
            }
        }
        if (from >= 0) {
            intervals.add(new Interval(from, rounds.get(rounds.size() - 1).atMs() + ClusterWatch.INTERVAL_MS));
        }
        return intervals;
    }

    public SortedSet<Integer> seen() {
        SortedSet<Integer> seen = new TreeSet<>();
        for (Round r : rounds) {
            r.states().stream().filter(NodeState::reachable).forEach(s -> seen.add(s.timeline()));
        }
        return seen;
    }
}
