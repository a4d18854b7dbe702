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
import java.util.concurrent.TimeUnit;

/**
 * One instance of the service under test as a process of its own, so that the nemesis can restart it
 * mid-load (or crash it). Its output is appended to one log file across restarts.
 */
final class ServiceProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

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

    /** Stops it for good: a healing step still running while the campaign shuts down cannot start it again. */
    @Override
    public synchronized void close() throws InterruptedException {
        closed = true;
        stop(true);
    }
}
