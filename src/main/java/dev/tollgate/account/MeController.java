package dev.tollgate.account;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class MeController {

    private final OperatorProperties operators;

    MeController(OperatorProperties operators) {
        this.operators = operators;
    }

    @GetMapping("/api/me")
    MeResponse me(@AuthenticationPrincipal SessionUser user) {
        return MeResponse.of(user, operators);
    }

}
