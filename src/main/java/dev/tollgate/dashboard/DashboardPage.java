package dev.tollgate.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The dashboard's {@code index.html}, read once at startup so that serving it never touches the disk on an event
 * loop. When the jar was built without the frontend ({@code -Dfrontend.skip}) it answers with a short page saying so.
 */
final class DashboardPage {

    static final String NOT_BUILT = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tollgate</title></head>
            <body><h1>Tollgate</h1><p>The dashboard is not part of this build (it was built with
            <code>-Dfrontend.skip</code>). The API under <code>/v1</code> and <code>/api</code> works as usual;
            build with <code>./mvnw package</code> to include the dashboard.</p></body></html>
            """;

    private final byte[] html;
    private final boolean built;

    DashboardPage(byte[] html, boolean built) {
        this.html = html.clone();
        this.built = built;
    }

    /** Reads the page from {@code index} (a classpath resource in the jar); call at startup, never on a request. */
    static DashboardPage load(Resource index) {
        if (!index.exists()) {
            return new DashboardPage(NOT_BUILT.getBytes(StandardCharsets.UTF_8), false);
        }
        try (InputStream in = index.getInputStream()) {
            return new DashboardPage(in.readAllBytes(), true);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not read the dashboard page " + index, ex);
        }
    }

    boolean built() {
        return built;
    }

    Mono<ServerResponse> render(ServerRequest request) {
        // index.html names the current hashed bundles, so browsers must revalidate it on every visit.
        return ServerResponse.status(built ? HttpStatus.OK : HttpStatus.NOT_FOUND)
            .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
            .cacheControl(CacheControl.noCache())
            .bodyValue(html);
    }

}
