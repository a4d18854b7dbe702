package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import ru.otus.socialnet.testsupport.ClusterTest;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/** "Before replicas": with PG_AUTHORITY_REPLICA empty the primary serves every read. */
class PrimaryServesReadsIT extends ClusterTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        primaryOnly(registry);
    }

    @Test
    void searchesAndGetsRunOnThePrimary() {
        String id = api.register(unique("Прим"), "Орлов").text("user_id");
        String search = ReadWriteRoutingIT.SEARCH_SQL;
        String get = ReadWriteRoutingIT.GET_SQL;
        long primaryBefore = cluster.statementCalls(Node.PRIMARY, search) + cluster.statementCalls(Node.PRIMARY, get);
        long replicasBefore = cluster.statementCalls(Node.REPLICA1, search) + cluster.statementCalls(Node.REPLICA2, search)
                + cluster.statementCalls(Node.REPLICA1, get) + cluster.statementCalls(Node.REPLICA2, get);
        for (int i = 0; i < 5; i++) {
            assertThat(api.get("/user/search", Map.of("first_name", "Пр", "last_name", "Ор")).status()).isEqualTo(200);
            assertThat(api.get("/user/get/" + id).status()).isEqualTo(200);
        }
        long primaryAfter = cluster.statementCalls(Node.PRIMARY, search) + cluster.statementCalls(Node.PRIMARY, get);
        long replicasAfter = cluster.statementCalls(Node.REPLICA1, search) + cluster.statementCalls(Node.REPLICA2, search)
                + cluster.statementCalls(Node.REPLICA1, get) + cluster.statementCalls(Node.REPLICA2, get);
        assertThat(primaryAfter - primaryBefore).isEqualTo(10);
        assertThat(replicasAfter - replicasBefore).isZero();
    }
}
