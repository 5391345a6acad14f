package dev.tollgate.guardrails;

import java.util.Locale;

import dev.tollgate.common.ApiException;

/** What a tenant's prompts do with the personal data in them before a provider sees them. */
public enum PiiMode {

    /** Sent as written. */
    OFF,
    /** Each finding replaced by its kind's placeholder ({@code [EMAIL]}, …). */
    REDACT,
    /** The call refused with a 400 naming the kinds found, before any provider is called. */
    BLOCK;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    static PiiMode parse(String value, String param) {
        for (PiiMode mode : values()) {
            if (mode.value().equals(value)) {
                return mode;
            }
        }
        throw ApiException.invalidParam(param, param + " must be one of off, redact, block.");
    }

}
