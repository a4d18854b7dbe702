package ru.otus.socialnet.chaos;

import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * The service's instances as a load balancer with passive health checks sees them (nginx's
 * {@code proxy_next_upstream error}): requests go round-robin, and a request whose connection could
 * not be established to one instance — nothing was sent — goes to the next one at once. Whatever
 * happens after the request was sent (a timeout, a connection cut mid-answer, a 5xx) is the
 * answer: retrying it is the caller's decision, since only the caller knows whether it is safe.
 */
final class ServiceInstances {

    private final List<URI> bases;
    private final AtomicInteger next = new AtomicInteger();

    ServiceInstances(List<URI> bases) {
        if (bases.isEmpty()) {
            throw new IllegalArgumentException("no service instance");
        }
        this.bases = List.copyOf(bases);
    }

    int size() {
        return bases.size();
    }

    URI base(int instance) {
        return bases.get(instance);
    }

    /**
     * Sends to the instance whose turn it is and, while {@code notConnected} says no connection could
     * be established, to the following ones, each at most once; returns the first real answer, or
     * the last instance's connection failure when none could be reached.
     */
    <T> T send(IntFunction<T> toInstance, Predicate<T> notConnected) {
        int first = Math.floorMod(next.getAndIncrement(), bases.size());
        T answer = null;
        for (int i = 0; i < bases.size(); i++) {
            answer = toInstance.apply((first + i) % bases.size());
            if (!notConnected.test(answer)) {
                return answer;
            }
        }
        return answer;
    }
}
