package ru.otus.socialnet.routing.transactions;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryState;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;
import org.springframework.transaction.interceptor.TransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttributeSource;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import ru.otus.socialnet.routing.nodes.NodeFailure;

/**
 * Runs a {@code @Transactional} method again, as a whole new transaction, when the node under it
 * failed — declared by the annotation alone, so a new service method gets the same retries as the
 * existing ones. It sits outside the transaction interceptor (see {@link TransactionRetryConfiguration}).
 *
 * <ul>
 *   <li>{@code @Transactional(readOnly = true)}: re-run when the node failed (refused, broken,
 *   hung: the router then picks another node; the node was banned where it failed), a hot standby
 *   cancelled the read for a recovery conflict, or the read outlived its statement timeout there.
 *   Reading twice is harmless, and nothing has been sent to the client yet.</li>
 *   <li>{@code @Transactional}: re-run once when the server closed the connection before the
 *   COMMIT was sent (a restart or failover between the pool's check and the statement): the server
 *   rolled the transaction back, so nothing is written twice. Never after the COMMIT was sent
 *   ({@link CommitOutcomeUnknownException}), never after a timeout (a hung primary would only make
 *   the client wait twice).</li>
 * </ul>
 * A call inside a transaction that is already running is the outer boundary's to retry: re-running
 * half a transaction would be wrong.
 */
public final class TransactionRetryInterceptor implements MethodInterceptor {

    private final TransactionAttributeSource transactions;
    private final IntSupplier readRetries;
    private final Consumer<String> onRetry;
    private volatile Retries reads;
    private final Retries writes;

    /**
     * @param readRetries asked once, at the first read (the settings are bound after this interceptor exists)
     * @param onRetry     hears "read" or "write" before each re-run (metrics)
     */
    public TransactionRetryInterceptor(TransactionAttributeSource transactions, IntSupplier readRetries,
                                       Consumer<String> onRetry) {
        this.transactions = transactions;
        this.readRetries = readRetries;
        this.onRetry = onRetry;
        this.writes = Retries.of(1, TransactionRetryInterceptor::writeMayRunAgain, () -> onRetry.accept("write"));
    }

    private Retries reads() {
        Retries retries = reads;
        if (retries == null) {
            retries = Retries.of(readRetries.getAsInt(), TransactionRetryInterceptor::readMayRunAgain,
                    () -> onRetry.accept("read"));
            reads = retries;
        }
        return retries;
    }

    /**
     * A read may run again on another node: its node failed, a standby cancelled it for replay, or
     * its node was too slow for the statement timeout (overloaded or busy replaying: another node
     * may answer in time; the number of retries bounds what this adds under load).
     */
    static boolean readMayRunAgain(Throwable failure) {
        return NodeFailure.of(failure).nodeIsDown() || NodeFailure.isRecoveryConflict(failure)
                || NodeFailure.isStatementTimeout(failure);
    }

    /** A write may run again only when the server dropped the connection before the COMMIT was sent. */
    static boolean writeMayRunAgain(Throwable failure) {
        return !(failure instanceof CommitOutcomeUnknownException) && NodeFailure.of(failure) == NodeFailure.BROKEN;
    }

    /**
     * How one kind of transaction runs again. The first attempt runs outside Spring's
     * {@link RetryTemplate}, which costs something on every call (a retry state, the operation's
     * name) while nearly every call succeeds at once; a failure that may run again hands the
     * remaining attempts to the template ({@code afterTheFirst}: null when there are none).
     */
    private record Retries(Predicate<Throwable> mayRunAgain, RetryTemplate afterTheFirst, Runnable onRetry) {

        static Retries of(int retries, Predicate<Throwable> mayRunAgain, Runnable onRetry) {
            if (retries < 1) {
                return new Retries(mayRunAgain, null, onRetry);
            }
            RetryTemplate template = new RetryTemplate(RetryPolicy.builder()
                    .predicate(mayRunAgain).maxRetries(retries - 1).delay(Duration.ZERO).build());
            template.setRetryListener(new RetryListener() {
                @Override
                public void beforeRetry(RetryPolicy policy, Retryable<?> retryable, RetryState state) {
                    onRetry.run();
                }
            });
            return new Retries(mayRunAgain, template, onRetry);
        }
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return invocation.proceed();
        }
        Object target = invocation.getThis();
        TransactionAttribute attribute = transactions.getTransactionAttribute(invocation.getMethod(),
                target != null ? AopUtils.getTargetClass(target) : invocation.getMethod().getDeclaringClass());
        if (attribute == null) {
            return invocation.proceed();
        }
        Retries retries = attribute.isReadOnly() ? reads() : writes;
        try {
            return ((ProxyMethodInvocation) invocation).invocableClone().proceed();
        } catch (Throwable failure) {
            if (retries.afterTheFirst() == null || !retries.mayRunAgain().test(failure)) {
                throw failure;
            }
        }
        retries.onRetry().run();
        try {
            return retries.afterTheFirst().execute(new Retryable<Object>() {
                @Override
                public Object execute() throws Throwable {
                    return ((ProxyMethodInvocation) invocation).invocableClone().proceed();
                }

                @Override
                public String getName() {
                    return invocation.getMethod().getDeclaringClass().getSimpleName() + "." + invocation.getMethod().getName();
                }
            });
        } catch (RetryException e) {
            throw e.getCause();
        }
    }
}
