package ru.otus.socialnet.routing.nodes;

import java.util.Arrays;
import java.util.List;

/** One {@code host:port} of {@code PG_AUTHORITY_*}. */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** Parses {@code host:port} (port defaults to 5432); rejects anything else with a clear message. */
    public static HostPort parse(String text) {
        String s = text.strip();
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            return new HostPort(s, 5432);
        }
        try {
            return new HostPort(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a host:port authority: '" + text + "'", e);
        }
    }

    /** Parses a comma-separated list; blank gives an empty list. */
    public static List<HostPort> parseList(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return Arrays.stream(text.split(",")).filter(s -> !s.isBlank()).map(HostPort::parse).toList();
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
