package dev.tollgate.proxy;

import java.time.Clock;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.webflux.autoconfigure.WebHttpHandlerBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.observation.ServerRequestObservationConvention;
import org.springframework.web.cors.reactive.CorsWebFilter;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.account.ApiKeyService;
import dev.tollgate.common.ApiErrorJson;
import dev.tollgate.common.ApiErrorWebExceptionHandler;
import dev.tollgate.credits.CreditService;
import dev.tollgate.cache.ResponseCache;
import dev.tollgate.credits.CreditsProperties;
import dev.tollgate.guardrails.AnswerGuard;
import dev.tollgate.guardrails.PromptGuard;
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
 * only the base URL: chat completions and messages by {@link ProxyHotPath}, below WebFlux; the rest by functional
 * routes.
 */
@Configuration(proxyBeanMethods = false)
class ProxyConfiguration {

    @Bean
    Draining draining(ProxyProperties properties) {
        return new Draining(properties.shutdownGracePeriod());
    }

    /** The proxy API's handlers, built once and shared by WebFlux's routes and the hot path. */
    record Handlers(ChatCompletionsHandler chat, EmbeddingsHandler embeddings, ModelsHandler models,
            KeyInfoHandler info, MessagesHandler messages, ApiKeyService keys, GenerationTrackers trackers) {
    }

    @Bean
    Handlers proxyHandlers(ApiKeyService keys, ModelCatalog catalog, RoutePlanner planner,
            ProviderHealth health, RetryPolicy retries, PricingService pricing, CreditService credits,
            CreditsProperties creditsProperties, ProviderRegistry providers, MeteringService metering,
            TokenCounter tokens, JsonMapper json, ApiErrorJson errors, ProxyProperties properties, MeterRegistry registry,
            Clock clock, RateLimitService rateLimits, Draining draining, PromptGuard guard, AnswerGuard answers,
            ResponseCache cache) {
        warmUp(json);
        ResponseShaper shaper = new ResponseShaper(json);
        ChatPipeline pipeline = new ChatPipeline(planner, new RouteAttempts.Dependencies(providers, health, retries,
                pricing, credits, creditsProperties.defaultMaxTokens()), rateLimits, guard, answers, cache, json);
        GenerationTrackers trackers = new GenerationTrackers(metering, tokens, clock);
        ChatRequestReader bodies = new ChatRequestReader(json, properties.maxRequestSize().toBytes());
        // One for both generation endpoints: its meters are registered once.
        OverheadReport overhead = new OverheadReport(new ProxyMetrics(registry));
        return new Handlers(
                new ChatCompletionsHandler(bodies, pipeline, shaper, new StreamRelay(shaper, errors, draining),
                        overhead, cache),
                new EmbeddingsHandler(keys, new EmbeddingsRequestReader(bodies), catalog, providers, pricing, credits,
                        rateLimits, guard, trackers, json),
                new ModelsHandler(keys, catalog, pricing, json),
                new KeyInfoHandler(keys, credits, metering, rateLimits),
                new MessagesHandler(bodies, pipeline, errors, json, draining, overhead, cache),
                keys, trackers);
    }

    /** Cross-origin calls to the proxy API from any page, with a key: see {@link ProxyCors}. */
    @Bean
    CorsWebFilter proxyCors() {
        return ProxyCors.filter();
    }

    /** Every proxy route but those {@link ProxyHotPath} serves. */
    @Bean
    RouterFunction<ServerResponse> proxyRoutes(Handlers handlers) {
        RouterFunction<ServerResponse> api = RouterFunctions.route()
            .POST("/embeddings", handlers.embeddings()::handle)
            .GET("/models", handlers.models()::list)
            .GET("/generation", handlers.info()::generation)
            .GET("/credits", handlers.info()::credits)
            .GET("/key", handlers.info()::key)
            .build();
        return RouterFunctions.route().path("/v1", () -> api).path("/api/v1", () -> api)
            .GET("/api/models", handlers.models()::listForSession)
            .build();
    }

    /**
     * Put in front of WebFlux when Boot builds the application's HTTP handler. Not an {@code HttpHandlerDecoratorFactory}
     * bean: the actuator's server (its own port) builds its handler from its child context, which would find that bean
     * in this one and serve these calls too.
     */
    @Bean
    WebHttpHandlerBuilderCustomizer proxyHotPath(Handlers handlers, ApiErrorWebExceptionHandler errors,
            ObjectProvider<ObservationRegistry> observations,
            ObjectProvider<ServerRequestObservationConvention> conventions) {
        Map<String, HotPathHandler> paths = Map.of(
                "/v1/chat/completions", handlers.chat(), "/api/v1/chat/completions", handlers.chat(),
                "/v1/messages", handlers.messages(), "/api/v1/messages", handlers.messages());
        return builder -> builder.httpHandlerDecorator(webFlux -> new ProxyHotPath(webFlux, paths, handlers.keys(),
                handlers.trackers(), errors,
                observations.getIfUnique(() -> ObservationRegistry.NOOP), conventions.getIfAvailable()));
    }

    /**
     * Jackson builds and caches its tree (de)serializers on first use, under a lock; doing it here, on the startup
     * thread, keeps the first requests from contending for that lock on event-loop threads.
     */
    private static void warmUp(JsonMapper json) {
        json.writeValueAsBytes(json.readTree("{\"a\":[1,\"b\",true,null,1.5,{\"c\":{}}]}"));
    }

}
