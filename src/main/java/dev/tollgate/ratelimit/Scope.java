package dev.tollgate.ratelimit;

import java.util.UUID;

/**
 * Something rate-limited on its own: one API key, or one tenant (all its keys together).
 *
 * @param id the scope's name in the limiter's store; a key's and its tenant's share the tenant's Redis hash tag,
 *     so that one script can update both on a Redis Cluster
 * @param owner whose limit it is, for messages
 * @param limits its limits
 */
record Scope(String id, Owner owner, Limits limits) {

    static Scope key(UUID tenantId, UUID keyId, Limits limits) {
        return new Scope("{" + tenantId + "}:key:" + keyId, Owner.KEY, limits);
    }

    static Scope tenant(UUID tenantId, Limits limits) {
        return new Scope("{" + tenantId + "}:tenant", Owner.TENANT, limits);
    }

    enum Owner {

        KEY("this API key"), TENANT("your organization");

        private final String description;

        Owner(String description) {
            this.description = description;
        }

        String description() {
            return description;
        }

    }

}
