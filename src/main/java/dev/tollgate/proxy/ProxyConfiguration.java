package dev.tollgate.proxy;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.account.ApiKeyService;
import dev.tollgate.common.ApiErrorJson;
import dev.tollgate.credits.CreditService;
import dev.tollgate.credits.CreditsProperties;
import dev.tollgate.metering.MeteringService;
import dev.tollgate.metering.PricingService;
import dev.tollgate.metering.TokenCounter;
import dev.tollgate.provider.ProviderRegistry;
import dev.tollgate.ratelimit.RateLimitService;
import dev.tollgate.routing.ModelCatalog;
import dev.tollgate.routing.ProviderHealth;
import dev.tollgate.routing.RetryPolicy;
import dev.tollgate.routing.RoutePlanner;

/**
 * The proxy API, served under {@code /v1} and again under {@code /api/v1} so that OpenRouter clients work by changing
 * only the base URL. Functional routes keep the per-request cost of dispatch low.
 */
@Configuration(proxyBeanMethods = false)
class ProxyConfiguration {

    @Bean
    Draining draining(ProxyProperties properties) {
        return new Draining(properties.shutdownGracePeriod());
    }

    @Bean
    RouterFunction<ServerResponse> proxyRoutes(ApiKeyService keys, ModelCatalog catalog, RoutePlanner planner,
            ProviderHealth health, RetryPolicy retries, PricingService pricing, CreditService credits,
            CreditsProperties creditsProperties, ProviderRegistry providers, MeteringService metering,
            TokenCounter tokens, JsonMapper json, ApiErrorJson errors, ProxyProperties properties, MeterRegistry registry,
            Clock clock, RateLimitService rateLimits, Draining draining) {
        warmUp(json);
        ResponseShaper shaper = new ResponseShaper(json);
        ChatPipeline pipeline = new ChatPipeline(planner, new RouteAttempts.Dependencies(providers, health, retries,
                pricing, credits, creditsProperties.defaultMaxTokens()), shaper, rateLimits);
        GenerationTrackers trackers = new GenerationTrackers(metering, tokens, clock);
        ChatRequestReader bodies = new ChatRequestReader(json, properties.maxRequestSize().toBytes());
        ChatCompletionsHandler chat = new ChatCompletionsHandler(keys, bodies, pipeline, trackers, shaper,
                new StreamRelay(shaper, errors, draining), new ProxyMetrics(registry));
        EmbeddingsHandler embeddings = new EmbeddingsHandler(keys, new EmbeddingsRequestReader(bodies), catalog,
                providers, pricing, credits, rateLimits, trackers, json);
        ModelsHandler models = new ModelsHandler(keys, catalog, pricing, json);
        KeyInfoHandler info = new KeyInfoHandler(keys, credits, metering, rateLimits);
        MessagesHandler messages = new MessagesHandler(keys,
                new ChatRequestReader(json, properties.maxRequestSize().toBytes()), pipeline, trackers, errors, json,
                draining);
        RouterFunction<ServerResponse> api = RouterFunctions.route()
            .POST("/chat/completions", chat::handle)
            .POST("/embeddings", embeddings::handle)
            .GET("/models", models::list)
            .GET("/generation", info::generation)
            .GET("/credits", info::credits)
            .GET("/key", info::key)
            .POST("/messages", messages::handle)
            .build();
        return RouterFunctions.route().path("/v1", () -> api).path("/api/v1", () -> api).build();
    }

    /**
     * Jackson builds and caches its tree (de)serializers on first use, under a lock; doing it here, on the startup
     * thread, keeps the first requests from contending for that lock on event-loop threads.
     */
    private static void warmUp(JsonMapper json) {
        json.writeValueAsBytes(json.readTree("{\"a\":[1,\"b\",true,null,1.5,{\"c\":{}}]}"));
    }

}
