package dev.tollgate.guardrails;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.ChatStreamEvent;

/**
 * The guardrails stage on the way back, for a tenant whose guardrails screen answers ({@code screenAnswers}): each
 * choice's text is held to the rules its prompts are. Personal data is replaced by its placeholder under
 * {@link PiiMode#REDACT}; a blocked term, or personal data under {@link PiiMode#BLOCK}, ends the choice where it
 * starts, with {@code finish_reason: "content_filter"} (what Azure OpenAI's own filter answers; {@code refusal} on
 * {@code /v1/messages}). What the provider wrote is still billed: it charged for it.
 *
 * <p>A stream cannot take back what it sent, so each choice's last characters are held back until what follows shows
 * whether they start something to redact or refuse: the longest blocked term's length, and for personal data 48
 * characters (a card number in groups, an IBAN, a phone number) or the whole trailing unbroken run of characters up to
 * 320 (an email address). They leave with the next chunk, or the choice's last. Tool calls' arguments and reasoning
 * are not screened. A tenant whose guardrails do not screen answers costs one map lookup per call.
 */
@Component
public class AnswerGuard {

    static final String FILTERED = "content_filter";

    /** Held back at a stream's tail when personal data is looked for: the longest of it written with spaces. */
    static final int PII_TAIL = 48;

    /** The most of a trailing run without whitespace held back: an email address is at most 254 characters. */
    static final int RUN_TAIL = 320;

    /** The most held back for a blocked phrase whatever whitespace is in it. */
    private static final int MOST_HELD = 4_096;

    /** How far a cut looks back for whitespace to fall on, so that what is held starts a word. */
    private static final int WORD_BACK = 64;

    private final TenantGuardrails guardrails;
    private final PiiScanner scanner = new PiiScanner();
    private final GuardrailActions actions;

    AnswerGuard(TenantGuardrails guardrails, MeterRegistry meters) {
        this.guardrails = guardrails;
        this.actions = new GuardrailActions(meters, "answer_filtered", "answer_redacted");
    }

    /** Screens a whole answer's choices in place, when the tenant's guardrails screen answers. */
    public void screen(UUID tenantId, ChatCompletion completion) {
        GuardrailPolicy policy = guardrails.answerPolicy(tenantId);
        if (policy == null) {
            return;
        }
        for (JsonNode choice : completion.body().path("choices")) {
            if (choice instanceof ObjectNode screened && screened.get("message") instanceof ObjectNode message
                    && message.path("content").isString()) {
                Cut cut = cut(policy, message.get("content").stringValue(), true);
                message.put("content", cut.text());
                if (cut.filtered()) {
                    screened.put("finish_reason", FILTERED);
                }
            }
        }
    }

    /**
     * The stream's chunks with their choices' text screened, when the tenant's guardrails screen answers. Once the
     * guardrails have ended every one of the {@code choices} answers, the provider's stream is let go of: what it would
     * go on writing would not be sent, and the tenant would pay for it. {@code letGo} runs then: the provider's usage
     * report, which comes at its stream's end, will not come, and what it reported so far (Anthropic's opening counts
     * one output token) is not what it generated.
     */
    public Flux<ChatStreamEvent> screen(UUID tenantId, Flux<ChatStreamEvent> events, int choices, Runnable letGo) {
        GuardrailPolicy policy = guardrails.answerPolicy(tenantId);
        if (policy == null) {
            return events;
        }
        return Flux.defer(() -> {
            StreamScreen screen = new StreamScreen(policy);
            return events.filter(screen::pass)
                .takeUntil(event -> {
                    boolean over = screen.endedAll(choices);
                    if (over) {
                        letGo.run();
                    }
                    return over;
                })
                .concatWith(Flux.defer(screen::rest));
        });
    }

    /**
     * What of {@code text} may leave now: its start up to the held-back tail, or all of it when {@code last}, with the
     * personal data in it redacted; or, when it holds a blocked term or (under block) personal data, the text before
     * that, and the choice ends there.
     *
     * @param consumed how many of the text's characters the cut covers (the rest is held back)
     */
    record Cut(String text, int consumed, boolean filtered) {
    }

    Cut cut(GuardrailPolicy policy, String text, boolean last) {
        return cut(policy, text, last, ' ');
    }

    /**
     * As above, for text that follows {@code before}, the last character already sent: a match at the text's start
     * that would not match after it (the tail of a longer number or word, cut where no whitespace was near) is none.
     */
    Cut cut(GuardrailPolicy policy, String text, boolean last, char before) {
        int end = text.length();
        int limit = last ? end : heldBackFrom(policy, text);
        boolean midWord = !Character.isWhitespace(before) && before != '\0';
        int stop = -1;
        Counter stopReason = null;
        Matcher terms = policy.blockedMatcher(text);
        while (terms != null && terms.find()) {
            if (midWord && terms.start() == 0) {
                continue;
            }
            if (!last && terms.end() == end) {
                // What follows may make it part of a longer word: decided with the next chunk.
                limit = Math.min(limit, terms.start());
                break;
            }
            stop = terms.start();
            stopReason = actions.refusedForTerm;
            break;
        }
        List<PiiScanner.Finding> findings = policy.pii() == PiiMode.OFF ? List.of() : scanner.find(text);
        if (midWord && !findings.isEmpty() && findings.get(0).start() == 0) {
            findings = findings.subList(1, findings.size());
        }
        for (PiiScanner.Finding finding : findings) {
            if (!last && finding.end() == end) {
                limit = Math.min(limit, finding.start());
            }
            else if (policy.pii() == PiiMode.BLOCK && (stop < 0 || finding.start() < stop)) {
                stop = finding.start();
                stopReason = actions.refusedFor(finding.kind());
            }
        }
        if (stop >= 0) {
            stopReason.increment();
            return new Cut(rendered(policy, text, findings, stop), end, true);
        }
        for (PiiScanner.Finding finding : findings) {
            if (finding.start() < limit && finding.end() > limit) {
                limit = finding.start();
            }
        }
        return new Cut(rendered(policy, text, findings, limit), limit, false);
    }

    /** The text up to {@code limit}, each finding wholly before it replaced under redact; one it cuts is left out. */
    private String rendered(GuardrailPolicy policy, String text, List<PiiScanner.Finding> findings, int limit) {
        if (policy.pii() != PiiMode.REDACT || findings.isEmpty()) {
            return text.substring(0, limit);
        }
        StringBuilder out = new StringBuilder(limit);
        int at = 0;
        for (PiiScanner.Finding finding : findings) {
            if (finding.start() >= limit) {
                break;
            }
            out.append(text, at, finding.start());
            if (finding.end() > limit) {
                return out.toString();
            }
            out.append(finding.kind().placeholder());
            actions.redacted(finding.kind()).increment();
            at = finding.end();
        }
        return out.append(text, at, limit).toString();
    }

    /**
     * Where the held-back tail of a stream's text starts: back far enough for the longest blocked term's characters
     * (whitespace, which a phrase matches in any amount, not counted) and for personal data, then back to whitespace
     * if there is some near, and never between the two halves of a character outside the BMP (an emoji).
     */
    static int heldBackFrom(GuardrailPolicy policy, String text) {
        int end = text.length();
        int tail = Math.max(policy.pii() == PiiMode.OFF ? 0 : PII_TAIL, policy.longestTerm());
        if (tail == 0) {
            return end;
        }
        int from = end;
        int counted = 0;
        while (from > 0 && counted < tail && end - from < MOST_HELD) {
            if (!Character.isWhitespace(text.charAt(from - 1))) {
                counted++;
            }
            from--;
        }
        if (policy.pii() != PiiMode.OFF) {
            int run = end;
            while (run > 0 && end - run < RUN_TAIL && !Character.isWhitespace(text.charAt(run - 1))) {
                run--;
            }
            from = Math.min(from, run);
        }
        // On whitespace if there is some near: the text held back then starts a word, as a pattern looks for it.
        for (int at = from; at > 0 && from - at < WORD_BACK; at--) {
            if (Character.isWhitespace(text.charAt(at - 1))) {
                return at;
            }
        }
        return from > 0 && Character.isHighSurrogate(text.charAt(from - 1)) ? from - 1 : from;
    }

    /** One stream's screening: each choice's held-back text, and which choices the guardrails ended. */
    private final class StreamScreen {

        private final GuardrailPolicy policy;
        private final Map<Integer, String> held = new HashMap<>();
        private final Map<Integer, Character> lastSent = new HashMap<>();
        private final Map<Integer, Boolean> ended = new HashMap<>();
        private @Nullable ObjectNode template;

        StreamScreen(GuardrailPolicy policy) {
            this.policy = policy;
        }

        /** Screens a chunk's choices in place; false for a chunk left with none (all of them ended). */
        boolean pass(ChatStreamEvent event) {
            if (!(event instanceof ChatStreamEvent.Chunk chunk)) {
                return true;
            }
            ObjectNode tree = chunk.chunk();
            template = tree;
            JsonNode choices = tree.path("choices");
            if (!(choices instanceof ArrayNode list)) {
                return true;
            }
            for (int i = list.size() - 1; i >= 0; i--) {
                if (list.get(i) instanceof ObjectNode choice && !screenChoice(choice)) {
                    list.remove(i);
                }
            }
            return !list.isEmpty();
        }

        /** False for a choice the guardrails already ended: it is not sent. */
        private boolean screenChoice(ObjectNode choice) {
            int index = choice.path("index").asInt(0);
            if (ended.containsKey(index)) {
                return false;
            }
            boolean last = choice.path("finish_reason").isString();
            JsonNode content = choice.path("delta").path("content");
            if (!content.isString() && !last) {
                return true;
            }
            String text = held.getOrDefault(index, "") + (content.isString() ? content.stringValue() : "");
            if (text.isEmpty()) {
                return true;
            }
            Cut cut = cut(policy, text, last, lastSent.getOrDefault(index, ' '));
            ObjectNode delta = choice.get("delta") instanceof ObjectNode object ? object : choice.putObject("delta");
            delta.put("content", cut.text());
            held.put(index, text.substring(cut.consumed()));
            if (cut.consumed() > 0) {
                lastSent.put(index, text.charAt(cut.consumed() - 1));
            }
            if (cut.filtered()) {
                ended.put(index, true);
                choice.put("finish_reason", FILTERED);
            }
            return true;
        }

        /** Whether the guardrails ended every one of the stream's answers. */
        boolean endedAll(int choices) {
            return ended.size() >= choices;
        }

        /** A last chunk with what is still held back, for a stream that ended without its choices' finish. */
        Flux<ChatStreamEvent> rest() {
            ObjectNode last = template;
            if (last == null) {
                return Flux.empty();
            }
            ObjectNode chunk = last.objectNode();
            chunk.set("id", last.get("id"));
            chunk.put("object", "chat.completion.chunk");
            chunk.set("created", last.get("created"));
            chunk.set("model", last.get("model"));
            ArrayNode choices = chunk.putArray("choices");
            held.forEach((index, text) -> {
                if (!text.isEmpty() && !ended.containsKey(index)) {
                    Cut cut = cut(policy, text, true, lastSent.getOrDefault(index, ' '));
                    ObjectNode choice = choices.addObject().put("index", index);
                    choice.putObject("delta").put("content", cut.text());
                    choice.put("finish_reason", cut.filtered() ? FILTERED : null);
                }
            });
            return choices.isEmpty() ? Flux.empty() : Flux.just(new ChatStreamEvent.Chunk(chunk));
        }

    }

}
