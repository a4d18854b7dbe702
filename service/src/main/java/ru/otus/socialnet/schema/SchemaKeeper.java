package ru.otus.socialnet.schema;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.ValidateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;

import ru.otus.socialnet.consistency.ConsistencyToken;
import ru.otus.socialnet.routing.nodes.ClusterMonitor;
import ru.otus.socialnet.routing.nodes.MigrationDataSource;
import ru.otus.socialnet.routing.nodes.Node;
import ru.otus.socialnet.routing.nodes.SchemaGate;
import ru.otus.socialnet.routing.nodes.Topology;

/**
 * Keeps the database schema in place on the cluster the service follows, for as long as it runs —
 * with the same Flyway migrations, from the same locations, as at start-up.
 *
 * <ul>
 *   <li>At start-up (Spring Boot's Flyway initializer calls {@link #migrate}) the migrations run on
 *   the primary. While no primary answers, a standby is asked read-only whether the schema is already
 *   current (Flyway's validate: nothing pending, nothing changed): if it is, the service starts and
 *   serves reads, and migrates once a primary answers; only a schema that truly needs a migration
 *   waits for a primary, up to {@code pg.routing.migration-primary-wait}, and then stops the start.</li>
 *   <li>Afterwards, every {@code pg.routing.monitor-interval}: a cluster the service has not verified
 *   — re-created under it (a new system identifier), or one where a request met a missing table — is
 *   migrated as soon as its primary answers (or, without one, checked on a standby); requests get 503
 *   until then ({@link SchemaGate}). A background migration on a node that stops being the primary
 *   (hung, failed over) is abandoned and run again on the next one.</li>
 * </ul>
 * After migrating, the keeper waits (up to {@link #REPLAY_WAIT}) until the standbys in rotation have
 * replayed the migrations, so that no read meets a standby that lacks a new table.
 */
public final class SchemaKeeper implements FlywayMigrationStrategy, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SchemaKeeper.class);

    static final Duration REPLAY_WAIT = Duration.ofSeconds(10);

    /** What to do about the schema now. */
    enum Step {
        /** The schema is verified and no migration is owed. */
        NOTHING,
        /** Run the migrations on the primary. */
        MIGRATE,
        /** No primary: ask a standby, read-only, whether the schema is current. */
        CHECK_ON_STANDBY,
        /** Nothing that can tell: wait. */
        WAIT
    }

    /**
     * @param needsCheck    the followed cluster's schema is not verified (new cluster, a missing table met)
     * @param owed          it was verified read-only on a standby: the migrations still have to run
     * @param knownToNeedMigration a standby of this cluster already said the schema needs a migration
     */
    static Step next(boolean needsCheck, boolean owed, boolean knownToNeedMigration, boolean primary, boolean standby) {
        if (!needsCheck && !owed) {
            return Step.NOTHING;
        }
        if (primary) {
            return Step.MIGRATE;
        }
        return needsCheck && standby && !knownToNeedMigration ? Step.CHECK_ON_STANDBY : Step.WAIT;
    }

    private final ClusterMonitor monitor;
    private final SchemaGate gate;
    private final MigrationDataSource migrations;
    private final Duration interval;
    private final Duration primaryWait;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "schema-keeper");
        t.setDaemon(true);
        return t;
    });

    private volatile Flyway flyway;
    private volatile boolean owed;
    private volatile long needsMigration;
    private volatile Node migratingOn;

    public SchemaKeeper(ClusterMonitor monitor, MigrationDataSource migrations, Duration interval, Duration primaryWait) {
        this.monitor = monitor;
        this.gate = monitor.schema();
        this.migrations = migrations;
        this.interval = interval;
        this.primaryWait = primaryWait;
    }

    /** Start-up: called once by Spring Boot's Flyway initializer, before the web server starts. */
    @Override
    public void migrate(Flyway flyway) {
        this.flyway = flyway;
        gate.enforce();
        long deadline = System.nanoTime() + primaryWait.toNanos();
        Topology t = monitor.topology();
        while (!step(t)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no primary to migrate: " + t.whyNoPrimary()
                        + (needsMigration == t.systemId() && t.systemId() != 0 ? " (the schema needs a migration)" : ""));
            }
            pause(Duration.ofMillis(500));
            t = monitor.probeAll();
        }
        long every = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::keep, every, every, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::watchMigration, every, every, TimeUnit.MILLISECONDS);
    }

    /** The schema is owed a migration (verified read-only, no primary yet): health says so. */
    public boolean migrationOwed() {
        return owed;
    }

    private void keep() {
        try {
            step(monitor.topology());
        } catch (RuntimeException e) {
            log.warn("keeping the schema in place: {}; trying again", e.getMessage());
        }
    }

    /**
     * One step towards a verified schema on {@code t}'s cluster.
     *
     * @return whether requests may be served (the schema is verified, perhaps with a migration owed)
     */
    private boolean step(Topology t) {
        boolean needsCheck = gate.needsCheck(t) || t.systemId() == 0;
        switch (next(needsCheck, owed, needsMigration == t.systemId(), t.primary() != null,
                t.systemId() != 0 && !t.standbys().isEmpty())) {
            case NOTHING -> {
                return true;
            }
            case MIGRATE -> {
                migrateOn(t);
                return true;
            }
            case CHECK_ON_STANDBY -> {
                return checkOnStandby(t);
            }
            default -> {
                return !needsCheck;
            }
        }
    }

    private void migrateOn(Topology t) {
        Node primary = t.primary();
        migratingOn = primary;
        int applied;
        try {
            applied = flyway.migrate().migrationsExecuted;
        } finally {
            migratingOn = null;
        }
        awaitReplay(monitor.probeAll().lastPrimaryPosition());
        owed = false;
        gate.verified(t.systemId(), "migrated on " + primary.name() + " (" + applied + " migration(s) applied)");
    }

    /** Whether a standby says the schema is current (then it is verified, and a migration owed). */
    private boolean checkOnStandby(Topology t) {
        for (Node standby : t.standbys()) {
            ValidateResult result;
            try {
                result = Flyway.configure(flyway.getConfiguration().getClassLoader())
                        .configuration(flyway.getConfiguration())
                        .dataSource(migrations.readOnlyOn(standby))
                        .load()
                        .validateWithResult();
            } catch (FlywayException e) {
                log.info("could not check the schema on {}: {}", standby.name(), e.getMessage());
                continue;
            }
            if (result.validationSuccessful) {
                owed = true;
                gate.verified(t.systemId(), "current on " + standby.name() + " (checked read-only while no primary "
                        + "answers); the migrations run when one does");
                return true;
            }
            needsMigration = t.systemId();
            log.warn("the schema needs a migration ({}): waiting for a primary", result.getAllErrorMessages());
            return false;
        }
        return false;
    }

    /** Until the standbys in rotation have replayed {@code position} (the migrations), bounded. */
    private void awaitReplay(ConsistencyToken position) {
        if (position == null) {
            return;
        }
        long deadline = System.nanoTime() + REPLAY_WAIT.toNanos();
        while (!monitor.topology().inRotation().stream().allMatch(n -> position.reachedBy(n.replayLsn()))) {
            if (System.nanoTime() - deadline > 0) {
                log.warn("standbys have not replayed the migrations in {} s; serving anyway", REPLAY_WAIT.toSeconds());
                return;
            }
            pause(Duration.ofMillis(100));
        }
    }

    /** A background migration whose node is no longer the primary is abandoned (it runs again on the next). */
    private void watchMigration() {
        Node on = migratingOn;
        if (on != null && monitor.topology().primary() != on) {
            migrations.abandonAllBut(monitor.topology().primary());
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the schema", e);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
