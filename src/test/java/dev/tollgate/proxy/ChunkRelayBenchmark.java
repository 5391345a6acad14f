package dev.tollgate.proxy;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.account.AuthenticatedKey;
import dev.tollgate.metering.GenerationIds;
import dev.tollgate.metering.TokenCounter;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.openai.OpenAiTestChunks;

/**
 * What the proxy does to each parsed chunk before it leaves: brand it with the generation id and public model, note
 * its text for billing a stream cut short, write it as an SSE frame (README "Benchmarks", microbenchmarks).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChunkRelayBenchmark {

    private final JsonMapper json = JsonMapper.builder().build();

    private final ResponseShaper shaper = new ResponseShaper(json);

    private ChatStreamEvent.Chunk chunk;

    private ChatStreamEvent.Chunk relayed;

    private GenerationTracker tracker;

    @Setup
    public void setUp() {
        String data = "{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":"
                + "\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4o-mini-2024-07-18\","
                + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\" Python\"},\"logprobs\":null,\"finish_reason\":null}]}";
        chunk = new ChatStreamEvent.Chunk((ObjectNode) json.readTree(data));
        relayed = OpenAiTestChunks.decode(json, data);
        // Metering is only reached when the call ends, which a chunk never does.
        tracker = new GenerationTracker(GenerationIds.next(), new AuthenticatedKey(UUID.randomUUID(),
                UUID.randomUUID(), "bench", null), null, new TokenCounter(), Clock.systemUTC());
        tracker.requested("openai/gpt-4o-mini", true);
    }

    @Benchmark
    public byte[] brandNoteAndFrameOneChunk() {
        chunk.brand(tracker.brand());
        tracker.observeDelivery(chunk);
        return shaper.frame(chunk);
    }

    /** The same for a chunk relayed as the provider's bytes (what an OpenAI-format provider's chunks now are). */
    @Benchmark
    public byte[] brandNoteAndFrameOneRelayedChunk() {
        relayed.brand(tracker.brand());
        tracker.observeDelivery(relayed);
        return shaper.frame(relayed);
    }

}
