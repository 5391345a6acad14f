package dev.tollgate.account;

import java.util.UUID;

import reactor.core.publisher.Mono;

/**
 * A step other features take when a tenant is created, inside the sign-up transaction: if a step fails, the tenant
 * is not created either.
 */
public interface TenantOnboarding {

    Mono<Void> tenantCreated(UUID tenantId);

}
