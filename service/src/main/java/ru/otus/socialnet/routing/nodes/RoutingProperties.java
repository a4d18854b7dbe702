package ru.otus.socialnet.routing.nodes;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How the nodes are watched and reads routed among the standbys ({@code pg.routing.*}); README
 * "Routing rules" explains each.
 *
 * @param monitorInterval how often each node is probed (role, timeline, position, lag)
 * @param maxLagBytes     a replica further behind the primary's WAL than this leaves the rotation...
 * @param resumeLagBytes  ...and comes back only once it is below this (hysteresis: no flapping)
 * @param maxLag          the same bound in time...
 * @param resumeLag       ...and its way back
 * @param banMin          a node that failed is out of use until a probe succeeds; the first
 *                        re-probe after a failed probe comes this long later...
 * @param banMax          ...doubling on every failed probe up to this
 * @param tokenWait       how long a read carrying a consistency token may wait for a replica to
 *                        replay up to it before the primary serves it
 * @param readRetries     how often a read whose node failed under it runs again (on another node)
 * @param migrationPrimaryWait at start-up, how long a schema that needs a migration waits for a primary
 *                        to answer (a cluster still starting, a failover under way, a machine too busy
 *                        for the first probe) before the service gives up starting; a schema a standby
 *                        shows to be current does not wait (the migrations run once a primary answers)
 */
@ConfigurationProperties("pg.routing")
public record RoutingProperties(@DefaultValue("1s") Duration monitorInterval,
                                @DefaultValue("16MB") DataSize maxLagBytes,
                                @DefaultValue("4MB") DataSize resumeLagBytes,
                                @DefaultValue("10s") Duration maxLag,
                                @DefaultValue("3s") Duration resumeLag,
                                @DefaultValue("1s") Duration banMin,
                                @DefaultValue("2s") Duration banMax,
                                @DefaultValue("200ms") Duration tokenWait,
                                @DefaultValue("3") int readRetries,
                                @DefaultValue("60s") Duration migrationPrimaryWait) {

    public RoutingProperties {
        if (resumeLagBytes.compareTo(maxLagBytes) > 0 || resumeLag.compareTo(maxLag) > 0) {
            throw new IllegalArgumentException("pg.routing: a resume-lag bound must not exceed its max-lag bound");
        }
        if (readRetries < 0) {
            throw new IllegalArgumentException("pg.routing.read-retries must not be negative");
        }
        if (banMin.isNegative() || banMin.isZero() || banMax.compareTo(banMin) < 0) {
            throw new IllegalArgumentException("pg.routing: need 0 < ban-min <= ban-max");
        }
    }
}
