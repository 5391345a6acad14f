package dev.tollgate.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One keep-alive connection carrying a slow call and, right behind it, one answered at once: the connection must
 * go on serving. Reactor Netty up to 1.3.7 stopped reading such a connection (reactor/reactor-netty#4361), so the
 * client's next request on it hung; seen here as a dashboard test waiting 30 s for a 403.
 */
@IntegrationTest
class KeepAliveIntegrationTests {

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: *(\\d+)");

    @Autowired
    WebTestClient client;

    @LocalServerPort
    int port;

    final FakeUpstream upstream = FakeUpstream.shared();

    @Test
    void aConnectionKeepsServingAfterASlowCallAndAQuickOneSentTogether() throws IOException {
        upstream.reset();
        String key = DashboardUser.signUp(client).createKey("keep-alive");
        upstream.enqueue(FakeReply.fixture(200, "openai/chat-completion.json").delayedBy(Duration.ofMillis(100)));
        String body = "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        String slow = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        String quick = "GET /v1/models HTTP/1.1\r\nHost: localhost\r\n\r\n";

        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write((slow + quick).getBytes(StandardCharsets.US_ASCII));
            StringBuilder received = new StringBuilder();
            socket.setSoTimeout(10_000);
            readUntil(socket.getInputStream(), received, 2);
            // Both answered; the connection is idle. A third request on it must be read and answered too.
            socket.getOutputStream().write(quick.getBytes(StandardCharsets.US_ASCII));
            readUntil(socket.getInputStream(), received, 3);

            Matcher statuses = STATUS_LINE.matcher(received);
            assertThat(statuses.results().map(status -> status.group(1)).toList())
                .containsExactly("200", "200", "200");
        }
    }

    /** Reads until the given number of whole responses (each with a Content-Length) have arrived. */
    private static void readUntil(InputStream in, StringBuilder received, int responses) throws IOException {
        byte[] buffer = new byte[8192];
        while (completeResponses(received) < responses) {
            int read;
            try {
                read = in.read(buffer);
            }
            catch (SocketTimeoutException ex) {
                throw new AssertionError("no answer on the kept-alive connection; received so far: " + received, ex);
            }
            if (read < 0) {
                throw new AssertionError("connection closed; received: " + received);
            }
            received.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1)); // one char per byte
        }
    }

    private static int completeResponses(CharSequence received) {
        String text = received.toString();
        int count = 0;
        int at = 0;
        while (true) {
            int headersEnd = text.indexOf("\r\n\r\n", at);
            if (headersEnd < 0) {
                return count;
            }
            Matcher length = CONTENT_LENGTH.matcher(text.substring(at, headersEnd));
            int end = headersEnd + 4 + (length.find() ? Integer.parseInt(length.group(1)) : 0);
            if (end > text.length()) {
                return count;
            }
            count++;
            at = end;
        }
    }

}
