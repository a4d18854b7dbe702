package ru.otus.socialnet.routing.consistency;

import java.util.function.Consumer;

import ru.otus.socialnet.consistency.ConsistencyToken;

/**
 * What the request being served has to see: the client's consistency token, raised by every
 * commit this request makes on the primary. Bound to the serving thread for the length of the
 * request (like the logging MDC) by {@code ConsistencyTokenFilter}; outside a request there is none
 * and reads have no floor.
 */
public final class ConsistencyContext {

    private static final ThreadLocal<ConsistencyContext> CURRENT = new ThreadLocal<>();

    private ConsistencyToken floor;
    private final Consumer<ConsistencyToken> onCommit;

    private ConsistencyContext(ConsistencyToken floor, Consumer<ConsistencyToken> onCommit) {
        this.floor = floor;
        this.onCommit = onCommit;
    }

    /** Binds a context to this thread; {@code onCommit} hears every position this request commits. */
    public static void open(ConsistencyToken fromClient, Consumer<ConsistencyToken> onCommit) {
        CURRENT.set(new ConsistencyContext(fromClient, onCommit));
    }

    public static void close() {
        CURRENT.remove();
    }

    static boolean isOpen() {
        return CURRENT.get() != null;
    }

    /** The position a read must have replayed, or null when any replica in rotation will do. */
    public static ConsistencyToken floor() {
        ConsistencyContext context = CURRENT.get();
        return context == null ? null : context.floor;
    }

    /** A transaction of this request committed at {@code position}: later reads must see it. */
    static void committed(ConsistencyToken position) {
        ConsistencyContext context = CURRENT.get();
        if (context != null) {
            // A commit at an unknown position is later than any floor of its timeline or an older
            // one, yet compares as the smallest: it is the floor now (the primary serves it).
            boolean unknownAndLatest = position.isPositionUnknown()
                    && (context.floor == null || context.floor.timeline() <= position.timeline());
            context.floor = unknownAndLatest ? position : position.max(context.floor);
            context.onCommit.accept(context.floor);
        }
    }
}
