package ru.otus.socialnet.routing.transactions;

import org.springframework.aop.Advisor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.Ordered;
import org.springframework.transaction.interceptor.TransactionAttributeSource;

import ru.otus.socialnet.routing.nodes.RoutingMetrics;
import ru.otus.socialnet.routing.nodes.RoutingProperties;

/**
 * Applies {@link TransactionRetryInterceptor} to every method that has a transaction attribute —
 * the same attributes, from the same source, that the transaction interceptor reads — and orders it
 * just outside the transaction interceptor (which Spring Boot registers at the lowest precedence),
 * so each attempt is a transaction of its own with a connection of its own.
 */
@Configuration(proxyBeanMethods = false)
public class TransactionRetryConfiguration {

    /** Retries wrap transactions: their advisor runs first. */
    static final int ORDER = Ordered.LOWEST_PRECEDENCE - 1;

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE) // picked up by Spring's infrastructure auto-proxy creator
    static Advisor transactionRetryAdvisor(TransactionAttributeSource transactionAttributeSource,
                                           ObjectProvider<RoutingProperties> routing,
                                           ObjectProvider<RoutingMetrics> metrics) {
        // Advisors are made before ordinary beans: the settings and meters are looked up when first used.
        TransactionRetryInterceptor interceptor = new TransactionRetryInterceptor(transactionAttributeSource,
                () -> routing.getObject().readRetries(), kind -> metrics.ifAvailable(m -> m.retry(kind)));
        DefaultPointcutAdvisor advisor = new DefaultPointcutAdvisor(new StaticMethodMatcherPointcut() {
            @Override
            public boolean matches(java.lang.reflect.Method method, Class<?> targetClass) {
                return transactionAttributeSource.getTransactionAttribute(method, targetClass) != null;
            }
        }, interceptor);
        advisor.setOrder(ORDER);
        return advisor;
    }
}
