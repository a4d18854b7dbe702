package ru.otus.socialnet.system;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id: the caller's {@code X-Request-Id} when it is a sane token, else a new
 * random UUID. It is echoed in the response header, put in the logging MDC (so every log line of the
 * request carries it) and into error bodies as {@code request_id}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestIdFilter extends OncePerRequestFilter {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "request_id";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String incoming = request.getHeader(HEADER);
        Object existing = request.getAttribute(MDC_KEY);
        String id = existing != null ? existing.toString()
                : incoming != null && SANE.matcher(incoming).matches() ? incoming : newId();
        request.setAttribute(MDC_KEY, id);
        response.setHeader(HEADER, id);
        MDC.put(MDC_KEY, id);
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove(MDC_KEY);
        }
    }

    /**
     * A random (version 4) UUID from {@link ThreadLocalRandom}: an id to find a request's log lines by,
     * not a secret, so it needs no {@code SecureRandom} (whose shared, locked generator
     * {@code UUID.randomUUID()} uses on every request).
     */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong() & ~0xF000L | 0x4000L; // version 4
        long low = random.nextLong() & ~(0xC000L << 48) | 0x8000L << 48; // IETF variant
        return new UUID(high, low).toString();
    }

    /**
     * Also on the error dispatch of a request the container refused before any filter ran (a
     * TRACE, say): its error body carries a request id too. A request that already has one keeps it.
     */
    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    /** The error dispatch of a request this filter already saw: the same id, back in the MDC. */
    @Override
    protected void doFilterNestedErrorDispatch(HttpServletRequest request, HttpServletResponse response,
                                               FilterChain chain) throws ServletException, IOException {
        doFilterInternal(request, response, chain);
    }

    /** The id of the request being served (also outside the MDC, e.g. in error dispatches). */
    public static String currentId(HttpServletRequest request) {
        Object id = request.getAttribute(MDC_KEY);
        return id != null ? id.toString() : MDC.get(MDC_KEY);
    }
}
