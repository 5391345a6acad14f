package dev.tollgate.dashboard;

import java.time.Duration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.web.reactive.config.ResourceHandlerRegistry;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Serves the dashboard built by {@code frontend/} into the jar's {@code static/} folder: its deep links get
 * {@code index.html}, and its content-hashed bundles under {@code /assets} are cached by browsers for a year.
 */
@Configuration(proxyBeanMethods = false)
class DashboardConfiguration implements WebFluxConfigurer {

    @Bean
    RouterFunction<ServerResponse> dashboardRoutes() {
        return DashboardRoutes.of(DashboardPage.load(new ClassPathResource("static/index.html")));
    }

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        // Vite names every bundle after a hash of its content, so a changed file always has a new name.
        registry.addResourceHandler("/assets/**")
            .addResourceLocations("classpath:/static/assets/")
            .setCacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable());
    }

}
