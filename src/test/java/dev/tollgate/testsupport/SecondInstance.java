package dev.tollgate.testsupport;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.http.client.ReactorResourceFactory;

import dev.tollgate.TollgateApplication;

/**
 * A second Tollgate instance in the same JVM, on its own port, sharing the test database (and the fake upstream)
 * with the main test context: what two replicas behind a load balancer look like.
 */
public final class SecondInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private SecondInstance(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static SecondInstance start() {
        return start(Map.of());
    }

    /** A second instance whose settings differ from the shared context's by these. */
    public static SecondInstance start(Map<String, Object> overrides) {
        Map<String, Object> properties = new HashMap<>(overrides);
        properties.put("server.port", "0");
        ConfigurableApplicationContext context = new SpringApplicationBuilder(TollgateApplication.class)
            .initializers(new TestEnvironment(), ctx -> {
                ctx.getEnvironment().getPropertySources()
                    .addFirst(new MapPropertySource("second-instance", properties));
                // Its own event loops: closing it must not dispose the JVM-wide ones the main context uses.
                ((GenericApplicationContext) ctx).registerBean(ReactorResourceFactory.class, () -> {
                    ReactorResourceFactory resources = new ReactorResourceFactory();
                    resources.setUseGlobalResources(false);
                    return resources;
                });
            })
            .run();
        return new SecondInstance(context);
    }

    public int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    /** Stops it as SIGTERM would: graceful shutdown, requests in flight drained, usage written. */
    @Override
    public void close() {
        context.close();
    }

}
