package dev.tollgate.cache;

import reactor.core.publisher.Mono;

/**
 * Answers kept where every replica finds them. A lookup is empty when nothing is kept and fails when the store cannot
 * say (the cache then answers from this instance's memory); a store may be lost. Never a failed call.
 */
interface SharedAnswers {

    Mono<CachedAnswer> get(String key);

    void put(String key, CachedAnswer answer, CacheDirective directive);

}
