package dev.tollgate.guardrails;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import dev.tollgate.account.SessionUser;
import dev.tollgate.common.ApiException;

/**
 * {@code GET/PUT /api/guardrails {"pii":"off|redact|block","blockedTerms":[…],"screenAnswers":false}}: the tenant's
 * guardrails on every prompt its keys send (chat completions, messages, embeddings), and, with {@code screenAnswers},
 * on the chat answers they get.
 */
@RestController
class GuardrailsController {

    private final TenantGuardrails guardrails;

    GuardrailsController(TenantGuardrails guardrails) {
        this.guardrails = guardrails;
    }

    @GetMapping("/api/guardrails")
    Mono<GuardrailsView> get(@AuthenticationPrincipal SessionUser user) {
        return guardrails.policy(user.tenantId()).map(GuardrailsView::of);
    }

    @PutMapping("/api/guardrails")
    Mono<GuardrailsView> put(@AuthenticationPrincipal SessionUser user, @RequestBody GuardrailsRequest request) {
        if (request.pii() == null) {
            throw ApiException.invalidParam("pii", "pii is required: off, redact or block.");
        }
        List<String> terms = request.blockedTerms() == null ? List.of() : request.blockedTerms();
        if (terms.stream().anyMatch(Objects::isNull)) {
            throw ApiException.invalidParam("blockedTerms", "blockedTerms must be strings.");
        }
        GuardrailPolicy policy = GuardrailPolicy.of(PiiMode.parse(request.pii(), "pii"), terms,
                Boolean.TRUE.equals(request.screenAnswers()));
        return guardrails.save(user.tenantId(), policy).map(GuardrailsView::of);
    }

    record GuardrailsRequest(@Nullable String pii, @Nullable List<String> blockedTerms,
            @Nullable Boolean screenAnswers) {
    }

    record GuardrailsView(String pii, List<String> blockedTerms, boolean screenAnswers) {

        static GuardrailsView of(GuardrailPolicy policy) {
            return new GuardrailsView(policy.pii().value(), policy.blockedTerms(), policy.screensAnswers());
        }

    }

}
