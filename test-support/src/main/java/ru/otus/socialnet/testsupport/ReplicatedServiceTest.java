package ru.otus.socialnet.testsupport;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A {@link ClusterTest} with reads on both replicas, declared once here so that every subclass
 * shares one Spring context (the context cache keys on the declaring method): a class that only
 * talks HTTP to the service has no reason to pay for a context of its own.
 */
public abstract class ReplicatedServiceTest extends ClusterTest {

    @DynamicPropertySource
    static void replicatedService(DynamicPropertyRegistry registry) {
        withReplicas(registry);
    }
}
