package dev.tollgate.account;

import java.util.UUID;

/** The dashboard user behind a browser session. */
public record SessionUser(UUID userId, String email, UUID tenantId, String tenantName, String role) {
}
