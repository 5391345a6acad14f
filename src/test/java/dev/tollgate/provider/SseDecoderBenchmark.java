package dev.tollgate.provider;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Cutting one OpenAI stream chunk, as it arrives from the network, into its event: the first step of every chunk a
 * stream relays (README "Benchmarks", microbenchmarks).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SseDecoderBenchmark {

    /** A content chunk as OpenAI sends it (recorded shape, ../shared/specs transcripts). */
    static final String CHUNK = "data: {\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":"
            + "\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4o-mini-2024-07-18\","
            + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"content\":\" Python\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";

    private final ByteBuf piece = Unpooled.wrappedBuffer(CHUNK.getBytes(StandardCharsets.UTF_8));

    private final SseDecoder decoder = new SseDecoder(64 * 1024 * 1024);

    @Benchmark
    public List<SseEvent> decodeOneChunk() {
        return decoder.decode(piece);
    }

}
