package dev.tollgate.provider.openai;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import tools.jackson.databind.json.JsonMapper;

/**
 * Decoding one OpenAI stream chunk's data (README "Benchmarks", microbenchmarks): the JSON half of a chunk's cost.
 * The decoder scans it for what the proxy rewrites and reads; reading it as a tree is what it did before, and still
 * does for chunks out of the usual shape.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OpenAiStreamDecoderBenchmark {

    static final String DATA = "{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":"
            + "\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4o-mini-2024-07-18\","
            + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"content\":\" Python\"},\"logprobs\":null,\"finish_reason\":null}]}";

    private static final byte[] BYTES = DATA.getBytes(StandardCharsets.UTF_8);

    private final JsonMapper json = JsonMapper.builder().build();

    private final OpenAiStreamDecoder decoder = new OpenAiStreamDecoder(json, "openai");

    @Benchmark
    public List<?> decodeOneChunk() {
        return decoder.decode(BYTES);
    }

    @Benchmark
    public Object readOneChunkAsATree() {
        return json.readTree(DATA.getBytes(StandardCharsets.UTF_8));
    }

}
