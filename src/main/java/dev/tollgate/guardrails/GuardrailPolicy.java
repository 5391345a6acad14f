package dev.tollgate.guardrails;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import dev.tollgate.common.ApiException;

/**
 * A tenant's guardrails on its prompts: what becomes of the personal data in them, and the terms its policy refuses;
 * and whether the same rules apply to the answers. Immutable; the terms are compiled once, into one pattern, when the
 * policy is read or saved.
 */
public final class GuardrailPolicy {

    public static final GuardrailPolicy NONE = new GuardrailPolicy(PiiMode.OFF, List.of(), null, false);

    static final int MAX_TERMS = 500;

    static final int MAX_TERM_LENGTH = 200;

    private final PiiMode pii;
    private final List<String> blockedTerms;
    private final @Nullable Pattern blocked;
    private final boolean screenAnswers;
    private final int longestTerm;

    private GuardrailPolicy(PiiMode pii, List<String> blockedTerms, @Nullable Pattern blocked, boolean screenAnswers) {
        this.pii = pii;
        this.blockedTerms = blockedTerms;
        this.blocked = blocked;
        this.screenAnswers = screenAnswers;
        int longest = 0;
        for (String term : blockedTerms) {
            longest = Math.max(longest, term.length());
        }
        this.longestTerm = longest;
    }

    /** The policy, for prompts only. */
    public static GuardrailPolicy of(PiiMode pii, List<String> terms) {
        return of(pii, terms, false);
    }

    /**
     * The policy, its terms cleaned (trimmed; blanks and repeats in another case dropped). A term matches whole words,
     * in any case, and the whitespace inside a phrase matches any run of whitespace ("wire transfer" across a line
     * break too).
     */
    public static GuardrailPolicy of(PiiMode pii, List<String> terms, boolean screenAnswers) {
        Set<String> cleaned = new LinkedHashSet<>();
        Set<String> folded = new LinkedHashSet<>();
        for (String term : terms) {
            String trimmed = term.strip();
            if (!trimmed.isEmpty() && folded.add(trimmed.toLowerCase(Locale.ROOT))) {
                cleaned.add(trimmed);
            }
        }
        if (cleaned.size() > MAX_TERMS) {
            throw ApiException.invalidParam("blockedTerms", "At most " + MAX_TERMS + " blocked terms.");
        }
        List<String> alternatives = new ArrayList<>(cleaned.size());
        for (String term : cleaned) {
            if (term.length() > MAX_TERM_LENGTH) {
                throw ApiException.invalidParam("blockedTerms",
                        "A blocked term has at most " + MAX_TERM_LENGTH + " characters.");
            }
            if (term.indexOf('\0') >= 0) {
                throw ApiException.invalidParam("blockedTerms", "A blocked term may not contain NUL characters.");
            }
            StringBuilder alternative = new StringBuilder();
            for (String word : term.split("[\\s\\h]+")) {
                if (!alternative.isEmpty()) {
                    // Any whitespace, a no-break space (U+00A0) and the like too.
                    alternative.append("[\\s\\h]+");
                }
                alternative.append(Pattern.quote(word));
            }
            alternatives.add(alternative.toString());
        }
        Pattern blocked = alternatives.isEmpty() ? null
                : Pattern.compile("(?<![\\p{L}\\p{N}_])(?:" + String.join("|", alternatives) + ")(?![\\p{L}\\p{N}_])",
                        Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        if (pii == PiiMode.OFF && blocked == null && !screenAnswers) {
            return NONE;
        }
        return new GuardrailPolicy(pii, List.copyOf(cleaned), blocked, screenAnswers);
    }

    public PiiMode pii() {
        return pii;
    }

    public List<String> blockedTerms() {
        return blockedTerms;
    }

    /** Whether a prompt needs looking at at all. */
    public boolean active() {
        return this != NONE;
    }

    /** Whether the answers are held to the same rules as the prompts. */
    public boolean screensAnswers() {
        return screenAnswers;
    }

    /** Whether the text holds one of the blocked terms. */
    boolean blocks(String text) {
        return blocked != null && blocked.matcher(text).find();
    }

    /** The blocked terms' matcher over the text, or null without blocked terms. */
    @Nullable Matcher blockedMatcher(CharSequence text) {
        return blocked == null ? null : blocked.matcher(text);
    }

    /** The length of the longest blocked term, 0 without any. */
    int longestTerm() {
        return longestTerm;
    }

}
