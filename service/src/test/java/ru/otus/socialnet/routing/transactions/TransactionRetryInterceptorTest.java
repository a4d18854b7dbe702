package ru.otus.socialnet.routing.transactions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.annotation.AnnotationTransactionAttributeSource;
import org.springframework.transaction.annotation.Transactional;

import ru.otus.socialnet.routing.nodes.NoNodeAvailableException;

/** Which failures may run a transaction again: reads freely on a failed node, writes almost never. */
class TransactionRetryInterceptorTest {

    /** Fails its first {@code failures} calls with {@code failure}, then answers. */
    static class Flaky {
        final List<String> calls = new ArrayList<>();
        int failures;
        RuntimeException failure;

        @Transactional(readOnly = true)
        public String read() {
            return call("read");
        }

        @Transactional
        public String write() {
            return call("write");
        }

        private String call(String what) {
            calls.add(what);
            if (calls.size() <= failures) {
                throw failure;
            }
            return "answered";
        }
    }

    private final List<String> retries = new ArrayList<>();

    /** The interceptor around a Flaky, as Spring's proxy applies it, with 3 read retries. */
    private Flaky proxied(Flaky target) {
        ProxyFactory factory = new ProxyFactory(target);
        factory.setProxyTargetClass(true);
        factory.addAdvice(new TransactionRetryInterceptor(new AnnotationTransactionAttributeSource(), () -> 3, retries::add));
        return (Flaky) factory.getProxy();
    }

    private static Flaky failing(int times, RuntimeException failure) {
        Flaky flaky = new Flaky();
        flaky.failures = times;
        flaky.failure = failure;
        return flaky;
    }

    @Test
    void aReadWhoseNodeFailsRunsUpToThreeTimesMoreAndAnswers() {
        Flaky target = failing(3, (RuntimeException) CLOSED_BEFORE_COMMIT);
        assertThat(proxied(target).read()).isEqualTo("answered");
        assertThat(target.calls).hasSize(4);
        assertThat(retries).containsExactly("read", "read", "read");
    }

    @Test
    void aReadThatKeepsFailingFailsWithItsOwnFailureAfterFourAttempts() {
        Flaky target = failing(10, (RuntimeException) CLOSED_BEFORE_COMMIT);
        assertThatThrownBy(() -> proxied(target).read()).isSameAs(CLOSED_BEFORE_COMMIT);
        assertThat(target.calls).hasSize(4);
        assertThat(retries).hasSize(3);
    }

    @Test
    void aFailureThatSaysNothingAboutTheNodeIsNotRunAgain() {
        DuplicateKeyException duplicate = new DuplicateKeyException("dup");
        Flaky target = failing(1, duplicate);
        assertThatThrownBy(() -> proxied(target).read()).isSameAs(duplicate);
        assertThat(target.calls).hasSize(1);
        assertThat(retries).isEmpty();
    }

    @Test
    void aWriteDroppedBeforeItsCommitRunsOnceMoreAndNoMore() {
        Flaky target = failing(1, (RuntimeException) CLOSED_BEFORE_COMMIT);
        assertThat(proxied(target).write()).isEqualTo("answered");
        assertThat(retries).containsExactly("write");

        Flaky twice = failing(2, (RuntimeException) CLOSED_BEFORE_COMMIT);
        assertThatThrownBy(() -> proxied(twice).write()).isSameAs(CLOSED_BEFORE_COMMIT);
        assertThat(twice.calls).hasSize(2);
    }

    private static final Exception CLOSED_BEFORE_COMMIT = new DataAccessResourceFailureException("insert",
            new PSQLException("I/O error", PSQLState.CONNECTION_FAILURE, new EOFException()));
    private static final Exception HUNG = new DataAccessResourceFailureException("insert",
            new PSQLException("I/O error", PSQLState.CONNECTION_FAILURE, new SocketTimeoutException()));

    @Test
    void aReadRunsAgainWhenItsNodeFailedOrAStandbyCancelledItForReplay() {
        assertThat(TransactionRetryInterceptor.readMayRunAgain(CLOSED_BEFORE_COMMIT)).isTrue();
        assertThat(TransactionRetryInterceptor.readMayRunAgain(HUNG)).isTrue();
        assertThat(TransactionRetryInterceptor.readMayRunAgain(new SQLException("conflict with recovery", "40001"))).isTrue();
        assertThat(TransactionRetryInterceptor.readMayRunAgain(new SQLException("statement timeout", "57014"))).isTrue();
        assertThat(TransactionRetryInterceptor.readMayRunAgain(new SQLException("syntax", "42601"))).isFalse();
        assertThat(TransactionRetryInterceptor.readMayRunAgain(new NoNodeAvailableException("nobody"))).isFalse();
    }

    @Test
    void aWriteRunsAgainOnlyWhenTheServerDroppedItBeforeTheCommit() {
        assertThat(TransactionRetryInterceptor.writeMayRunAgain(CLOSED_BEFORE_COMMIT)).isTrue();
        assertThat(TransactionRetryInterceptor.writeMayRunAgain(new CommitOutcomeUnknownException("cut off",
                CLOSED_BEFORE_COMMIT))).as("the COMMIT was sent: never blindly").isFalse();
        assertThat(TransactionRetryInterceptor.writeMayRunAgain(HUNG)).as("a hung primary: waiting twice helps nobody").isFalse();
        assertThat(TransactionRetryInterceptor.writeMayRunAgain(new NoNodeAvailableException("no primary"))).isFalse();
        assertThat(TransactionRetryInterceptor.writeMayRunAgain(new DuplicateKeyException("dup"))).isFalse();
        assertThat(TransactionRetryInterceptor.writeMayRunAgain(new SQLException("conflict", "40001"))).isFalse();
    }
}
