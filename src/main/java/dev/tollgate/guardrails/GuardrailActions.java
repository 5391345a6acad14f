package dev.tollgate.guardrails;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The counters of what one side of the guardrails (prompts or answers) did: {@code
 * tollgate_guardrails_actions_total{action,reason}}, refused for a blocked term or a kind of personal data, and each
 * kind redacted.
 */
final class GuardrailActions {

    final Counter refusedForTerm;
    private final Map<PiiKind, Counter> refusedForPii = new EnumMap<>(PiiKind.class);
    private final Map<PiiKind, Counter> redacted = new EnumMap<>(PiiKind.class);

    GuardrailActions(MeterRegistry meters, String refusal, String redaction) {
        this.refusedForTerm = counter(meters, refusal, "blocked_term");
        for (PiiKind kind : PiiKind.values()) {
            String reason = kind.name().toLowerCase(Locale.ROOT);
            refusedForPii.put(kind, counter(meters, refusal, reason));
            redacted.put(kind, counter(meters, redaction, reason));
        }
    }

    Counter refusedFor(PiiKind kind) {
        return refusedForPii.get(kind);
    }

    Counter redacted(PiiKind kind) {
        return redacted.get(kind);
    }

    private static Counter counter(MeterRegistry meters, String action, String reason) {
        return Counter.builder("tollgate.guardrails.actions")
            .description("Prompts and answers refused, and personal data redacted, by the tenants' guardrails")
            .tag("action", action)
            .tag("reason", reason)
            .register(meters);
    }

}
