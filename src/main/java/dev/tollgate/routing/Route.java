package dev.tollgate.routing;

import org.jspecify.annotations.Nullable;

/**
 * One way to serve a catalog model: a configured provider and the id it knows the model by.
 *
 * @param priority lower first, among routes the request does not order itself
 * @param inputPerMtok what this host charges the operator per million input tokens, when it differs from the catalog
 * @param outputPerMtok the same for output tokens
 */
public record Route(String provider, String upstreamId, int priority, @Nullable Long inputPerMtok,
        @Nullable Long outputPerMtok) {
}
