package dev.tollgate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@link BareHop} in a JVM of its own, started with the flags Tollgate gets, so that its CPU can be read apart. */
final class BareHopProcess implements AutoCloseable {

    private final Process process;

    private final int port;

    private BareHopProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static BareHopProcess start(String upstreamBaseUrl, Path outputDir, List<String> extraJvmFlags)
            throws IOException, InterruptedException {
        int port = TollgateProcess.freePort();
        List<String> command = new ArrayList<>();
        command.add(TollgateProcess.java());
        command.addAll(TollgateProcess.podJvmFlags(extraJvmFlags));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BareHop.class.getName(),
                Integer.toString(port), upstreamBaseUrl));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(outputDir.resolve("bare-hop.log").toFile())
                .start();
        BareHopProcess hop = new BareHopProcess(process, port);
        hop.awaitListening();
        return hop;
    }

    long pid() {
        return process.pid();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The bare hop exited with " + process.exitValue() + ", see bare-hop.log");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            }
            catch (IOException notYetListening) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("The bare hop did not listen within a minute, see bare-hop.log");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
