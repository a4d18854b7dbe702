package ru.otus.socialnet.routing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.transaction.annotation.Transactional;

/**
 * A read that must see every committed write, so it runs on the primary: the route of a write,
 * declared for a read on purpose. A standby may not have replayed a commit of a moment ago — a user
 * who has just registered must be able to log in at once. Without this, such a method would look
 * like a read someone forgot to mark {@code @Transactional(readOnly = true)}; with it, moving it to a
 * standby means removing a name that says why it is here ({@code LoginIT} fails when it moves).
 *
 * <p>It is a read-write unit of work on the primary's write pool, exactly as {@code @Transactional}:
 * retried as a write (only when the server closed the connection before the COMMIT was sent) and
 * reporting its commit position like any write.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Transactional(readOnly = false)
public @interface ReadOnPrimary {
}
