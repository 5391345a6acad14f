package dev.tollgate.dashboard;

import java.util.List;

import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Client-side routes of the single-page dashboard: a browser that opens {@code /keys} or {@code /activity/gen-…}
 * directly gets {@code index.html}, and the app's router takes it from there. Paths of the APIs ({@code /api},
 * {@code /v1}, {@code /actuator}), files ({@code /assets/app.js}, {@code /favicon.svg}) and requests that do not
 * accept HTML are left alone, so they keep their JSON answers and static serving.
 */
final class DashboardRoutes {

    static final List<String> RESERVED_PREFIXES = List.of("/api", "/v1", "/actuator");

    private DashboardRoutes() {
    }

    static RouterFunction<ServerResponse> of(DashboardPage page) {
        return RouterFunctions.route(DashboardRoutes::isPageRequest, page::render);
    }

    /** Whether a request is a browser navigation to one of the app's own pages. */
    static boolean isPageRequest(ServerRequest request) {
        HttpMethod method = request.method();
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            return false;
        }
        String path = request.path();
        for (String prefix : RESERVED_PREFIXES) {
            if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                return false;
            }
        }
        String lastSegment = path.substring(path.lastIndexOf('/') + 1);
        return !lastSegment.contains(".") && acceptsHtml(request);
    }

    private static boolean acceptsHtml(ServerRequest request) {
        List<MediaType> accepted = request.headers().accept();
        return accepted.isEmpty() || accepted.stream().anyMatch(type -> type.includes(MediaType.TEXT_HTML));
    }

}
