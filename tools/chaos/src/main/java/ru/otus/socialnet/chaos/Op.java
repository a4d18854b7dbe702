package ru.otus.socialnet.chaos;

/**
 * One request and its answer, as the client saw it: a line of the ledger.
 *
 * @param kind          a write (register), a read of the client's own write with its token, a search
 * @param client        the session or searcher that sent it
 * @param marker        the unique last name of the user written or read (also the Idempotency-Key); "" for a search
 * @param attempt       1 for the first send of a write, 2... for its retries with the same key and body
 * @param startMs       when it was sent (epoch ms)
 * @param endMs         when the answer (or the error) came
 * @param outcome       what it ended with
 * @param status        the HTTP status, 0 when there was none
 * @param userId        the user id a write was acknowledged with, or the id a read asked for
 * @param tokenSent     the X-Consistency-Token a read carried
 * @param tokenReceived the X-Consistency-Token a write's answer carried
 * @param instance      the number (1, 2...) of the service instance that answered; when none could be reached, the last one tried
 */
public record Op(Kind kind, String client, String marker, int attempt, long startMs, long endMs, Outcome outcome,
                 int status, String userId, String tokenSent, String tokenReceived, int instance) {

    public enum Kind { WRITE, READ, SEARCH }

    /** How a request ended, as a client would classify it. */
    public enum Outcome {
        OK, NOT_FOUND, WRONG_USER, REJECTED_400, REJECTED_422, CONFLICT_409, OTHER_4XX, UNAVAILABLE_503,
        UNKNOWN_504, SERVER_ERROR_5XX, TIMEOUT, NO_CONNECTION, IO_ERROR;

        /** The service answered the read (even "not found"): it was available for reading. */
        public boolean served() {
            return this == OK || this == NOT_FOUND || this == WRONG_USER;
        }

        /** A write that ended so may or may not be stored: never acknowledged, never refused either. */
        public boolean unknownForWrite() {
            return this == UNKNOWN_504 || this == SERVER_ERROR_5XX || this == TIMEOUT || this == IO_ERROR;
        }
    }

    public boolean acknowledged() {
        return kind == Kind.WRITE && outcome == Outcome.OK;
    }

    static final String CSV_HEADER = "kind,client,marker,attempt,start_ms,end_ms,outcome,status,user_id,token_sent,token_received,instance";

    String csv() {
        return String.join(",", kind.name(), client, marker, Integer.toString(attempt), Long.toString(startMs),
                Long.toString(endMs), outcome.name(), Integer.toString(status), nz(userId), nz(tokenSent), nz(tokenReceived),
                Integer.toString(instance));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
