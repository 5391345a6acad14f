package dev.tollgate.bench;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A second reference beside {@link BareHop}: nginx relaying the same calls to the upstream, the hop the CPU
 * target was set against ("a bare nginx hop measures about 20–100 µs"). Measuring it on the machine at hand says how
 * that machine compares with the one the target came from, apart from anything Java, Netty or Tollgate do.
 *
 * <p>One process (no master, one worker: its CPU is read from one pid), keep-alive connections to the upstream, the
 * key swapped for the upstream's, no buffering (streams are relayed as they come), no access log. Runs when an nginx
 * binary is found: {@code bench.nginx} names it (default {@code nginx} on the PATH; {@code false} skips it).
 */
final class NginxHopProcess extends HopProcess {

    private NginxHopProcess(Process process, int port) {
        super(process, port, "nginx (see nginx.log)");
    }

    /** The nginx to run, if {@code bench.nginx} does not turn it off and one is there. */
    static Optional<Path> binary() {
        String setting = System.getProperty("bench.nginx", "nginx");
        if (setting.isBlank() || setting.equals("false")) {
            return Optional.empty();
        }
        if (setting.equals("true")) {
            // Not the binary named true, which exits at once and reads as "nginx did not start".
            setting = "nginx";
        }
        if (setting.contains(File.separator)) {
            return Optional.of(Path.of(setting)).filter(Files::isExecutable);
        }
        // nginx usually lives in sbin, which a non-root PATH leaves out.
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/usr/local/sbin";
        for (String directory : path.split(File.pathSeparator)) {
            if (!directory.isBlank() && Files.isExecutable(Path.of(directory, setting))) {
                return Optional.of(Path.of(directory, setting));
            }
        }
        return Optional.empty();
    }

    static NginxHopProcess start(Path nginx, String upstreamBaseUrl, Path outputDir)
            throws IOException, InterruptedException {
        int port = TollgateProcess.freePort();
        URI upstream = URI.create(upstreamBaseUrl);
        Path prefix = Files.createDirectories(outputDir.resolve("nginx").toAbsolutePath());
        Files.createDirectories(prefix.resolve("temp"));
        Files.writeString(prefix.resolve("nginx.conf"), config(port, upstream.getHost() + ":" + upstream.getPort()));
        Process process = new ProcessBuilder(List.of(nginx.toString(), "-p", prefix.toString(), "-c", "nginx.conf",
                        "-e", "stderr"))
                .redirectErrorStream(true)
                .redirectOutput(outputDir.resolve("nginx.log").toFile())
                .start();
        NginxHopProcess hop = new NginxHopProcess(process, port);
        hop.awaitListening(Duration.ofSeconds(30));
        return hop;
    }

    private static String config(int port, String upstream) {
        return """
                daemon off;
                master_process off;
                worker_processes 1;
                pid nginx.pid;
                error_log stderr warn;
                events { worker_connections 8192; }
                http {
                    access_log off;
                    client_body_temp_path temp/body;
                    proxy_temp_path temp/proxy;
                    fastcgi_temp_path temp/fastcgi;
                    uwsgi_temp_path temp/uwsgi;
                    scgi_temp_path temp/scgi;
                    upstream bench { server %s; keepalive 256; }
                    server {
                        listen 127.0.0.1:%d;
                        keepalive_requests 1000000;
                        location = /v1/chat/completions {
                            proxy_pass http://bench;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_set_header Authorization "Bearer sk-bench-upstream";
                            proxy_buffering off;
                        }
                    }
                }
                """.formatted(upstream, port);
    }
}
