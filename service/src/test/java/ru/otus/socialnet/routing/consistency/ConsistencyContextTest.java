package ru.otus.socialnet.routing.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import ru.otus.socialnet.consistency.ConsistencyToken;

/** A request's floor: the client's token, raised by every commit the request makes. */
class ConsistencyContextTest {

    private final List<ConsistencyToken> sent = new ArrayList<>();

    @AfterEach
    void close() {
        ConsistencyContext.close();
    }

    @Test
    void eachCommitRaisesTheFloorAndIsSentBack() {
        ConsistencyContext.open(ConsistencyToken.parse("00000002/0/5000"), sent::add);
        ConsistencyContext.committed(ConsistencyToken.parse("00000002/0/6000"));
        assertThat(ConsistencyContext.floor()).hasToString("00000002/0/6000");
        assertThat(sent).extracting(ConsistencyToken::toString).containsExactly("00000002/0/6000");
    }

    @Test
    void aCommitAtAnUnknownPositionIsTheFloorUntilALaterCommitIsKnown() {
        ConsistencyContext.open(ConsistencyToken.parse("00000002/0/5000"), sent::add);
        ConsistencyContext.committed(ConsistencyToken.positionUnknown(2));
        assertThat(ConsistencyContext.floor().isPositionUnknown()).as("later than the client's floor").isTrue();
        ConsistencyContext.committed(ConsistencyToken.parse("00000002/0/7000"));
        assertThat(ConsistencyContext.floor()).hasToString("00000002/0/7000");
        assertThat(sent).extracting(ConsistencyToken::toString).containsExactly("00000002/0/0", "00000002/0/7000");
    }

    @Test
    void anUnknownPositionOnAnOlderTimelineDoesNotLowerAFloorOnANewerOne() {
        ConsistencyContext.open(ConsistencyToken.parse("00000003/0/5000"), sent::add);
        ConsistencyContext.committed(ConsistencyToken.positionUnknown(2));
        assertThat(ConsistencyContext.floor()).hasToString("00000003/0/5000");
    }
}
