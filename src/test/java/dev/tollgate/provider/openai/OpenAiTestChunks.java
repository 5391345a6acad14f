package dev.tollgate.provider.openai;

import java.nio.charset.StandardCharsets;

import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.ChatStreamEvent;

/** Chunks decoded as the OpenAI adapter decodes them, for tests and benchmarks outside its package. */
public final class OpenAiTestChunks {

    private OpenAiTestChunks() {
    }

    /** The chunk of one stream event's data (which must hold one). */
    public static ChatStreamEvent.Chunk decode(JsonMapper json, String data) {
        return (ChatStreamEvent.Chunk) new OpenAiStreamDecoder(json, "openai").decode(data.getBytes(StandardCharsets.UTF_8)).get(0);
    }

}
