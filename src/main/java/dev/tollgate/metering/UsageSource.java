package dev.tollgate.metering;

/** Where a request's token counts came from. */
public enum UsageSource {

    /** The provider reported them. */
    UPSTREAM,

    /** The provider never reported them (a stream cut short); Tollgate counted the delivered text itself. */
    TOKENIZER,

    /** Nothing was generated (the call failed before any byte). */
    NONE,

    /** The response cache answered: the counts are those of the kept answer, and nothing was charged. */
    CACHE;

    String column() {
        return name().toLowerCase();
    }

}
