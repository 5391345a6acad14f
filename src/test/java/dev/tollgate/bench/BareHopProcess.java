package dev.tollgate.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@link BareHop} in a JVM of its own, started with the flags Tollgate gets, so that its CPU can be read apart. */
final class BareHopProcess extends HopProcess {

    private BareHopProcess(Process process, int port) {
        super(process, port, "The bare hop (see bare-hop.log)");
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
        hop.awaitListening(Duration.ofMinutes(1));
        return hop;
    }
}
