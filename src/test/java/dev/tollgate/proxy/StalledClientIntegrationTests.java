package dev.tollgate.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.tollgate.credits.CreditService;
import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.RequestLog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A streaming client that stops reading without closing its connection: once it has read nothing for the provider's
 * idle limit (2 s for Mistral in tests), the call ends there and then. It used to end only when the client closed the
 * connection, its credit hold and log row waiting until then: the error event meant for it waited for a read.
 */
@IntegrationTest
class StalledClientIntegrationTests {

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    CreditService credits;

    @LocalServerPort
    int port;

    final FakeUpstream upstream = FakeUpstream.shared();

    @Test
    void aClientThatStopsReadingHasItsCallEndedAndItsHoldReleased() throws IOException {
        upstream.reset();
        DashboardUser user = DashboardUser.signUp(client);
        String key = user.createKey("stalled");
        // Megabytes of answer, more than the socket buffers between Tollgate and a client that reads nothing.
        upstream.enqueue(FakeUpstream.longStream(60_000, Duration.ZERO));
        String body = "{\"model\":\"mistral/mistral-small-latest\",\"stream\":true,\"max_tokens\":100000,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Talk for a long time\"}]}";

        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8));
            out.flush();
            String head = headers(socket.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 200");
            Matcher generation = Pattern.compile("(?i)x-tollgate-generation-id: (gen-[0-9a-f]+)").matcher(head);
            assertThat(generation.find()).as(head).isTrue();

            // The client reads nothing more, and keeps its connection open.
            Map<String, Object> row = new RequestLog(db).row(generation.group(1));

            assertThat(row.get("error_code")).isEqualTo("client_stalled");
            assertThat(socket.isClosed()).isFalse();
            await().atMost(Duration.ofSeconds(5))
                .until(() -> credits.balance(user.tenantId()).block().usedMicros() > 0);
        }
    }

    private static String headers(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int next = in.read();
            if (next < 0) {
                break;
            }
            head.write(next);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

}
