package ru.otus.socialnet.routing.nodes;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import ru.otus.socialnet.pg.PgConnectionSettings;

/**
 * Where the database is and how long anything may take. Bound from {@code pg.*}, so the environment
 * variables {@code PG_AUTHORITY_MASTER}, {@code PG_AUTHORITY_REPLICA}, {@code PG_DATABASE},
 * {@code PG_USER}, {@code PG_PASSWORD}, {@code PG_POOL_*} and {@code PG_TIMEOUTS_*} set it. The
 * connection settings and their defaults are the ones every tool shares: {@link PgConnectionSettings}.
 */
@ConfigurationProperties("pg")
public record PgProperties(@DefaultValue Authority authority,
                           @DefaultValue(PgConnectionSettings.DEFAULT_DATABASE) String database,
                           @DefaultValue(PgConnectionSettings.DEFAULT_USER) String user,
                           @DefaultValue(PgConnectionSettings.DEFAULT_PASSWORD) String password,
                           @DefaultValue Pool pool, @DefaultValue Timeouts timeouts) {

    /** The connection settings, as the tools read them from the same names. */
    public PgConnectionSettings connection() {
        return new PgConnectionSettings(authority.master(), authority.replica(), database, user, password);
    }

    /**
     * The nodes. Every one named in either list is probed, and its role is what the server says:
     * writes go to the primary on the newest timeline, reads to the standbys following it.
     *
     * @param master  {@code host:port[,host:port...]}: the nodes that may be the primary
     * @param replica {@code host:port[,host:port...]}: nodes expected to be standbys; empty means the
     *                primary serves the reads too (the "before replicas" run of the experiment)
     */
    public record Authority(@DefaultValue(PgConnectionSettings.DEFAULT_MASTER) String master,
                            @DefaultValue(PgConnectionSettings.DEFAULT_REPLICA) String replica) {

        public List<HostPort> masters() {
            List<HostPort> hosts = HostPort.parseList(master);
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("PG_AUTHORITY_MASTER is empty: the service needs a primary");
            }
            return hosts;
        }

        public List<HostPort> replicas() {
            return HostPort.parseList(replica);
        }

        /** Every node named in either list, once, in the order named. */
        public List<HostPort> nodes() {
            Set<HostPort> all = new LinkedHashSet<>(masters());
            all.addAll(replicas());
            return List.copyOf(all);
        }

        /** Whether reads go to standbys at all (false: PG_AUTHORITY_REPLICA is empty). */
        public boolean readsOnStandbys() {
            return !replicas().isEmpty();
        }
    }

    /**
     * @param primarySize pooled connections for writes to the primary
     * @param replicaSize pooled connections for reads, per node
     */
    public record Pool(@DefaultValue("20") int primarySize, @DefaultValue("20") int replicaSize) {
    }

    /**
     * Every wait on a node is bounded; reads and writes differ. Socket timeouts go to the driver
     * (JDBC's {@code setNetworkTimeout} on each borrowed connection; pgjdbc's {@code socketTimeout},
     * rounded up to whole seconds, for the rest), statement and lock timeouts to the server
     * ({@code options=-c statement_timeout=... -c lock_timeout=...}).
     *
     * @param connect        TCP connect to a node (pgjdbc connectTimeout); the login may take twice this
     * @param readPoolWait   a read waits this long for a node's pool before the next node is tried
     * @param readSocket     a read that gets no answer this long is on a hung node: abandoned, re-run elsewhere
     * @param readStatement  the server cancels a read running this long (below read-socket, so a slow
     *                       but live server answers before the read is taken for hung)
     * @param readLock       a read waits this long for a lock (e.g. an ACCESS EXCLUSIVE lock replayed on a standby)
     * @param writePoolWait  a write waits this long for the primary's pool
     * @param writeSocket    a write (COMMIT included) that gets no answer this long fails; a COMMIT cut off
     *                       this way has an unknown outcome. No statement_timeout on writes: PostgreSQL
     *                       answers a cancelled wait for a synchronous standby with success, which would
     *                       acknowledge a write that no standby has.
     * @param writeLock      a write waits this long for a lock
     * @param probe          answer bound of a monitor probe (generous: a busy machine is not a dead node)
     */
    public record Timeouts(@DefaultValue("1s") Duration connect,
                           @DefaultValue("1s") Duration readPoolWait,
                           @DefaultValue("1500ms") Duration readSocket,
                           @DefaultValue("1200ms") Duration readStatement,
                           @DefaultValue("500ms") Duration readLock,
                           @DefaultValue("2s") Duration writePoolWait,
                           @DefaultValue("3s") Duration writeSocket,
                           @DefaultValue("1s") Duration writeLock,
                           @DefaultValue("2s") Duration probe) {

        public Timeouts {
            for (Duration d : List.of(connect, probe)) {
                if (d.toMillis() < 1000 || d.toMillis() % 1000 != 0) {
                    throw new IllegalArgumentException("pg.timeouts: connect and probe are whole seconds "
                            + "(the driver counts them in seconds), not " + d);
                }
            }
            if (readSocket.toMillis() < 100 || writeSocket.toMillis() < 100) {
                throw new IllegalArgumentException("pg.timeouts: read-socket and write-socket are at least 100ms");
            }
            if (readStatement.compareTo(readSocket) >= 0) {
                throw new IllegalArgumentException("pg.timeouts: read-statement must be below read-socket, or a slow "
                        + "read on a live server would be taken for a hung node");
            }
            if (readPoolWait.toMillis() < 250 || writePoolWait.toMillis() < 250) {
                throw new IllegalArgumentException("pg.timeouts: pool waits are at least 250ms (HikariCP's minimum)");
            }
        }
    }
}
