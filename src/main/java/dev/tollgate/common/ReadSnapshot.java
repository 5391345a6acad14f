package dev.tollgate.common;

import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.transaction.support.DefaultTransactionDefinition;

/**
 * Reads that must agree with each other (a page and its total, rows and their sum) made as of one moment: one
 * read-only, repeatable-read transaction, so a usage batch or a top-up committing meanwhile shows in all of them or in
 * none. The reads inside run one after the other, on the transaction's connection.
 */
public final class ReadSnapshot {

    private ReadSnapshot() {
    }

    public static TransactionalOperator operator(ReactiveTransactionManager transactions) {
        DefaultTransactionDefinition oneSnapshot = new DefaultTransactionDefinition();
        oneSnapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        oneSnapshot.setReadOnly(true);
        return TransactionalOperator.create(transactions, oneSnapshot);
    }

}
