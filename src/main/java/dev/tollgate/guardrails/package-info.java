/**
 * Guardrails: each tenant's rules for its prompts (personal data redacted or refused, blocked terms), held in memory
 * and applied to a call's prompt before any provider sees it.
 */
@NullMarked
package dev.tollgate.guardrails;

import org.jspecify.annotations.NullMarked;
