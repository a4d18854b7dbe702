package ru.otus.socialnet.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ServiceInstancesTest {

    final ServiceInstances three = new ServiceInstances(List.of(URI.create("http://127.0.0.1:1"),
            URI.create("http://127.0.0.1:2"), URI.create("http://127.0.0.1:3")));
    final List<Integer> tried = new ArrayList<>();

    /** Sends to {@code instance}: "refused" when it is down, else the instance's answer. */
    String send(Set<Integer> down) {
        return three.send(i -> {
            tried.add(i);
            return down.contains(i) ? "refused" : "answer from " + i;
        }, "refused"::equals);
    }

    @Test
    void requestsGoRoundRobinWhileEveryInstanceAnswers() {
        for (int i = 0; i < 6; i++) {
            send(Set.of());
        }
        assertThat(tried).containsExactly(0, 1, 2, 0, 1, 2);
    }

    @Test
    void aRequestNoInstanceConnectedToGoesToTheNextAtOnceAndTheTurnsGoOn() {
        assertThat(send(Set.of(0))).isEqualTo("answer from 1");
        assertThat(tried).containsExactly(0, 1);
        tried.clear();
        assertThat(send(Set.of(0))).as("the next turn is still instance 1's").isEqualTo("answer from 1");
        assertThat(send(Set.of(0))).isEqualTo("answer from 2");
        assertThat(send(Set.of(0))).isEqualTo("answer from 1");
        assertThat(tried).containsExactly(1, 2, 0, 1);
    }

    @Test
    void anAnswerThatIsNotAConnectionFailureIsReturnedAsItIsEvenAnError() {
        String answer = three.send(i -> {
            tried.add(i);
            return "timeout after the request was sent";
        }, "refused"::equals);
        assertThat(answer).isEqualTo("timeout after the request was sent");
        assertThat(tried).as("sent once: only the caller knows whether resending is safe").containsExactly(0);
    }

    @Test
    void withEveryInstanceDownEachIsTriedOnceAndTheConnectionFailureIsTheAnswer() {
        three.send(i -> "answer", s -> true); // the turn moves on to instance 1
        assertThat(send(Set.of(0, 1, 2))).isEqualTo("refused");
        assertThat(tried).containsExactly(1, 2, 0);
    }
}
