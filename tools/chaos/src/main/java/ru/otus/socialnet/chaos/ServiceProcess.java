package ru.otus.socialnet.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One instance of the service under test as a process of its own, so that the nemesis can restart it
 * mid-load (or crash it). Its output is appended to one log file across restarts.
 */
final class ServiceProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final int number;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path log;
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private Process process;
    private boolean closed;

    /** @param number 1, 2...: the instance's number in the ledger and the reports */
    ServiceProcess(int number, List<String> command, Map<String, String> environment, Path log, URI base) {
        this.number = number;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.log = log;
        this.base = base;
    }

    int number() {
        return number;
    }

    /** "service 2 (:18096)": how the reports name it. */
    @Override
    public String toString() {
        return "service " + number + " (:" + base.getPort() + ")";
    }

    /** Starts it and waits until it answers HTTP (whatever its health says: a fault may be under way). */
    synchronized void start() throws IOException, InterruptedException {
        if (closed) {
            throw new IllegalStateException("the campaign is shutting down: the service stays stopped");
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(environment);
        process = pb.start();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (answers()) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(this + " exited (" + process.exitValue() + "); see " + log);
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(this + " did not answer within " + READY_TIMEOUT.toSeconds() + " s; see " + log);
    }

    /** SIGTERM and a graceful shutdown (in-flight requests finish), or SIGKILL as a crash. */
    synchronized void stop(boolean graceful) throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        if (graceful) {
            process.destroy();
            if (process.waitFor(45, TimeUnit.SECONDS)) {
                return;
            }
        }
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** True when anything answers HTTP on the health endpoint within a second or two. */
    boolean answers() {
        try {
            HttpRequest r = HttpRequest.newBuilder(base.resolve("/actuator/health")).timeout(Duration.ofSeconds(2)).GET().build();
            http.send(r, HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Whether this instance's read router has the node at AUTHORITY in its rotation now, from its
     * health ({@code components.replication.details.nodes.<host:port>.in_rotation}); empty when the
     * instance does not answer or does not know the node.
     */
    Optional<Boolean> inRotation(String authority) {
        try {
            HttpRequest r = HttpRequest.newBuilder(base.resolve("/actuator/health")).timeout(Duration.ofSeconds(2)).GET().build();
            JsonNode node = JSON.readTree(http.send(r, HttpResponse.BodyHandlers.ofString()).body())
                    .path("components").path("replication").path("details").path("nodes").path(authority).path("in_rotation");
            return node.isBoolean() ? Optional.of(node.booleanValue()) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Stops it for good: a healing step still running while the campaign shuts down cannot start it again. */
    @Override
    public synchronized void close() throws InterruptedException {
        closed = true;
        stop(true);
    }
}
