package dev.tollgate.credits;

/** The kinds of ledger entries other than usage (which the usage writer appends with each request's log row). */
public enum CreditKind {

    SIGNUP_BONUS, TOPUP, AUTO_TOPUP, REFUND, ADJUSTMENT;

    String column() {
        return name().toLowerCase();
    }

}
