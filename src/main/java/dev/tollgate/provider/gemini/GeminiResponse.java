package dev.tollgate.provider.gemini;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What {@code generateContent} answers, and what each event of {@code streamGenerateContent?alt=sse} carries: only
 * the fields Tollgate reads (unknown ones are ignored). Absent fields are null.
 *
 * @param error a google.rpc error, which a stream may send in place of a chunk
 */
record GeminiResponse(@Nullable List<Candidate> candidates, @Nullable PromptFeedback promptFeedback,
        @Nullable UsageMetadata usageMetadata, @Nullable String modelVersion, @Nullable String responseId,
        @Nullable JsonNode error) {

    List<Candidate> candidateList() {
        return present(candidates);
    }

    /** A list the answer held, without its null entries (JSON {@code [null]}), which carry nothing. */
    static <T> List<T> present(@Nullable List<T> values) {
        if (values == null) {
            return List.of();
        }
        // contains() first: answers hold one candidate and a few parts, and never a null from Gemini itself.
        return values.contains(null) ? values.stream().filter(Objects::nonNull).toList() : values;
    }

    /** One answer of the model; {@code index} is absent on the first (and usually only) one. */
    record Candidate(@Nullable Content content, @Nullable String finishReason, @Nullable Integer index) {

        List<Part> partList() {
            return content == null ? List.of() : present(content.parts());
        }

    }

    record Content(@Nullable String role, @Nullable List<Part> parts) {
    }

    /**
     * One piece of a candidate's content: text (a thought summary when {@code thought} is true) or a function call.
     * A {@code thoughtSignature} must be sent back with the part it came on for the model to keep its reasoning.
     */
    record Part(@Nullable String text, @Nullable Boolean thought, @Nullable String thoughtSignature,
            @Nullable FunctionCall functionCall) {

        boolean isThought() {
            return Boolean.TRUE.equals(thought);
        }

    }

    record FunctionCall(@Nullable String id, String name, @Nullable JsonNode args) {
    }

    /** Set, with no candidates, when the prompt itself was blocked. */
    record PromptFeedback(@Nullable String blockReason) {
    }

    /** Token counts; in a stream every event repeats them cumulatively. */
    record UsageMetadata(@Nullable Long promptTokenCount, @Nullable Long candidatesTokenCount,
            @Nullable Long cachedContentTokenCount, @Nullable Long thoughtsTokenCount,
            @Nullable Long toolUsePromptTokenCount, @Nullable Long totalTokenCount,
            @Nullable List<ModalityTokenCount> promptTokensDetails,
            @Nullable List<ModalityTokenCount> cacheTokensDetails) {
    }

    /** One modality's share of a count ({@code TEXT}, {@code IMAGE}, {@code AUDIO}, {@code VIDEO}, …). */
    record ModalityTokenCount(@Nullable String modality, @Nullable Long tokenCount) {
    }

}
