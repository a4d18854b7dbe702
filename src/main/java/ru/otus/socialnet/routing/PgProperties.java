package ru.otus.socialnet.routing;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the database is. Bound from {@code pg.*}, so the environment variables
 * {@code PG_AUTHORITY_MASTER}, {@code PG_AUTHORITY_REPLICA}, {@code PG_DATABASE}, {@code PG_USER}
 * and {@code PG_PASSWORD} set it.
 */
@ConfigurationProperties("pg")
public record PgProperties(Authority authority, String database, String user, String password,
                           @DefaultValue Pool pool) {

    /**
     * @param master  {@code host:port[,host:port...]}: the primary; with several, whichever of them is
     *                the primary at the moment (the driver asks each server)
     * @param replica {@code host:port[,host:port...]}: the replicas sharing the reads; empty means the
     *                primary serves reads too
     */
    public record Authority(String master, @DefaultValue("") String replica) {

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
    }

    public record Pool(@DefaultValue("20") int primarySize,
                       @DefaultValue("20") int replicaSize,
                       @DefaultValue("3s") Duration connectionTimeout,
                       @DefaultValue("1s") Duration replicaConnectionTimeout) {
    }
}
