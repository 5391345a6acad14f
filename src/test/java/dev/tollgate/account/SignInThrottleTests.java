package dev.tollgate.account;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;

import dev.tollgate.common.ApiException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

class SignInThrottleTests {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("203.0.113.7", 50_000);

    private final AtomicLong now = new AtomicLong(TimeUnit.DAYS.toNanos(3));

    private final SignInThrottle throttle = new SignInThrottle(3, now::get);

    @Test
    void anAddressMayUseItsMinuteAtOnceThenOnePerInterval() {
        for (int i = 0; i < 3; i++) {
            throttle.admit(CLIENT);
        }
        ApiException refused = catchThrowableOfType(ApiException.class, () -> throttle.admit(CLIENT));
        assertThat(refused.status()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        assertThat(refused.code()).isEqualTo("rate_limit_exceeded");
        assertThat(refused.headers()).containsEntry("Retry-After", "20");

        // A refused attempt counts for nothing: 19.9 s later it is still early, at 20 s one more fits.
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(19_900));
        assertThat(catchThrowableOfType(ApiException.class, () -> throttle.admit(CLIENT)).headers())
            .containsEntry("Retry-After", "1");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        throttle.admit(CLIENT);
        assertThat(catchThrowableOfType(ApiException.class, () -> throttle.admit(CLIENT))).isNotNull();

        // A quiet minute gives the whole burst back.
        now.addAndGet(TimeUnit.MINUTES.toNanos(1));
        for (int i = 0; i < 3; i++) {
            throttle.admit(CLIENT);
        }
    }

    @Test
    void eachAddressHasItsOwnAttemptsAndAnIpv6ClientIsCountedByItsNetwork() {
        for (int i = 0; i < 3; i++) {
            throttle.admit(CLIENT);
        }
        assertThatCode(() -> throttle.admit(new InetSocketAddress("203.0.113.8", 1))).doesNotThrowAnyException();

        for (int host = 1; host <= 3; host++) {
            throttle.admit(new InetSocketAddress("2001:db8:1:2::" + host, 443));
        }
        assertThat(catchThrowableOfType(ApiException.class,
                () -> throttle.admit(new InetSocketAddress("2001:db8:1:2:ffff::9", 443)))).isNotNull();
        assertThatCode(() -> throttle.admit(new InetSocketAddress("2001:db8:1:3::1", 443)))
            .doesNotThrowAnyException();
    }

    @Test
    void noLimitWhenTurnedOff() {
        SignInThrottle off = new SignInThrottle(0, now::get);
        for (int i = 0; i < 1_000; i++) {
            off.admit(CLIENT);
        }
    }

    @Test
    void logInsOverTheLimitAreRefusedBeforeAnyPasswordIsChecked() {
        AccountService accounts = mock(AccountService.class);
        when(accounts.verifyPassword(anyString(), anyString())).thenReturn(Mono.error(new ApiException(
                HttpStatus.UNAUTHORIZED, "authentication_error", "invalid_credentials", "no")));
        AuthController controller = new AuthController(accounts, new OperatorProperties(List.of(), null), throttle);
        for (int i = 0; i < 4; i++) {
            String guess = "guess" + i;
            MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/api/auth/login")
                .remoteAddress(CLIENT));
            Throwable error = catchThrowableOfType(Throwable.class,
                    () -> controller.login(new AuthController.LoginRequest("a@example.com", guess), exchange)
                        .block());
            assertThat(((ApiException) error).status())
                .isEqualTo(i < 3 ? HttpStatus.UNAUTHORIZED : HttpStatus.TOO_MANY_REQUESTS);
        }
        verify(accounts, times(3)).verifyPassword(anyString(), anyString());
    }

    @Test
    void signUpsCountAgainstTheSameAttempts() {
        AccountService accounts = mock(AccountService.class);
        when(accounts.signUp(anyString(), anyString(), anyString())).thenReturn(Mono.error(new ApiException(
                HttpStatus.CONFLICT, "invalid_request_error", "email_taken", "taken")));
        AuthController controller = new AuthController(accounts, new OperatorProperties(List.of(), null), throttle);
        for (int i = 0; i < 3; i++) {
            throttle.admit(CLIENT);
        }
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/api/auth/signup")
            .remoteAddress(CLIENT));
        ApiException refused = catchThrowableOfType(ApiException.class, () -> controller
            .signUp(new AuthController.SignUpRequest("b@example.com", "long enough", null, null), exchange)
            .block());
        assertThat(refused.status()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        verify(accounts, times(0)).signUp(anyString(), anyString(), anyString());
    }

}
