package ru.otus.socialnet.routing.nodes;

import java.sql.SQLTransientConnectionException;

/**
 * No node can take this work now (no primary for a write, no node with the client's position for
 * a read). Nothing was sent anywhere, so nothing happened; the client may come back later. SQLSTATE
 * 08001, so Spring reports it like any connection failure (the service answers 503).
 */
public final class NoNodeAvailableException extends SQLTransientConnectionException {

    public NoNodeAvailableException(String reason) {
        super(reason, "08001");
    }
}
