package dev.tollgate.guardrails;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds personal data in prompt text: email addresses, payment card numbers (that pass the Luhn check), IBANs (that
 * pass their mod-97 check), US social security numbers written with dashes, and phone numbers (international with a
 * {@code +}, North American, and national numbers with a leading 0).
 *
 * <p>Patterns, not a model: it finds what has a recognisable shape, and says nothing of names or addresses. The
 * checksums keep order numbers and ids that merely look like cards or IBANs out. A number the patterns take for a
 * phone number (three digits, three, four, with separators) is redacted though it may be something else: for a
 * tenant who turned redaction on, sending a phone number on is the worse mistake.
 */
public final class PiiScanner {

    /** The domain's labels are bounded: a repeated group recurses in java.util.regex, and 2,000 labels overflowed. */
    private static final Pattern EMAIL = Pattern.compile(
            "(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){0,8}\\.[A-Za-z]{2,24}(?![A-Za-z0-9-])");

    /**
     * 13 to 19 digits unbroken, or in the groups cards are printed in (4-4-4-4, 4-4-4-4-3, 4-6-5, 4-6-4), starting
     * with a digit card networks issue (2 to 6): ids and millisecond timestamps mostly start otherwise.
     */
    private static final Pattern CARD = Pattern.compile("(?<![0-9A-Za-z+-])(?=[2-6])(?:\\d{13,19}"
            + "|\\d{4}([ .-])\\d{4}\\1\\d{4}\\1\\d{4}(?:\\1\\d{3})?|\\d{4}([ -])\\d{6}\\2\\d{4,5})(?![0-9A-Za-z])");

    /** Country, check digits, then the account in groups of four (spaces or dashes between them), or unbroken. */
    private static final Pattern IBAN = Pattern.compile(
            "(?<![A-Za-z0-9])[A-Za-z]{2}\\d{2}(?:[ -]?[A-Za-z0-9]{4}){2,7}(?:[ -]?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])"
                    + "|(?<![A-Za-z0-9])[A-Za-z]{2}\\d{2}[A-Za-z0-9]{11,30}(?![A-Za-z0-9])");

    private static final Pattern SSN = Pattern.compile(
            "(?<![\\d-])(?!000|666|9\\d\\d)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}(?![\\d-])");

    private static final Pattern PHONE = Pattern.compile(
            // International: +, then digits in groups, maybe one in parentheses. The others are not the tail of a
            // longer run of digit groups (an account number's last groups).
            "(?<![\\w+])\\+\\d(?:[ .-]?(?:\\(\\d{1,4}\\)|\\d)){7,16}(?!\\w)"
                    // North American: (415) 555-0100, 415-555-0100, 415.555.0100, 415 555 0100, 1-800-555-0100.
                    + "|(?<![\\w.-])(?<!\\d[ .-])(?:1[ .-]?)?(?:\\(\\d{3}\\)[ .-]?|\\d{3}[ .-])\\d{3}[ .-]\\d{4}(?![\\w-]|\\.\\d)"
                    // National with a trunk 0: 030 1234567, 06 12 34 56 78, 020-7946-0018.
                    + "|(?<![\\w.+-])(?<!\\d[ .-])0[1-9]\\d{0,3}(?:[ .-]?\\d{2,4}){2,4}(?![\\w-]|\\.\\d)");

    /** What is found, where; the end is exclusive. */
    public record Finding(PiiKind kind, int start, int end) {
    }

    /** The text with every finding replaced, and how many of each kind there were. */
    public record Redacted(String text, Map<PiiKind, Integer> counts) {

        public int total() {
            int total = 0;
            for (int count : counts.values()) {
                total += count;
            }
            return total;
        }

    }

    /**
     * Every finding, in order, none overlapping another: where two kinds claim the same characters, the first in
     * {@link PiiKind}'s order wins (an email's digits are not a phone number).
     */
    public List<Finding> find(String text) {
        boolean digits = hasDigit(text);
        if (!digits && text.indexOf('@') < 0) {
            return List.of();
        }
        List<Finding> found = new ArrayList<>();
        if (text.indexOf('@') >= 0) {
            collect(text, EMAIL, PiiKind.EMAIL, found);
        }
        if (digits) {
            collectIbans(text, found);
            collectCards(text, found);
            collect(text, SSN, PiiKind.SSN, found);
            collectPhones(text, found);
        }
        found.sort((a, b) -> Integer.compare(a.start(), b.start()));
        return found;
    }

    public Redacted redact(String text) {
        List<Finding> found = find(text);
        if (found.isEmpty()) {
            return new Redacted(text, Map.of());
        }
        Map<PiiKind, Integer> counts = new EnumMap<>(PiiKind.class);
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        for (Finding finding : found) {
            out.append(text, at, finding.start()).append(finding.kind().placeholder());
            at = finding.end();
            counts.merge(finding.kind(), 1, Integer::sum);
        }
        out.append(text, at, text.length());
        return new Redacted(out.toString(), counts);
    }

    private static void collect(String text, Pattern pattern, PiiKind kind, List<Finding> found) {
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            add(found, new Finding(kind, matcher.start(), matcher.end()));
        }
    }

    private static void collectCards(String text, List<Finding> found) {
        Matcher matcher = CARD.matcher(text);
        while (matcher.find()) {
            if (luhn(text, matcher.start(), matcher.end())) {
                add(found, new Finding(PiiKind.CARD, matcher.start(), matcher.end()));
            }
        }
    }

    /** An IBAN's last group may have taken a word after it ("… 3000 AND"): shorter prefixes are tried too. */
    private static void collectIbans(String text, List<Finding> found) {
        Matcher matcher = IBAN.matcher(text);
        while (matcher.find()) {
            int end = matcher.end();
            while (end > matcher.start()) {
                if (ibanChecks(text, matcher.start(), end)) {
                    add(found, new Finding(PiiKind.IBAN, matcher.start(), end));
                    break;
                }
                end = Math.max(text.lastIndexOf(' ', end - 1), text.lastIndexOf('-', end - 1));
            }
        }
    }

    private static void collectPhones(String text, List<Finding> found) {
        Matcher matcher = PHONE.matcher(text);
        while (matcher.find()) {
            int digits = countDigits(text, matcher.start(), matcher.end());
            if (digits >= 9 && digits <= 15) {
                add(found, new Finding(PiiKind.PHONE, matcher.start(), matcher.end()));
            }
        }
    }

    /** Adds the finding unless an earlier kind's finding overlaps it. */
    private static void add(List<Finding> found, Finding finding) {
        for (Finding other : found) {
            if (finding.start() < other.end() && other.start() < finding.end()) {
                return;
            }
        }
        found.add(finding);
    }

    static boolean luhn(CharSequence text, int start, int end) {
        int sum = 0;
        boolean twice = false;
        for (int i = end - 1; i >= start; i--) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                continue;
            }
            int digit = c - '0';
            if (twice) {
                digit *= 2;
                if (digit > 9) {
                    digit -= 9;
                }
            }
            sum += digit;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    /** ISO 13616: 15 to 34 characters, the first four moved to the end, letters as 10–35, the number mod 97 is 1. */
    static boolean ibanChecks(CharSequence text, int start, int end) {
        StringBuilder iban = new StringBuilder(34);
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c != ' ' && c != '-') {
                iban.append(Character.toUpperCase(c));
            }
        }
        if (iban.length() < 15 || iban.length() > 34) {
            return false;
        }
        int remainder = 0;
        for (int i = 0; i < iban.length(); i++) {
            char c = iban.charAt((i + 4) % iban.length());
            int value = c <= '9' ? c - '0' : c - 'A' + 10;
            remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
        }
        return remainder == 1;
    }

    private static boolean hasDigit(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                return true;
            }
        }
        return false;
    }

    private static int countDigits(CharSequence text, int start, int end) {
        int digits = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            }
        }
        return digits;
    }

}
