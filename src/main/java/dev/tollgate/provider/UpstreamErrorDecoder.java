package dev.tollgate.provider;

import org.springframework.http.HttpHeaders;

/** Turns a provider's HTTP error answer (its own error format) into the error the client sees. */
@FunctionalInterface
public interface UpstreamErrorDecoder {

    UpstreamException decode(int status, HttpHeaders headers, byte[] body);

}
