package dev.tollgate.routing;

/** One (model, provider route) pair to try, in the order routing chose. */
public record Candidate(CatalogModel model, Route route) {
}
