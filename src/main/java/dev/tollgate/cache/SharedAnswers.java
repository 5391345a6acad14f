package dev.tollgate.cache;

import reactor.core.publisher.Mono;

/** Answers kept where every replica finds them; a failure is a miss (or a lost store), never a failed call. */
interface SharedAnswers {

    Mono<CachedAnswer> get(String key);

    void put(String key, CachedAnswer answer, CacheDirective directive);

}
