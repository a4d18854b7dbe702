package ru.otus.socialnet.routing;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

import ru.otus.socialnet.consistency.ConsistencyToken;
import ru.otus.socialnet.routing.consistency.ConsistencyContext;
import ru.otus.socialnet.routing.nodes.ClusterPositions;
import ru.otus.socialnet.system.ApiException;

/**
 * Read-your-writes across requests. A request's {@value ConsistencyToken#HEADER} header is the
 * floor its reads must see; each commit the request makes raises the floor and is sent back in
 * the same header, for the client to carry on its next requests. A token that is malformed, or ahead
 * of anything this cluster's primary has written (it cannot have come from here), is a 400: waiting
 * for a position that will never come would only slow every read down.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10) // inside RequestIdFilter, so errors carry the request id
class ConsistencyTokenFilter extends OncePerRequestFilter {

    private final HandlerExceptionResolver errors;
    private final ClusterPositions cluster;

    ConsistencyTokenFilter(@Qualifier("handlerExceptionResolver") HandlerExceptionResolver errors,
                           ClusterPositions cluster) {
        this.errors = errors;
        this.cluster = cluster;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(ConsistencyToken.HEADER);
        ConsistencyToken floor;
        try {
            floor = header == null || header.isBlank() ? null : ConsistencyToken.parse(header);
            if (floor != null && !cluster.couldHaveIssued(floor)) {
                throw new IllegalArgumentException(ConsistencyToken.HEADER + " " + floor
                        + " is ahead of this cluster's primary: it was not issued here");
            }
        } catch (IllegalArgumentException e) {
            errors.resolveException(request, response, null, ApiException.invalid(e.getMessage()));
            return;
        }
        // The header is set while the handler runs, before the body is written: a commit
        // always happens before the answer it leads to.
        ConsistencyContext.open(floor, token -> response.setHeader(ConsistencyToken.HEADER, token.toString()));
        try {
            chain.doFilter(request, response);
        } finally {
            ConsistencyContext.close();
        }
    }
}
