package dev.tollgate.provider.openai;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.Brand;
import dev.tollgate.provider.ChatCompletion;

/**
 * A whole OpenAI answer from the provider's bytes to the bytes the client gets (README "Benchmarks",
 * microbenchmarks): read, branded with Tollgate's id and model, its usage replaced by Tollgate's, written. Scanned
 * and spliced is what an answer in the usual shape now goes through; as a tree is what every answer did before, and
 * what other shapes still do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OpenAiCompletionBenchmark {

    private final JsonMapper json = JsonMapper.builder().build();

    private final OpenAiResponseMapper mapper = new OpenAiResponseMapper(json, "openai");

    private byte[] answer;

    private TreeUsage usage;

    @Setup
    public void setUp() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/fixtures/openai/chat-completion.json")) {
            answer = in.readAllBytes();
        }
        usage = TreeUsage.of(json, json.createObjectNode().put("prompt_tokens", 33).put("completion_tokens", 10)
            .put("total_tokens", 43));
    }

    @Benchmark
    public void scanAndSpliceOneAnswer(Blackhole sink) {
        relay(mapper.toCompletion(answer), sink);
    }

    @Benchmark
    public void readAndWriteOneAnswerAsATree(Blackhole sink) {
        relay(mapper.treeOf(answer), sink);
    }

    /** What ChatPipeline and ChatCompletionsHandler do with an answer, but for the usage's own JSON (written once). */
    private void relay(ChatCompletion completion, Blackhole sink) {
        completion.brand(Brand.of("gen-0193a1f2c3d4e5f60718293a4b5c6d7e", "openai/gpt-4o-mini"));
        sink.consume(completion.finishReason());
        String text = completion.relayedText();
        sink.consume(text != null ? text : completion.body().path("choices"));
        sink.consume(completion.toJson(json, usage));
    }

}
