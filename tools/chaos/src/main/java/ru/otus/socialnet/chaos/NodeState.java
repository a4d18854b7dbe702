package ru.otus.socialnet.chaos;

/**
 * One node as a probe found it: whether it answered, whether it is a primary, and the timeline it
 * is on (a primary: the one it writes; a standby: the newest it has received, replayed to or
 * checkpointed — a standby that is not streaming still holds the timeline it followed).
 */
public record NodeState(String name, boolean reachable, boolean primary, int timeline, long lsn) {

    static NodeState unreachable(String name) {
        return new NodeState(name, false, false, -1, -1);
    }
}
