import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording's CPU and allocations went, by layer, for bin/bench-search --profile. Run as
 * a single-file program (no build):
 *
 * <pre>java load/JfrSummary.java RECORDING.jfr WINDOWS [TOP]</pre>
 *
 * WINDOWS has one line per measured run, "LABEL START_MS END_MS" (epoch milliseconds); samples are
 * summed per label, so the search runs and the floor (a request that touches no database) are
 * summarised apart from each other and from the warm-up. Prints Markdown:
 * <ul>
 *   <li>CPU (jdk.ExecutionSample) by layer, each sample charged to its innermost frame outside the
 *   JDK (java., javax., jdk., sun.): which library's code was running, or asked the JDK to run;</li>
 *   <li>the top frames so charged, and the top methods by inclusive share (a sample counts once for
 *   every method on its stack: how much of the request sits under a transaction interceptor, say);</li>
 *   <li>allocation (jdk.ObjectAllocationSample, by sampled weight) by layer, and its top sites.</li>
 * </ul>
 */
public class JfrSummary {

    /** Package prefixes to layer names, first match wins (the order matters: Spring MVC before Spring core). */
    static final String[][] LAYERS = {
            {"ru.otus.", "the service's code"},
            {"org.apache.catalina.", "Tomcat"}, {"org.apache.coyote.", "Tomcat"}, {"org.apache.tomcat.", "Tomcat"},
            {"org.springframework.web.", "Spring MVC"}, {"org.springframework.http.", "Spring MVC"},
            {"org.springframework.jdbc.", "Spring JDBC"},
            {"org.springframework.transaction.", "Spring transactions, AOP"}, {"org.springframework.aop.", "Spring transactions, AOP"},
            {"org.springframework.cglib.", "Spring transactions, AOP"}, {"org.springframework.core.retry.", "Spring transactions, AOP"},
            {"org.springframework.validation.", "validation (Spring, Hibernate Validator)"},
            {"org.hibernate.validator.", "validation (Spring, Hibernate Validator)"},
            {"jakarta.validation.", "validation (Spring, Hibernate Validator)"},
            {"org.springframework.boot.actuate.", "Spring Boot Actuator"},
            {"org.springframework.", "Spring core, beans, context"},
            {"com.zaxxer.hikari.", "HikariCP"},
            {"org.postgresql.", "pgjdbc"},
            {"tools.jackson.", "Jackson"}, {"com.fasterxml.jackson.", "Jackson"},
            {"io.micrometer.", "Micrometer"},
            {"ch.qos.logback.", "logging"}, {"org.slf4j.", "logging"},
            {"org.springdoc.", "springdoc"}, {"io.swagger.", "springdoc"},
    };

    record Window(String label, long start, long end) {
    }

    /** One label's tallies. */
    static final class Tally {
        double cpu;
        double alloc;
        final Map<String, Double> cpuByLayer = new HashMap<>();
        final Map<String, Double> cpuByFrame = new HashMap<>();
        final Map<String, Double> cpuInclusive = new HashMap<>();
        final Map<String, Double> cpuSelf = new HashMap<>();
        final Map<String, Double> allocByLayer = new HashMap<>();
        final Map<String, Double> allocBySite = new HashMap<>();
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: java JfrSummary.java RECORDING.jfr WINDOWS [TOP]");
            System.exit(2);
        }
        List<Window> windows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) {
                windows.add(new Window(f[0], Long.parseLong(f[1]), Long.parseLong(f[2])));
            }
        }
        int top = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        Map<String, Tally> tallies = new LinkedHashMap<>();
        windows.forEach(w -> tallies.computeIfAbsent(w.label(), l -> new Tally()));
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = e.getEventType().getName();
            boolean cpu = type.equals("jdk.ExecutionSample");
            if (!cpu && !type.equals("jdk.ObjectAllocationSample")) {
                continue;
            }
            String label = labelOf(windows, e.getStartTime());
            RecordedStackTrace stack = e.getStackTrace();
            if (label == null || stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            Tally t = tallies.get(label);
            List<RecordedFrame> frames = stack.getFrames();
            RecordedFrame charged = chargedFrame(frames);
            String layer = charged == null ? "the JDK alone" : layerOf(className(charged));
            if (cpu) {
                t.cpu++;
                t.cpuByLayer.merge(layer, 1.0, Double::sum);
                t.cpuByFrame.merge(charged == null ? name(frames.get(0)) : name(charged), 1.0, Double::sum);
                t.cpuSelf.merge(name(frames.get(0)), 1.0, Double::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame f : frames) {
                    String n = name(f);
                    if (seen.add(n) && !isJdk(className(f))) {
                        t.cpuInclusive.merge(n, 1.0, Double::sum);
                    }
                }
            } else {
                double weight = e.getLong("weight");
                t.alloc += weight;
                t.allocByLayer.merge(layer, weight, Double::sum);
                t.allocBySite.merge((charged == null ? name(frames.get(0)) : name(charged)) + " → "
                        + simpleName(e.getClass("objectClass").getName()), weight, Double::sum);
            }
        }
        for (Map.Entry<String, Tally> entry : tallies.entrySet()) {
            Tally t = entry.getValue();
            System.out.printf("%n### %s: %.0f CPU samples, %.0f MB allocated (sampled weight)%n%n", entry.getKey(), t.cpu,
                    t.alloc / 1e6);
            table("CPU by layer (innermost frame outside the JDK)", t.cpuByLayer, t.cpu, 0);
            table("CPU: top frames (innermost outside the JDK)", t.cpuByFrame, t.cpu, top);
            table("CPU: top frames (innermost, JDK included)", t.cpuSelf, t.cpu, top);
            table("CPU: top methods, inclusive (share of samples with the method on the stack)", t.cpuInclusive, t.cpu, top);
            table("Allocation by layer", t.allocByLayer, t.alloc, 0);
            table("Allocation: top sites → class", t.allocBySite, t.alloc, top);
        }
    }

    static String labelOf(List<Window> windows, Instant at) {
        long ms = at.toEpochMilli();
        for (Window w : windows) {
            if (ms >= w.start() && ms < w.end()) {
                return w.label();
            }
        }
        return null;
    }

    static RecordedFrame chargedFrame(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            if (f.isJavaFrame() && !isJdk(className(f))) {
                return f;
            }
        }
        return null;
    }

    static String className(RecordedFrame f) {
        return f.getMethod().getType().getName();
    }

    static boolean isJdk(String className) {
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.");
    }

    static String layerOf(String className) {
        for (String[] l : LAYERS) {
            if (className.startsWith(l[0])) {
                return l[1];
            }
        }
        return "other: " + className.substring(0, Math.max(0, className.lastIndexOf('.')));
    }

    static String name(RecordedFrame f) {
        return simpleName(className(f)) + "." + f.getMethod().getName();
    }

    static String simpleName(String className) {
        String[] parts = className.split("\\.");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            b.append(parts[i].charAt(0)).append('.');
        }
        return b.append(parts[parts.length - 1]).toString();
    }

    static void table(String title, Map<String, Double> values, double total, int limit) {
        System.out.printf("| %s | share |%n|---|---|%n", title);
        values.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(limit > 0 ? limit : Long.MAX_VALUE)
                .forEach(e -> System.out.printf("| `%s` | %.1f %% |%n", e.getKey(), total == 0 ? 0 : 100 * e.getValue() / total));
        System.out.println();
    }
}
