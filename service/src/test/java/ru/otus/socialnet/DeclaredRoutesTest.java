package ru.otus.socialnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;

import ru.otus.socialnet.routing.ReadOnPrimary;

/**
 * Every way into a statement passes a declared route. A method that reaches the database — issues a
 * statement itself, or calls one that does — must run inside {@code @Transactional(readOnly = true)}
 * (a standby, with read retries) or a read-write route ({@code @Transactional}, {@link ReadOnPrimary}:
 * the primary), declared on it or on every caller above it. Without one, a new read would silently run
 * on the primary, with no retries. A route only counts where Spring's proxy applies it: on a method
 * that can be overridden (not private, static or final), called from another class (a call within the
 * class bypasses the proxy, and with it the route).
 *
 * <p>The {@code routing} package itself is left out: its probes, commit positions and migrations use
 * connections of their own on purpose, with their own bounds.
 */
class DeclaredRoutesTest {

    /** A statement issued directly: Spring's JDBC templates and clients, a DataSource's or a Connection's own. */
    static final DescribedPredicate<JavaCodeUnit> ISSUES_STATEMENTS = DescribedPredicate.describe(
            "issue statements", unit -> unit.getAccessesFromSelf().stream().anyMatch(DeclaredRoutesTest::reachesTheDatabase));

    static final ArchRule EVERY_WAY_INTO_A_STATEMENT_IS_ROUTED = ArchRuleDefinition.codeUnits()
            .that(ISSUES_STATEMENTS)
            .and().areDeclaredInClassesThat().resideOutsideOfPackage("ru.otus.socialnet.routing..")
            .should(onlyBeReachedThroughADeclaredRoute())
            .because("a method without a route runs on the primary with no retries, and nothing else fails");

    @Test
    void everyWayIntoAStatementPassesADeclaredRoute() {
        // The service's own classes only (not the shared modules' jars in the same packages).
        JavaClasses service = new ClassFileImporter().importLocations(
                List.of(Location.of(SocialNetApplication.class.getProtectionDomain().getCodeSource().getLocation())));
        assertThat(service.stream().filter(c -> c.getCodeUnits().stream().anyMatch(ISSUES_STATEMENTS)).map(JavaClass::getSimpleName))
                .as("the rule sees the repositories (else it checks nothing)")
                .contains("UserRepository", "TokenRepository");
        EVERY_WAY_INTO_A_STATEMENT_IS_ROUTED.check(service);
    }

    /** The rule itself fails where a route is missing or bypassed, and only there. */
    @Test
    void theRuleCatchesAMissingOrBypassedRoute() {
        EvaluationResult result = EVERY_WAY_INTO_A_STATEMENT_IS_ROUTED.evaluate(new ClassFileImporter().importClasses(
                Fixtures.Unrouted.class, Fixtures.CalledWithoutRoute.class, Fixtures.SelfInvoked.class,
                Fixtures.PrivateRoute.class, Fixtures.Routed.class, Fixtures.RoutedByItsCaller.class,
                Fixtures.OnPrimary.class, Fixtures.InALambda.class));
        String report = String.join("\n", result.getFailureReport().getDetails());
        assertThat(report)
                .contains("Fixtures$Unrouted.count()")
                .contains("Fixtures$CalledWithoutRoute.entry()")
                .contains("Fixtures$SelfInvoked.entry()")
                .contains("Fixtures$PrivateRoute.read()")
                .contains("Fixtures$InALambda.entry()")
                .doesNotContain("Fixtures$Routed.").doesNotContain("Fixtures$RoutedByItsCaller.")
                .doesNotContain("Fixtures$OnPrimary.");
    }

    private static final Set<String> PARSING_ONLY =
            Set.of("NamedParameterUtils", "ParsedSql", "AbstractSqlParameterSource", "SqlParameterSource");

    private static boolean reachesTheDatabase(JavaAccess<?> access) {
        if (access.getTarget().getName().equals("<init>")) {
            return false;
        }
        JavaClass owner = access.getTargetOwner();
        String name = access.getName();
        // Spring's parsing of named parameters is text work, done once per statement (UserRepository.Positional).
        return owner.getPackageName().startsWith("org.springframework.jdbc.core") && !PARSING_ONLY.contains(owner.getSimpleName())
                || owner.isAssignableTo(DataSource.class) && name.equals("getConnection")
                || owner.isAssignableTo(java.sql.Connection.class)
                && (name.startsWith("prepare") || name.equals("createStatement"));
    }

    /** Whether Spring applies a route declared here: a @Transactional (or an annotation carrying one) on an overridable method or its class. */
    static boolean declaresRoute(JavaCodeUnit unit) {
        if (unit.getModifiers().contains(JavaModifier.PRIVATE) || unit.getModifiers().contains(JavaModifier.STATIC)
                || unit.getModifiers().contains(JavaModifier.FINAL) || unit.isConstructor()) {
            return false;
        }
        return unit.isMetaAnnotatedWith(Transactional.class) || unit.isAnnotatedWith(Transactional.class)
                || unit.getOwner().isAnnotatedWith(Transactional.class) || unit.getOwner().isMetaAnnotatedWith(Transactional.class);
    }

    private static ArchCondition<JavaCodeUnit> onlyBeReachedThroughADeclaredRoute() {
        return new ArchCondition<>("only be reached through a declared route (@Transactional(readOnly = true), "
                + "@Transactional or @ReadOnPrimary)") {
            @Override
            public void check(JavaCodeUnit unit, ConditionEvents events) {
                List<String> unrouted = new ArrayList<>();
                Deque<JavaCodeUnit> path = new ArrayDeque<>();
                path.push(unit);
                waysInWithoutRoute(unit, path, unrouted);
                String message = unit.getFullName() + " reaches the database" + (unrouted.isEmpty() ? " through a route"
                        : " with no route on the way in: " + String.join("; ", unrouted));
                events.add(new SimpleConditionEvent(unit, unrouted.isEmpty(), message));
            }
        };
    }

    /**
     * Collects each way into {@code unit} (as a call chain, outermost first) on which no route
     * applies. A route on {@code unit} covers the calls from other classes; calls from its own class
     * bypass it and must be covered above.
     */
    private static void waysInWithoutRoute(JavaCodeUnit unit, Deque<JavaCodeUnit> path, List<String> out) {
        boolean routed = declaresRoute(unit);
        List<JavaCodeUnit> callers = unit.getAccessesToSelf().stream().<JavaCodeUnit>map(JavaAccess::getOrigin).distinct().toList();
        if (!routed && callers.isEmpty()) {
            out.add(path.stream().map(DeclaredRoutesTest::describe).collect(Collectors.joining(" -> ")));
            return;
        }
        for (JavaCodeUnit caller : callers) {
            boolean throughTheProxy = !caller.getOwner().equals(unit.getOwner());
            if (routed && throughTheProxy || path.contains(caller)) {
                continue;
            }
            path.push(caller);
            waysInWithoutRoute(caller, path, out);
            path.pop();
        }
    }

    private static String describe(JavaCodeUnit unit) {
        return unit.getOwner().getName().substring(unit.getOwner().getPackageName().length() + 1) + "." + unit.getName()
                + "(" + unit.getRawParameterTypes().stream().map(JavaClass::getSimpleName).collect(Collectors.joining(", ")) + ")";
    }

    /** Code the rule must judge; never run. */
    static class Fixtures {

        static class Unrouted {
            JdbcClient jdbc;

            public int count() {
                return jdbc.sql("SELECT 1").query(Integer.class).single();
            }
        }

        static class CalledWithoutRoute {
            Unrouted repository;

            public int entry() {
                return repository.count() + 1;
            }
        }

        static class SelfInvoked {
            JdbcClient jdbc;

            public int entry() {
                return read(); // not through the proxy: read's route does not apply
            }

            @Transactional(readOnly = true)
            public int read() {
                return jdbc.sql("SELECT 1").query(Integer.class).single();
            }
        }

        static class PrivateRoute {
            JdbcClient jdbc;
            SelfInvoked other;

            @Transactional(readOnly = true)
            private int read() {
                return jdbc.sql("SELECT 1").query(Integer.class).single();
            }

            public int entry() {
                return other.read() + read();
            }
        }

        static class Routed {
            JdbcClient jdbc;

            @Transactional(readOnly = true)
            public int read() {
                return jdbc.sql("SELECT 1").query(Integer.class).single();
            }
        }

        static class RoutedByItsCaller {
            Repository repository;

            @Transactional(readOnly = true)
            public int read() {
                return repository.count();
            }

            static class Repository {
                JdbcClient jdbc;

                int count() {
                    return jdbc.sql("SELECT 1").query(Integer.class).single();
                }
            }
        }

        static class OnPrimary {
            JdbcClient jdbc;

            @ReadOnPrimary
            public int read() {
                return jdbc.sql("SELECT 1").query(Integer.class).single();
            }
        }

        static class InALambda {
            JdbcClient jdbc;

            public Runnable entry() {
                return () -> jdbc.sql("SELECT 1").update();
            }
        }
    }
}
