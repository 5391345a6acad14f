package dev.tollgate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A reference hop the benchmark started in a process of its own ({@link BareHopProcess}, {@link NginxHopProcess}),
 * listening on 127.0.0.1: its pid (for its CPU), its URL, and the wait until it listens.
 */
class HopProcess implements AutoCloseable {

    private final Process process;

    private final int port;

    private final String name;

    /**
     * @param name how the errors name it, with its log file
     */
    HopProcess(Process process, int port, String name) {
        this.process = process;
        this.port = port;
        this.name = name;
    }

    long pid() {
        return process.pid();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * Returns once the port takes connections; fails if the process exits first or the time runs out (stopping it then,
     * since nobody else will).
     */
    void awaitListening(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            }
            catch (IOException notYetListening) {
                Thread.sleep(100);
            }
        }
        close();
        throw new IllegalStateException(name + " did not listen within " + within.toSeconds() + " s");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
