package dev.tollgate.account;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A live API key as the proxy sees it after authentication.
 *
 * @param keyId the key's id
 * @param tenantId the tenant that owns it and pays for its calls
 * @param name the label the tenant gave it
 * @param creditLimitMicros the most this key may spend in total, or null for no limit
 * @param rateLimit the key's own rate limits, or null for none
 */
public record AuthenticatedKey(UUID keyId, UUID tenantId, String name, @Nullable Long creditLimitMicros,
        @Nullable KeyRateLimit rateLimit) {

    public AuthenticatedKey(UUID keyId, UUID tenantId, String name, @Nullable Long creditLimitMicros) {
        this(keyId, tenantId, name, creditLimitMicros, null);
    }

}
