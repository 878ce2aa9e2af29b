package io.reprise.samples.ledger.testonly;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * TEST-ONLY, part of this test application and never of samples/ledger-spring: with
 * {@code -Dledger.test.fail-on-replay=PATH}, every {@code POST} to {@code PATH} throws {@link IllegalStateException}
 * before it reaches the ledger. The tests set it only when restarting, so a request that succeeded live throws on
 * replay: a divergence (ReplayOutcomeIT). Without the property this configuration registers nothing.
 *
 * <p>A servlet filter, not a Spring MVC interceptor: the exception leaves the filter chain as it is, where the
 * DispatcherServlet would wrap it in a ServletException.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("ledger.test.fail-on-replay")
public class FailOnReplay {

    @Bean
    FilterRegistrationBean<Filter> failOnReplayFilter(org.springframework.core.env.Environment environment) {
        String path = environment.getRequiredProperty("ledger.test.fail-on-replay");
        Filter filter = (request, response, chain) -> {
            HttpServletRequest http = (HttpServletRequest) request;
            if ("POST".equals(http.getMethod()) && path.equals(http.getRequestURI())) {
                throw new IllegalStateException("ledger.test.fail-on-replay=" + path + " makes POST " + path
                        + " throw (test-only switch)");
            }
            chain.doFilter(request, response);
        };
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(filter);
        registration.addUrlPatterns(path);
        registration.setOrder(Ordered.LOWEST_PRECEDENCE);
        return registration;
    }
}
