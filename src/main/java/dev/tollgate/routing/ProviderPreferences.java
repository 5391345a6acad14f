package dev.tollgate.routing;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * OpenRouter's {@code provider} request field: which providers to try first ({@code order}), whether others may serve
 * when those fail ({@code allow_fallbacks}), which to use or skip ({@code only}, {@code ignore}), and how to rank the
 * rest ({@code sort}: {@code price}, {@code latency} or {@code throughput}).
 */
public record ProviderPreferences(List<String> order, boolean allowFallbacks, List<String> only, List<String> ignore,
        @Nullable Sort sort) {

    public static final ProviderPreferences NONE = new ProviderPreferences(List.of(), true, List.of(), List.of(), null);

    public enum Sort {

        PRICE, LATENCY, THROUGHPUT

    }

}
