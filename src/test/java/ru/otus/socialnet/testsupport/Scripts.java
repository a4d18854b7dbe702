package ru.otus.socialnet.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the project's own scripts (bin/cluster, bin/patroni-cluster) the way a user would. */
public final class Scripts {

    private Scripts() {
    }

    /**
     * Runs {@code script ARGS} with {@code env} added to this JVM's environment; returns its stdout
     * and stderr, interleaved. Fails the test when the script fails or takes longer than 180 s.
     */
    public static String run(Path script, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        String what = script.getFileName() + " " + String.join(" ", args);
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " timed out\n" + out);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed:\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
