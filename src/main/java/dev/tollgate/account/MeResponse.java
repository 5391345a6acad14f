package dev.tollgate.account;

import java.util.UUID;

/** {@code {"user":{"id","email"},"tenant":{"id","name"},"role"}} as the contract names it. */
record MeResponse(User user, Tenant tenant, String role) {

    static MeResponse of(SessionUser user) {
        return new MeResponse(new User(user.userId(), user.email()), new Tenant(user.tenantId(), user.tenantName()),
                user.role());
    }

    record User(UUID id, String email) {
    }

    record Tenant(UUID id, String name) {
    }

}
