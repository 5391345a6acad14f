package dev.tollgate.credits;

import java.util.UUID;

import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import dev.tollgate.account.TenantOnboarding;
import dev.tollgate.common.Money;

/** Opens a new tenant's balance, with the signup bonus when one is configured. */
@Component
class SignupCredits implements TenantOnboarding {

    private final CreditService credits;
    private final long bonusMicros;

    SignupCredits(CreditService credits, CreditsProperties properties) {
        this.credits = credits;
        this.bonusMicros = Money.usdToMicros(properties.signupBonusUsd(), "tollgate.credits.signup-bonus-usd");
    }

    @Override
    public Mono<Void> tenantCreated(UUID tenantId) {
        Mono<Void> open = credits.createBalance(tenantId);
        if (bonusMicros == 0) {
            return open;
        }
        return open.then(credits.append(tenantId, CreditKind.SIGNUP_BONUS, bonusMicros, "signup:" + tenantId,
                "Signup bonus")).then();
    }

}
