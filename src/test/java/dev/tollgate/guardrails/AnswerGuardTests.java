package dev.tollgate.guardrails;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.TokenUsage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/**
 * Answers held to the tenant's guardrails: what a stream sends is never taken back, so nothing to redact or refuse
 * may leave before what follows it shows what it is.
 */
class AnswerGuardTests {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final UUID TENANT = UUID.randomUUID();

    final TenantGuardrails guardrails = mock(TenantGuardrails.class);
    final AnswerGuard guard = new AnswerGuard(guardrails, new SimpleMeterRegistry());

    @Test
    void anEmailSplitAcrossChunksLeavesOnlyAsItsPlaceholder() {
        policy(PiiMode.REDACT, List.of());

        List<String> sent = contents(screen(chunk(0, "Mail me at jo", null),
                chunk(0, "hn.doe@exam", null), chunk(0, "ple.com today, or call", null),
                chunk(0, " +44 20 7946", null), chunk(0, " 0018.", null), chunk(0, null, "stop")));

        assertThat(String.join("", sent)).isEqualTo("Mail me at [EMAIL] today, or call [PHONE].");
        assertThat(sent).noneMatch(piece -> piece.contains("jo") || piece.contains("exam") || piece.contains("44"));
    }

    @Test
    void aCardNumberInGroupsIsHeldBackUntilItIsWhole() {
        policy(PiiMode.REDACT, List.of());

        List<String> sent = contents(screen(chunk(0, "Your card 4111 11", null),
                chunk(0, "11 1111 1111 is on file.", "stop")));

        assertThat(String.join("", sent)).isEqualTo("Your card [CARD_NUMBER] is on file.");
    }

    @Test
    void aBlockedTermEndsTheChoiceWhereItStartsAndNothingOfItLeaves() {
        policy(PiiMode.OFF, List.of("Project Falcon"));

        List<ObjectNode> chunks = trees(screen(chunk(0, "We discussed Project Fal", null),
                chunk(0, "con yesterday", null), chunk(0, " and more.", null), chunk(0, null, "stop")));

        assertThat(String.join("", contents(chunks))).isEqualTo("We discussed ");
        assertThat(chunks).hasSize(2);
        assertThat(chunks.get(1).at("/choices/0/finish_reason").stringValue()).isEqualTo("content_filter");
    }

    @Test
    void aTermThatTurnsOutPartOfALongerWordIsNotBlocked() {
        policy(PiiMode.OFF, List.of("falcon"));

        List<ObjectNode> chunks = trees(screen(chunk(0, "Peregrine falcon", null),
                chunk(0, "s are fast.", "stop")));

        assertThat(String.join("", contents(chunks))).isEqualTo("Peregrine falcons are fast.");
        assertThat(chunks.get(1).at("/choices/0/finish_reason").stringValue()).isEqualTo("stop");
    }

    @Test
    void underBlockPersonalDataEndsTheChoiceAndOtherChoicesGoOn() {
        policy(PiiMode.BLOCK, List.of());

        List<ObjectNode> chunks = trees(screen(chunk(0, "Write to ", null),
                chunk(1, "No address ", null), chunk(0, "ops@example.com now", null), chunk(1, "here.", null),
                chunk(0, " please", "stop"), chunk(1, null, "stop")));

        assertThat(textOf(chunks, 0)).isEqualTo("Write to ");
        assertThat(textOf(chunks, 1)).isEqualTo("No address here.");
        assertThat(finishOf(chunks, 0)).containsExactly("content_filter");
        assertThat(finishOf(chunks, 1)).containsExactly("stop");
    }

    @Test
    void aStreamEndingWithoutItsFinishStillSendsWhatWasHeldBack() {
        policy(PiiMode.REDACT, List.of());

        List<ObjectNode> chunks = trees(screen(chunk(0, "Reach me at ops@example.com", null)));

        assertThat(String.join("", contents(chunks))).isEqualTo("Reach me at [EMAIL]");
        assertThat(chunks.get(chunks.size() - 1).path("id").stringValue()).isEqualTo("gen-1");
    }

    @Test
    void aWholeAnswerIsRedactedOrCutAtABlockedTerm() {
        policy(PiiMode.REDACT, List.of("Project Falcon"));
        ChatCompletion redacted = completion("Ask ops@example.com.");
        ChatCompletion blocked = completion("Ask ops@example.com about Project Falcon today.");

        guard.screen(TENANT, redacted);
        guard.screen(TENANT, blocked);

        assertThat(redacted.body().at("/choices/0/message/content").stringValue()).isEqualTo("Ask [EMAIL].");
        assertThat(redacted.body().at("/choices/0/finish_reason").stringValue()).isEqualTo("stop");
        assertThat(blocked.body().at("/choices/0/message/content").stringValue()).isEqualTo("Ask [EMAIL] about ");
        assertThat(blocked.body().at("/choices/0/finish_reason").stringValue()).isEqualTo("content_filter");
    }

    /** Once the guardrails ended the answer, the provider's stream is let go of: the tenant would pay for the rest. */
    @Test
    void theProvidersStreamIsLetGoOfOnceEveryAnswerIsEnded() {
        policy(PiiMode.OFF, List.of("falcon"));
        AtomicBoolean cancelled = new AtomicBoolean();
        Flux<ChatStreamEvent> endless = Flux.concat(Flux.just(chunk(0, "A falcon ", null)),
                Flux.<ChatStreamEvent>never()).doOnCancel(() -> cancelled.set(true));

        AtomicBoolean toldLetGo = new AtomicBoolean();
        List<ObjectNode> chunks = trees(guard.screen(TENANT, endless, 1, () -> toldLetGo.set(true)));

        assertThat(cancelled).isTrue();
        assertThat(toldLetGo).as("the call told its usage report will not come").isTrue();
        assertThat(finishOf(chunks, 0)).containsExactly("content_filter");
    }

    /** Text held back where no whitespace is near is cut between characters, never inside one (an emoji). */
    @Test
    void aCutNeverSplitsACharacterOutsideTheBmpAndAWordsTailIsNoMatch() {
        policy(PiiMode.OFF, List.of("abc"));
        String text = "你".repeat(70) + "😀" + "好".repeat(3);
        for (int split = 1; split < text.length(); split++) {
            List<String> sent = contents(screen(chunk(0, text.substring(0, split), null),
                    chunk(0, text.substring(split), "stop")));
            assertThat(sent).noneMatch(piece -> !piece.isEmpty()
                && Character.isHighSurrogate(piece.charAt(piece.length() - 1)));
            assertThat(String.join("", sent)).isEqualTo(text);
        }

        policy(PiiMode.OFF, List.of("wire transfer"));
        assertThat(String.join("", contents(screen(chunk(0, "a wire" + " ".repeat(40) + "tr", null),
                chunk(0, "ansfer", "stop"))))).isEqualTo("a ");

        policy(PiiMode.OFF, List.of("xyz"));
        String word = "q".repeat(100) + "xyz";
        assertThat(String.join("", contents(screen(chunk(0, word, null), chunk(0, null, "stop")))))
            .as("held back from the tail of a longer word, and no match there").isEqualTo(word);
    }

    @Test
    void aTenantWhoseGuardrailsDoNotScreenAnswersGetsTheStreamItself() {
        Flux<ChatStreamEvent> events = Flux.just(chunk(0, "ops@example.com", "stop"));

        assertThat(guard.screen(TENANT, events, 1, () -> { })).isSameAs(events);
    }

    /** The events screened as one answer's stream, or two where two choices are in them. */
    private Flux<ChatStreamEvent> screen(ChatStreamEvent... events) {
        boolean two = false;
        for (ChatStreamEvent event : events) {
            two |= ((ChatStreamEvent.Chunk) event).readTree().at("/choices/0/index").asInt() == 1;
        }
        return guard.screen(TENANT, Flux.just(events), two ? 2 : 1, () -> { });
    }

    private void policy(PiiMode pii, List<String> terms) {
        when(guardrails.answerPolicy(TENANT)).thenReturn(GuardrailPolicy.of(pii, terms, true));
    }

    private static ChatStreamEvent chunk(int index, @Nullable String content, @Nullable String finish) {
        ObjectNode chunk = JSON.createObjectNode().put("id", "gen-1").put("object", "chat.completion.chunk")
            .put("created", 1).put("model", "m");
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", index);
        ObjectNode delta = choice.putObject("delta");
        if (content != null) {
            delta.put("content", content);
        }
        choice.put("finish_reason", finish);
        return new ChatStreamEvent.Chunk(chunk);
    }

    private static ChatCompletion completion(String content) {
        ObjectNode body = JSON.createObjectNode().put("id", "gen-1").put("object", "chat.completion");
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", content);
        return new ChatCompletion(body, TokenUsage.of(10, 10));
    }

    private static List<ObjectNode> trees(Flux<ChatStreamEvent> events) {
        return events.cast(ChatStreamEvent.Chunk.class).map(ChatStreamEvent.Chunk::chunk).collectList().block();
    }

    private static List<String> contents(Flux<ChatStreamEvent> events) {
        return contents(trees(events));
    }

    private static List<String> contents(List<ObjectNode> chunks) {
        List<String> contents = new ArrayList<>();
        for (ObjectNode chunk : chunks) {
            for (JsonNode choice : chunk.path("choices")) {
                contents.add(choice.path("delta").path("content").asString(""));
            }
        }
        return contents;
    }

    private static String textOf(List<ObjectNode> chunks, int index) {
        StringBuilder text = new StringBuilder();
        for (ObjectNode chunk : chunks) {
            for (JsonNode choice : chunk.path("choices")) {
                if (choice.path("index").asInt() == index) {
                    text.append(choice.path("delta").path("content").asString(""));
                }
            }
        }
        return text.toString();
    }

    private static List<String> finishOf(List<ObjectNode> chunks, int index) {
        List<String> reasons = new ArrayList<>();
        for (ObjectNode chunk : chunks) {
            for (JsonNode choice : chunk.path("choices")) {
                if (choice.path("index").asInt() == index && choice.path("finish_reason").isString()) {
                    reasons.add(choice.path("finish_reason").stringValue());
                }
            }
        }
        return reasons;
    }

}
