package dev.tollgate.account;

import java.util.Map;
import java.util.UUID;

import reactor.core.publisher.Mono;

/** What a tenant's keys have spent, in micro-dollars, by key id; provided by the credits feature. */
public interface KeySpend {

    Mono<Map<UUID, Long>> spentByKey(UUID tenantId);

}
