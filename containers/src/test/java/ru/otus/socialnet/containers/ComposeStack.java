package ru.otus.socialnet.containers;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.DockerComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startable;

import ru.otus.socialnet.cluster.ClusterControl;

/**
 * One of the repository's compose stacks, started as a user starts it — the compose file as it is, the
 * images built from the project's Dockerfiles by the local compose CLI (docker-compose v1 where it is
 * installed, else {@code docker compose}), nothing pulled — under a project name of its own, and taken
 * down with its volumes at the end. Through Testcontainers ({@link DockerComposeContainer} /
 * {@link ComposeContainer} with the local binary; Ryuk is off: its image cannot be pulled here).
 *
 * <p>No engine is a failure, never a skip: these tests only run where they were asked for (profile
 * {@code containers}, on in CI).
 */
public final class ComposeStack implements AutoCloseable {

    public static final Path REPO = Path.of("").toAbsolutePath();
    /** Building the images (cached layers after bin/docker-engine images) and the first start. */
    static final Duration STARTUP = Duration.ofMinutes(10);

    private final Startable compose;
    private final boolean v1;
    private final Map<String, String> env;
    private final Path file;
    private String project;

    private ComposeStack(Path file, Map<String, String> env) {
        requireEngine();
        this.file = file;
        this.env = env;
        this.v1 = onPath("docker-compose");
        String id = "snrtc" + ProcessHandle.current().pid() + "x";
        if (v1) {
            this.compose = new DockerComposeContainer<>(id, file.toFile()).withEnv(env).withBuild(true).withPull(false)
                    .withTailChildContainers(false).withStartupTimeout(STARTUP);
        } else {
            this.compose = new ComposeContainer(id, file.toFile()).withEnv(env).withBuild(true).withPull(false)
                    .withStartupTimeout(STARTUP);
        }
    }

    /**
     * Starts FILE (relative to the repository) with ENV for its variables, and waits until each of
     * HEALTHY's services reports healthy (its compose healthcheck).
     */
    public static ComposeStack start(String file, Map<String, String> env, String... healthy) {
        ComposeStack stack = new ComposeStack(REPO.resolve(file), env);
        for (String service : healthy) {
            String instance = service + (stack.v1 ? "_1" : "-1");
            if (stack.compose instanceof DockerComposeContainer<?> c) {
                c.waitingFor(instance, Wait.forHealthcheck().withStartupTimeout(STARTUP));
            } else {
                ((ComposeContainer) stack.compose).waitingFor(instance, Wait.forHealthcheck().withStartupTimeout(STARTUP));
            }
        }
        long started = System.nanoTime();
        stack.compose.start();
        System.out.printf("compose stack %s up (healthy: %s) in %.1f s%n", file, String.join(", ", healthy),
                (System.nanoTime() - started) / 1e9);
        return stack;
    }

    /** The container of SERVICE (its first instance). */
    public ContainerState container(String service) {
        String instance = service + (v1 ? "_1" : "-1");
        return (compose instanceof DockerComposeContainer<?> c ? c.getContainerByServiceName(instance)
                : ((ComposeContainer) compose).getContainerByServiceName(instance))
                .orElseThrow(() -> new IllegalStateException("no container of service " + service));
    }

    /** The stack's compose project name (Testcontainers chose it), as compose labels its containers. */
    public String project() {
        if (project == null) {
            project = container(firstService()).getContainerInfo().getConfig().getLabels().get("com.docker.compose.project");
        }
        return project;
    }

    private String firstService() {
        return file.getFileName().toString().contains("patroni") ? "etcd" : "primary";
    }

    /** The environment under which compose, and a command of the repository, see this stack. */
    public Map<String, String> environment() {
        Map<String, String> all = new HashMap<>(env);
        all.put("COMPOSE_PROJECT_NAME", project());
        all.put("COMPOSE_CLUSTER_FILE", file.toString());
        return all;
    }

    /** bin/compose-cluster on this stack: the cluster-command contract (nodes, kill, failover, rejoin...). */
    public ClusterControl composeCluster() {
        return ClusterControl.capturingStderr(List.of(REPO.resolve("bin/compose-cluster").toString()), environment(),
                Duration.ofMinutes(5));
    }

    /** Runs the local compose CLI on this stack ({@code docker-compose ARGS} or {@code docker compose ARGS}); its output. */
    public String compose(String... args) {
        List<String> command = new ArrayList<>(v1 ? List.of("docker-compose") : List.of("docker", "compose"));
        command.addAll(List.of("-f", file.toString()));
        command.addAll(List.of(args));
        return run(command, environment());
    }

    /** SERVICE's container's address on the stack's network, now (it changes when containers restart in another order). */
    public String address(String service) {
        String id = compose("ps", "-q", service).strip();
        return run(List.of("docker", "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", id),
                environment()).strip();
    }

    /**
     * SERVICE's container and its data volume removed, as an operator replaces a node's broken disk
     * ({@code docker compose rm -sf SERVICE}, {@code docker volume rm PROJECT_SERVICE-data}): its next
     * {@code up} starts it on an empty volume.
     */
    public void replaceVolume(String service) {
        compose("rm", "-s", "-f", service);
        run(List.of("docker", "volume", "rm", project() + "_" + service + "-data"), environment());
    }

    /** The service's log (stdout and stderr) as compose shows it. */
    public String logs(String service) {
        return compose("logs", "--no-color", service);
    }

    @Override
    public void close() {
        compose.stop();
    }

    static String run(List<String> command, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " did not end in 5 min");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(command + " failed (exit " + p.exitValue() + "): " + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException(command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean onPath(String executable) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, executable).canExecute()) {
                return true;
            }
        }
        return false;
    }

    /** Fails, loudly, where no Docker engine answers: these tests must never pass by not running. */
    static void requireEngine() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("the container tests need a Docker engine, and none answers here: start one "
                    + "(as root: bin/docker-engine up, which also builds the images offline), or run the build "
                    + "without the 'containers' profile (it is on when CI=true)");
        }
    }
}
