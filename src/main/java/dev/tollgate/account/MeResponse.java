package dev.tollgate.account;

import java.util.UUID;

/**
 * {@code {"user":{"id","email"},"tenant":{"id","name"},"role"}} as the contract names it, plus whether the user may
 * use the operator API.
 */
record MeResponse(User user, Tenant tenant, String role, boolean operator) {

    static MeResponse of(SessionUser user, OperatorProperties operators) {
        return new MeResponse(new User(user.userId(), user.email()), new Tenant(user.tenantId(), user.tenantName()),
                user.role(), operators.isOperator(user.email()));
    }

    record User(UUID id, String email) {
    }

    record Tenant(UUID id, String name) {
    }

}
