package dev.tollgate.proxy;

import org.springframework.http.HttpStatus;

import dev.tollgate.common.ApiException;

/** How the proxy classifies a failure for the client and the request log. */
final class ProxyErrors {

    /** nginx's convention for "the client closed the connection before the answer", for the request log only. */
    static final int CLIENT_CLOSED = 499;

    private ProxyErrors() {
    }

    /** The client stopped reading a stream for the provider's idle limit (see the provider's silence watch). */
    static boolean isClientStall(ApiException error) {
        return "client_stalled".equals(error.code());
    }

    static ApiException toApiException(Throwable error) {
        if (error instanceof ApiException api) {
            return api;
        }
        return new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", "internal_error",
                "Tollgate hit an internal error.", null, java.util.Map.of(), error);
    }

}
