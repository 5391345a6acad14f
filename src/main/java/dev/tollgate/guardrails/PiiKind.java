package dev.tollgate.guardrails;

/** The kinds of personal data the prompt guard finds, each with the placeholder that replaces it. */
public enum PiiKind {

    EMAIL("[EMAIL]", "an email address"),
    CARD("[CARD_NUMBER]", "a payment card number"),
    IBAN("[IBAN]", "a bank account number (IBAN)"),
    SSN("[SSN]", "a US social security number"),
    PHONE("[PHONE]", "a phone number");

    private final String placeholder;
    private final String description;

    PiiKind(String placeholder, String description) {
        this.placeholder = placeholder;
        this.description = description;
    }

    public String placeholder() {
        return placeholder;
    }

    /** How an error names the kind to the client: never the value found. */
    public String description() {
        return description;
    }

}
